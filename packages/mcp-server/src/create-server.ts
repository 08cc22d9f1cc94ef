import type { TicketIssuer } from '@codex-team/contracts';
import type { Clock, IdGenerator } from '@codex-team/contracts';
import { startedFromDir, type StartedFrom } from './started-from';
import type { CodexThreadCap, PermissionPolicy, ProfileCatalog } from '@codex-team/policy-engine';
import { RecoverySweeper, recoveryPolicy, type RecoveryPolicy } from '@codex-team/recovery';
import type { TeamStore } from '@codex-team/store';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Logger } from 'pino';
import { HookEngine, HookRegistry, type HookCommandRunner, type HookFileSource } from '@codex-team/hooks';
import type { AuthorizationStep } from './authorize';
import type { InjectedFaults } from './injected-faults';
import { createHookGate } from './hooks/hook-gate';
import { ProcessHookRunner } from './hooks/process-hook-runner';
import { codexThreadOf } from './codex-thread';
import type { RolloutMeter } from './usage/rollout-meter';
import { PolicyEnv } from './policy-env';
import { SecretGuard } from './secret-guard';
import { Session } from './session';
import { shippedPermissionPolicy } from './shipped-permissions';
import { ToolRegistry } from './tool-registry';
import { registerAllTools } from './tools';

/** Everything one MCP session's server needs; `createServer` is the only place that wires it. */
export interface ServerDeps {
  /**
   * The working directory and git repository teams started through this server record (Codex
   * starts a stdio server in the directory it runs in). @default startedFromDir(process.cwd())
   */
  startedFrom?: StartedFrom;
  /**
   * The store; open it with `profiles` (the same catalog) and `logger`, so the rules it applies
   * inside its transactions follow the same profiles as the handlers and are logged with them.
   */
  store: TeamStore;
  /** The policy profiles: the built-in `profiles/` plus the user's directory. */
  profiles: ProfileCatalog;
  /** Times calls for the log; the store keeps its own clock for what it records. */
  clock: Clock;
  /** Id source of the process, shared with the store that makes entity ids. */
  ids: IdGenerator;
  tickets: TicketIssuer;
  /** JSON logger; in stdio mode it must write to stderr, as stdout is the protocol. */
  logger: Logger;
  /**
   * When set (`--lease-ms`), every claim made through this server stays valid this long without
   * renewal, whatever the team's profile says. @default the team profile's lease.length_ms
   */
  leaseMs?: number;
  /** Heartbeat and recovery numbers. @default recoveryPolicy({ leaseMs }) */
  recovery?: RecoveryPolicy;
  /**
   * The process's recovery sweeps, shared by its sessions and its sweep timer.
   * @default a RecoverySweeper of this server's store and recovery policy
   */
  sweeper?: RecoverySweeper;
  /**
   * Who may do what; every bound call is checked against it.
   * @default the shipped profiles/permissions/default.yaml
   */
  permissions?: PermissionPolicy;
  /**
   * The authorization steps every call runs before its handler, in order. Only tests replace them,
   * to show what a server without one of them would let through.
   * @default AUTHORIZATION_STEPS
   */
  authorizationSteps?: readonly AuthorizationStep[];
  /**
   * Codex's own thread cap, as `codex-team install` read it from the user's Codex config; spawn
   * hints never exceed it. Open the store with the same `codexThreadCap`, which enforces it.
   * @default unknown: the profile's cap alone
   */
  codexThreadCap?: CodexThreadCap;
  /** The key Codex registered this server under; instructions name `mcp__<key>`. @default 'team' */
  codexServerKey?: string;
  /** @default 'codex-team' */
  serverName?: string;
  /** @default '0.1.0' */
  serverVersion?: string;
  /**
   * This session's identity. Pass one to read the binding after the session ends (the binary
   * records the agent's disconnect with it). @default a fresh, unbound Session
   */
  session?: Session;
  /** The server's hooks file (`--hooks FILE`), whose hooks apply to every team. @default none: profile hooks only */
  hooksFile?: HookFileSource;
  /** Runs command hooks. @default a ProcessHookRunner of this server */
  hookRunner?: HookCommandRunner;
  /**
   * Measures the session's token usage from its Codex thread's rollout after each call.
   * @default none: usage is only what agents report
   */
  usageMeter?: RolloutMeter;
  /**
   * Deliberate faults, set only by a test of the quality gates (CODEX_TEAM_TEST_FAULTS) to show the
   * gates catch a costlier or a worse build. @default none
   */
  faults?: InjectedFaults;
}

/**
 * tools/call with its arguments left exactly as JSON parsing made them. The SDK's own
 * CallToolRequestSchema rebuilds them as a record and silently drops an own `__proto__` key; the
 * input normaliser (input-normaliser.ts) must see it to refuse it. The SDK still checks the request
 * against its schema before the handler runs.
 */
const RawCallToolRequestSchema = z.object({
  method: z.literal('tools/call'),
  params: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }),
});

/**
 * A fresh MCP server for one session (stdio process or HTTP session) with every team_* tool.
 * Uses the SDK's low-level Server so that validation and error codes stay ours: tools/call runs
 * the authorization steps (identity, arguments, scope, permission) before any handler and answers
 * every failure as an `isError` result carrying `{"error":{code,message,details}}` as text.
 */
export function createServer(deps: ServerDeps): Server {
  const session = deps.session ?? new Session();
  const { permissions } = deps;
  const policy = new PolicyEnv(deps.profiles, deps.leaseMs, deps.codexThreadCap, deps.codexServerKey);
  const recovery = deps.recovery ?? recoveryPolicy({ leaseMs: deps.leaseMs });
  const sweeper = deps.sweeper ?? new RecoverySweeper(deps.store, recovery, deps.logger);
  // Only team_start reads it, and most sessions (every teammate's) never call it: found on first use.
  let startedFrom = deps.startedFrom;
  const registry = new ToolRegistry({
    env: {
      store: deps.store,
      tickets: deps.tickets,
      policy,
      guard: new SecretGuard(policy, deps.logger),
      session,
      clock: deps.clock,
      logger: deps.logger,
      recovery,
      sweeper,
      startedFrom: () => (startedFrom ??= startedFromDir(process.cwd())),
      hooks: createHookGate({
        registry: new HookRegistry(deps.hooksFile ?? null),
        engine: new HookEngine({ runner: deps.hookRunner ?? new ProcessHookRunner(), cwd: process.cwd() }),
        store: deps.store,
        policy,
        logger: deps.logger,
        ignoreBlocks: deps.faults?.ignoreHookBlocks === true,
      }),
    },
    logger: deps.logger,
    clock: deps.clock,
    permissions: permissions === undefined ? shippedPermissionPolicy : () => permissions,
    ...(deps.authorizationSteps === undefined ? {} : { steps: deps.authorizationSteps }),
    ...(deps.faults === undefined ? {} : { faults: deps.faults }),
  });
  registerAllTools(registry);
  const server = new Server(
    { name: deps.serverName ?? 'codex-team', version: deps.serverVersion ?? '0.1.0' },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: registry.listTools() }));
  server.setRequestHandler(RawCallToolRequestSchema, async (request) => {
    session.noteCodexThread(codexThreadOf(request.params['_meta']));
    const result = await registry.call(request.params.name, request.params.arguments);
    // The thread's tokens so far, read from its Codex rollout after the answer is made (never delaying it).
    deps.usageMeter?.afterCall(session.binding, session.codexThreadId, deps.clock.now());
    return result;
  });
  return server;
}
