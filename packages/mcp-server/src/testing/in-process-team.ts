import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ToolOutput } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { HookEngine, HookRegistry, type HookCommandRunner, type HookFileSource } from '@codex-team/hooks';
import type { CodexThreadCap, ProfileCatalog } from '@codex-team/policy-engine';
import { RecoverySweeper, recoveryPolicy, type RecoveryPolicyOptions } from '@codex-team/recovery';
import { openSqliteTeamStore, type TeamStore } from '@codex-team/store';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import pino, { type Logger } from 'pino';
import type { AuthorizationStep } from '../authorize';
import { createServer } from '../create-server';
import { ProcessHookRunner } from '../hooks/process-hook-runner';
import { RecoveryHookGate } from '../hooks/recovery-hooks';
import { loggerOptions } from '../logger';
import { TicketIssuer } from '../runtime';
import { loadServerProfiles } from '../server-policy';
import { Session } from '../session';
import { ToolCaller } from './tool-caller';

/** One in-process MCP session: a fresh server and a real SDK client linked in memory. */
export interface InProcessSession {
  caller: ToolCaller;
  session: Session;
  close(): Promise<void>;
}

export interface InProcessTeamOptions {
  /** `--lease-ms`: overrides every profile's lease. @default the team profile's lease */
  leaseMs?: number;
  /** The user's profile directory, beside the built-in profiles. */
  userProfilesDir?: string;
  /** Recovery numbers besides the lease (grace, stale time, attempts). */
  recovery?: Omit<RecoveryPolicyOptions, 'leaseMs'>;
  /** Wraps the real store, e.g. to inject failures. */
  wrapStore?: (store: TeamStore) => TeamStore;
  /** Replaces the authorization steps of every session (tests of what a broken step lets through). */
  authorizationSteps?: readonly AuthorizationStep[];
  /** The server's hooks file (`--hooks`), for every session. */
  hooksFile?: HookFileSource;
  /** Runs the command hooks of every session (tests of a broken runner). @default a ProcessHookRunner */
  hookRunner?: HookCommandRunner;
  /** Codex's thread cap, as `codex-team install` hands it to the server (`--codex-thread-cap`). */
  codexThreadCap?: CodexThreadCap;
  /** The key Codex registered the server under (`--name`). @default 'team' */
  codexServerKey?: string;
}

/**
 * A real SQLite store on a temp file with a FakeClock and sequential ids, opened with the same
 * profiles and logger a server process wires, and any number of MCP sessions on it, each one like
 * a separate agent thread's server. Logs go through the production logger settings (redaction).
 */
export class InProcessTeam {
  readonly dbPath: string;
  /** The process's one sweep (leases, lost and idle teammates, idle teams, mode lapses); call `sweeper.sweep()` after moving the clock. */
  readonly sweeper: RecoverySweeper;
  private readonly sessions: InProcessSession[] = [];

  private constructor(
    /** Every log line of every session and of the team policy, parsed. */
    readonly logs: Record<string, unknown>[],
    readonly store: TeamStore,
    /** Shared by the store and the servers: moving it moves time for both. */
    readonly clock: FakeClock,
    readonly profiles: ProfileCatalog,
    private readonly logger: Logger,
    private readonly dir: string,
    private readonly options: InProcessTeamOptions,
  ) {
    this.dbPath = join(dir, 'team.db');
    // The process's RecoveryAction hooks, from the same hooks file as its sessions.
    const engine = new HookEngine({ runner: options.hookRunner ?? new ProcessHookRunner(), cwd: process.cwd() });
    const recoveryHooks = new RecoveryHookGate(new HookRegistry(options.hooksFile ?? null), engine, store, logger);
    this.sweeper = new RecoverySweeper(store, recoveryPolicy({ ...options.recovery, leaseMs: options.leaseMs }), logger, recoveryHooks);
  }

  /** Teams the sweeper sweeps: every team started through this harness. */
  readonly teamIds: string[] = [];

  static async open(options: InProcessTeamOptions = {}): Promise<InProcessTeam> {
    const dir = mkdtempSync(join(tmpdir(), 'codex-team-mcp-'));
    const logs: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
        }
        done();
      },
    });
    const logger = pino(loggerOptions('info'), sink);
    const profiles = loadServerProfiles(options.userProfilesDir, logger);
    const clock = new FakeClock();
    const real = await openSqliteTeamStore({
      path: join(dir, 'team.db'),
      clock,
      ids: new SequentialIdGenerator(),
      profiles,
      logger,
      ...(options.codexThreadCap === undefined ? {} : { codexThreadCap: options.codexThreadCap }),
    });
    return new InProcessTeam(logs, options.wrapStore?.(real) ?? real, clock, profiles, logger, dir, options);
  }

  /** A log text of everything logged so far (to check that secrets never appear). */
  get logText(): string {
    return this.logs.map((line) => JSON.stringify(line)).join('\n');
  }

  async connect(): Promise<InProcessSession> {
    const session = new Session();
    const server = createServer({
      store: this.store,
      profiles: this.profiles,
      clock: this.clock,
      ids: new SequentialIdGenerator(),
      tickets: new TicketIssuer(),
      logger: this.logger,
      ...(this.options.leaseMs === undefined ? {} : { leaseMs: this.options.leaseMs }),
      recovery: recoveryPolicy({ ...this.options.recovery, leaseMs: this.options.leaseMs }),
      sweeper: this.sweeper,
      session,
      ...(this.options.authorizationSteps === undefined ? {} : { authorizationSteps: this.options.authorizationSteps }),
      ...(this.options.hooksFile === undefined ? {} : { hooksFile: this.options.hooksFile }),
      ...(this.options.hookRunner === undefined ? {} : { hookRunner: this.options.hookRunner }),
      ...(this.options.codexThreadCap === undefined ? {} : { codexThreadCap: this.options.codexThreadCap }),
      ...(this.options.codexServerKey === undefined ? {} : { codexServerKey: this.options.codexServerKey }),
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
    this.teamIds.push(started.team.id);
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
