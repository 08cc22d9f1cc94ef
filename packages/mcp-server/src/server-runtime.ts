import { RandomIdGenerator, systemClock, type TeamId } from '@codex-team/contracts';
import type { PermissionPolicy, ProfileCatalog } from '@codex-team/policy-engine';
import { RecoverySweeper, recoveryPolicy, type RecoveryPolicy } from '@codex-team/recovery';
import { openSqliteTeamStore, type SessionBinding, type TeamStore } from '@codex-team/store';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from 'pino';
import { createServer } from './create-server';
import { IDLE_SWEEP_INTERVAL_MS, IdleSweeper } from './idle-sweeper';
import { TicketIssuer } from './runtime';
import { loadServerPolicy } from './server-policy';
import type { Session } from './session';

/** What a server process (stdio or HTTP) opens once, whatever number of sessions it serves. */
export interface ServerRuntimeOptions {
  /** The SQLite store file shared by every server process of the machine. */
  dbPath: string;
  /** The user's own profile directory, beside the built-in profiles; a missing one is fine. */
  profilesDir?: string;
  /** Overrides every profile's lease length, in milliseconds. @default the team profile's */
  leaseMs?: number;
  /** How often the teams of the process's bound sessions are swept for idleness. @default IDLE_SWEEP_INTERVAL_MS */
  idleSweepMs?: number;
  /** Heartbeat and recovery numbers; `sweepEveryMs` times this process's recovery sweeps. @default recoveryPolicy({ leaseMs }) */
  recovery?: RecoveryPolicy;
  /** @default the shipped profiles/permissions/default.yaml */
  permissions?: PermissionPolicy;
  logger: Logger;
}

/**
 * The store, profiles and sweeps of one server process, shared by its sessions. Each session gets
 * a fresh `createServer` with its own `Session`; when a session ends, `endSession` records the
 * bound agent's disconnect: the one path every transport takes (stdin closing, a signal, an HTTP
 * DELETE, an HTTP session's idle expiry).
 */
export class ServerRuntime {
  readonly store: TeamStore;
  readonly profiles: ProfileCatalog;
  readonly recovery: RecoveryPolicy;
  private readonly ids = new RandomIdGenerator();
  private readonly tickets = new TicketIssuer();
  private readonly recoverySweeper: RecoverySweeper;
  private readonly idleSweeper: IdleSweeper;
  private readonly recoveryTimer: NodeJS.Timeout | null;
  private readonly options: ServerRuntimeOptions;
  private closing: Promise<void> | null = null;

  private constructor(options: ServerRuntimeOptions, store: TeamStore, profiles: ProfileCatalog, teams: () => readonly TeamId[]) {
    this.options = options;
    this.store = store;
    this.profiles = profiles;
    this.recovery = options.recovery ?? recoveryPolicy({ leaseMs: options.leaseMs });
    this.recoverySweeper = new RecoverySweeper(store, this.recovery, options.logger, () => profiles.recoveryFacts());
    // Each process sweeps the teams its sessions speak for; every team with a live agent is swept.
    this.idleSweeper = new IdleSweeper(store, options.logger, teams);
    this.idleSweeper.start(options.idleSweepMs ?? IDLE_SWEEP_INTERVAL_MS);
    // Every server process also runs recovery sweeps of the whole store (bound or not), so a crashed
    // team's claims come back while any agent of the machine runs. The timer never keeps the
    // process alive and stops with the runtime.
    this.recoveryTimer =
      this.recovery.sweepEveryMs > 0 ? setInterval(() => void this.recoverySweeper.tick(), this.recovery.sweepEveryMs).unref() : null;
  }

  /**
   * Opens the store and starts the sweeps. `teams` names the teams to sweep for idleness now (the
   * teams the process's bound sessions speak for). Throws (before anything is served) when the
   * store cannot be opened, e.g. TeamError SCHEMA_MISMATCH.
   */
  static async open(options: ServerRuntimeOptions, teams: () => readonly TeamId[]): Promise<ServerRuntime> {
    const { profiles, policy } = loadServerPolicy(options.profilesDir, options.logger);
    const store = await openSqliteTeamStore({ path: options.dbPath, clock: systemClock, ids: new RandomIdGenerator(), policy });
    return new ServerRuntime(options, store, profiles, teams);
  }

  /** A fresh MCP server for one session, over the process's store and sweeps. */
  createSessionServer(session: Session): Server {
    const { options } = this;
    return createServer({
      store: this.store,
      profiles: this.profiles,
      clock: systemClock,
      ids: this.ids,
      tickets: this.tickets,
      logger: options.logger,
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
      recovery: this.recovery,
      sweeper: this.recoverySweeper,
      session,
      ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
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
    return binding;
  }

  /** Stops the sweeps, lets a sweep in progress finish its transaction, and closes the store. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.recoveryTimer !== null) clearInterval(this.recoveryTimer);
      await this.idleSweeper.stop();
      await this.recoverySweeper.settled();
      await this.store.close();
    })();
    return this.closing;
  }
}
