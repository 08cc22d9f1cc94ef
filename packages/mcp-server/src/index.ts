// Public API of @codex-team/mcp-server.
export { createServer } from './create-server';
export type { ServerDeps } from './create-server';
export { Session } from './session';
export { TicketIssuer, hashTicket } from './runtime';
export type { IssuedTicket, TicketKind } from './runtime';
export { createLogger, loggerOptions, LOG_LEVELS } from './logger';
export type { LogLevel } from './logger';
export { runStdioServer, MAX_REQUEST_BYTES } from './stdio-server';
export type { StdioServerOptions, RunningStdioServer } from './stdio-server';
export { parseServerArgs, ServerArgsError, SERVER_USAGE } from './server-args';
export type { ServerArgs } from './server-args';
export { spawnInstruction } from './tools/team-spawn';
export { shippedPermissionPolicy } from './shipped-permissions';
export { AUTHORIZATION_STEPS, identityStep, inputStep, scopeStep, permissionStep, authorize } from './authorize';
export type {
  AuthorizationStep,
  AuthorizationEnv,
  AuthorizationOutcome,
  CallUnderAuthorization,
  StepVerdict,
} from './authorize';
