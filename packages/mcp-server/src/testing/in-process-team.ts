import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FakeClock, SequentialIdGenerator, type ToolOutput } from '@codex-team/contracts';
import { recoveryPolicy, type RecoveryPolicyOptions } from '@codex-team/recovery';
import { openSqliteTeamStore, type TeamStore } from '@codex-team/store';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import pino from 'pino';
import { createServer } from '../create-server';
import { TicketIssuer } from '../runtime';
import { Session } from '../session';
import { ToolCaller } from './tool-caller';

/** One in-process MCP session: a fresh server and a real SDK client linked in memory. */
export interface InProcessSession {
  caller: ToolCaller;
  session: Session;
  close(): Promise<void>;
}

export interface InProcessTeamOptions {
  leaseMs?: number;
  /** Recovery numbers besides the lease (grace, stale time, attempts). */
  recovery?: Omit<RecoveryPolicyOptions, 'leaseMs'>;
  /** Wraps the real store, e.g. to inject failures. */
  wrapStore?: (store: TeamStore) => TeamStore;
}

/**
 * A real SQLite store on a temp file with a FakeClock and sequential ids, and any number of MCP
 * sessions on it, each one like a separate agent thread's server.
 */
export class InProcessTeam {
  /** Every log line of every session, parsed. */
  readonly logs: Record<string, unknown>[] = [];
  readonly dbPath: string;
  private readonly sessions: InProcessSession[] = [];

  private constructor(
    readonly store: TeamStore,
    /** Shared by the store and the servers: moving it moves time for both. */
    readonly clock: FakeClock,
    private readonly dir: string,
    private readonly options: InProcessTeamOptions,
  ) {
    this.dbPath = join(dir, 'team.db');
  }

  static async open(options: InProcessTeamOptions = {}): Promise<InProcessTeam> {
    const dir = mkdtempSync(join(tmpdir(), 'codex-team-mcp-'));
    const clock = new FakeClock();
    const real = await openSqliteTeamStore({ path: join(dir, 'team.db'), clock, ids: new SequentialIdGenerator() });
    return new InProcessTeam(options.wrapStore?.(real) ?? real, clock, dir, options);
  }

  /** A log text of everything logged so far (to check that secrets never appear). */
  get logText(): string {
    return this.logs.map((line) => JSON.stringify(line)).join('\n');
  }

  async connect(): Promise<InProcessSession> {
    const logs = this.logs;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    const session = new Session();
    const server = createServer({
      store: this.store,
      clock: this.clock,
      ids: new SequentialIdGenerator(),
      tickets: new TicketIssuer(),
      logger: pino({ level: 'info' }, sink),
      leaseMs: this.options.leaseMs ?? 60_000,
      recovery: recoveryPolicy({ ...this.options.recovery, leaseMs: this.options.leaseMs ?? 60_000 }),
      session,
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'spec', version: '1.0.0' });
    await server.connect(serverTransport);
    await client.connect(clientTransport);
    await client.listTools();
    const opened: InProcessSession = {
      caller: new ToolCaller(client),
      session,
      close: async () => {
        await client.close();
        await server.close();
      },
    };
    this.sessions.push(opened);
    return opened;
  }

  /** A new session that starts a team and is bound as its lead. */
  async startTeam(args: Record<string, unknown> = { name: 'alpha', objective: 'ship it' }): Promise<{
    lead: InProcessSession;
    started: ToolOutput<'team_start'>;
  }> {
    const lead = await this.connect();
    const started = await lead.caller.ok('team_start', args);
    return { lead, started };
  }

  /** The lead spawns a teammate, which joins in a session of its own. */
  async joinTeammate(
    lead: InProcessSession,
    name: string,
    role: string,
  ): Promise<{ mate: InProcessSession; spawned: ToolOutput<'team_spawn'>; joined: ToolOutput<'team_join'> }> {
    const spawned = await lead.caller.ok('team_spawn', { name, role });
    const mate = await this.connect();
    const joined = await mate.caller.ok('team_join', { ticket: spawned.join_ticket });
    return { mate, spawned, joined };
  }

  async close(): Promise<void> {
    for (const session of this.sessions) await session.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
