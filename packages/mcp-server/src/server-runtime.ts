import { RandomIdGenerator, TicketIssuer, systemClock } from '@codex-team/contracts';
import { HookEngine, HookRegistry, type HookFileSource } from '@codex-team/hooks';
import type { CodexThreadCap, PermissionPolicy, ProfileCatalog } from '@codex-team/policy-engine';
import { RecoverySweeper, recoveryPolicy, type RecoveryPolicy } from '@codex-team/recovery';
import { isPostgresUrl, openPooledPostgresTeamStore, openPostgresTeamStore, openSqliteTeamStore, type SessionBinding, type TeamStore } from '@codex-team/store';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from 'pino';
import { createServer } from './create-server';
import type { InjectedFaults } from './injected-faults';
import { ProcessHookRunner } from './hooks/process-hook-runner';
import { RecoveryHookGate } from './hooks/recovery-hooks';
import { loadServerProfiles } from './server-policy';
import type { Session } from './session';
import { RolloutMeter } from './usage/rollout-meter';

/** What a server process (stdio or HTTP) opens once, whatever number of sessions it serves. */
export interface ServerRuntimeOptions {
  /** The SQLite store file shared by every server process of the machine. */
  dbPath: string;
  /** The user's own profile directory, beside the built-in profiles; a missing one is fine. */
  profilesDir?: string;
  /** Overrides every profile's lease length, in milliseconds. @default the team profile's */
  leaseMs?: number;
  /**
   * Heartbeat and recovery numbers; `sweepEveryMs` times this process's one sweep (leases, lost
   * and idle teammates, idle teams, mode lapses). @default recoveryPolicy({ leaseMs })
   */
  recovery?: RecoveryPolicy;
  /** @default the shipped profiles/permissions/default.yaml */
  permissions?: PermissionPolicy;
  /** The hooks file (`--hooks`, read with loadHooksFile), for every team. @default profile hooks only */
  hooksFile?: HookFileSource;
  /** Codex's own thread cap (`--codex-thread-cap`); teams and hints never exceed it. @default unknown */
  codexThreadCap?: CodexThreadCap;
  /** The key Codex registered this server under (`--name`). @default 'team' */
  codexServerKey?: string;
  /**
   * The Codex home whose session rollouts measure each bound agent's token usage (`--codex-home`);
   * undefined: usage is only what agents report. Read only, never written.
   */
  codexHome?: string;
  /**
   * On PostgreSQL: threads that run store calls, each on a connection of its own, so this many
   * sessions' calls run at once (an HTTP server's agents). Unset, the process's one store runs one
   * call at a time (a stdio server serves one agent). SQLite ignores it: its writes go one at a
   * time whatever the threads. @default unset
   */
  storeThreads?: number;
  /** Test only (CODEX_TEAM_TEST_FAULTS): deliberate faults the quality gates must catch. @default none */
  faults?: InjectedFaults;
  logger: Logger;
}

/**
 * The store, profiles and sweep of one server process, shared by its sessions. Each session gets
 * a fresh `createServer` with its own `Session`; when a session ends, `endSession` records the
 * bound agent's disconnect: the one path every transport takes (stdin closing, a signal, an HTTP
 * DELETE, an HTTP session's idle expiry).
 */
export class ServerRuntime {
  readonly recovery: RecoveryPolicy;
  private readonly ids = new RandomIdGenerator();
  private readonly tickets = new TicketIssuer();
  /** One hook runner for the process: its sessions' hooks and its sweeps' RecoveryAction hooks. */
  private readonly hookRunner = new ProcessHookRunner();
  private readonly sweeper: RecoverySweeper;
  private readonly stopSweeps: () => Promise<void>;
  private closing: Promise<void> | null = null;
  /** Each session's rollout meter, while it runs. */
  private readonly meters = new WeakMap<Session, RolloutMeter>();

  private constructor(
    private readonly options: ServerRuntimeOptions,
    readonly store: TeamStore,
    readonly profiles: ProfileCatalog,
  ) {
    this.recovery = options.recovery ?? recoveryPolicy({ leaseMs: options.leaseMs });
    const recoveryHooks = new RecoveryHookGate(
      new HookRegistry(options.hooksFile ?? null),
      new HookEngine({ runner: this.hookRunner, cwd: process.cwd() }),
      store,
      options.logger,
    );
    this.sweeper = new RecoverySweeper(store, this.recovery, options.logger, recoveryHooks);
    // Every server process sweeps the whole store (bound or not) on its one timer, so a crashed
    // team's claims come back, silent teammates free their slots, idle teams close and temporary
    // modes lapse while any agent of the machine runs. The timer never keeps the process alive.
    this.stopSweeps = this.sweeper.start();
  }

  /**
   * Opens the store with the process's profiles and starts the sweep. Throws (before anything is
   * served) when the store cannot be opened, e.g. TeamError SCHEMA_MISMATCH.
   */
  static async open(options: ServerRuntimeOptions): Promise<ServerRuntime> {
    const { logger } = options;
    const profiles = loadServerProfiles(options.profilesDir, logger);
    const common = {
      clock: systemClock,
      ids: new RandomIdGenerator(),
      profiles,
      logger,
      ...(options.codexThreadCap === undefined ? {} : { codexThreadCap: options.codexThreadCap }),
    };
    // `--db postgres://...` (or CODEX_TEAM_DB): the same store on PostgreSQL, leases on its clock;
    // with storeThreads, its calls run on that many threads, each a store of its own with the system
    // clock, random ids and profiles loaded from the same directories as `profiles`.
    const store = !isPostgresUrl(options.dbPath)
      ? await openSqliteTeamStore({ path: options.dbPath, ...common })
      : options.storeThreads === undefined
        ? await openPostgresTeamStore({ url: options.dbPath, ...common })
        : await openPooledPostgresTeamStore({
            url: options.dbPath,
            threads: options.storeThreads,
            profiles,
            logger,
            ...(options.codexThreadCap === undefined ? {} : { codexThreadCap: options.codexThreadCap }),
          });
    return new ServerRuntime(options, store, profiles);
  }

  /** A fresh MCP server for one session, over the process's store and sweep. */
  createSessionServer(session: Session): Server {
    const { options } = this;
    const meter = options.codexHome === undefined ? undefined : new RolloutMeter(options.codexHome, this.store, options.logger);
    if (meter !== undefined) this.meters.set(session, meter);
    return createServer({
      store: this.store,
      profiles: this.profiles,
      clock: systemClock,
      ids: this.ids,
      tickets: this.tickets,
      logger: options.logger,
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
      recovery: this.recovery,
      sweeper: this.sweeper,
      session,
      ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
      ...(options.hooksFile === undefined ? {} : { hooksFile: options.hooksFile }),
      hookRunner: this.hookRunner,
      ...(options.codexThreadCap === undefined ? {} : { codexThreadCap: options.codexThreadCap }),
      ...(options.codexServerKey === undefined ? {} : { codexServerKey: options.codexServerKey }),
      ...(meter === undefined ? {} : { usageMeter: meter }),
      ...(options.faults === undefined ? {} : { faults: options.faults }),
    });
  }

  /**
   * Ends a session: from here on its calls are refused, and the bound agent's disconnect is
   * recorded with `reason` (the liveness signal the team relies on). Returns the binding the
   * session had. Never rejects: a failed write is logged.
   */
  async endSession(session: Session, reason: string): Promise<SessionBinding | null> {
    const binding = session.end();
    if (binding !== null) {
      try {
        await this.store.disconnectAgent(binding, reason);
      } catch (error) {
        this.options.logger.error({ err: error, agent_id: binding.agentId, team_id: binding.teamId }, 'could not record the disconnect');
      }
    }
    // Then the thread's last responses (its final answer came after its last call) are charged:
    // the disconnect, the liveness signal the team relies on, never waits for the rollout.
    await this.meters.get(session)?.final(binding, session.codexThreadId);
    return binding;
  }

  /**
   * Kills the hooks still running (their process groups), stops the sweep, lets a sweep in
   * progress finish its transaction, and closes the store. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.hookRunner.stop();
      await this.stopSweeps();
      await this.store.close();
    })();
    return this.closing;
  }
}
