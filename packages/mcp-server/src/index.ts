// Public API of @codex-team/mcp-server.
export { createServer } from './create-server';
export type { ServerDeps } from './create-server';
export { Session } from './session';
export { TicketIssuer, hashTicket } from './runtime';
export type { IssuedTicket, TicketKind } from './runtime';
export { createLogger, loggerOptions, LOG_LEVELS } from './logger';
export { ProfilePolicy } from './profile-policy';
export { loadServerPolicy } from './server-policy';
export type { ServerPolicy } from './server-policy';
export { IdleSweeper, IDLE_SWEEP_INTERVAL_MS } from './idle-sweeper';
export type { LogLevel } from './logger';
export { runStdioServer, MAX_REQUEST_BYTES } from './stdio-server';
export type { StdioServerOptions, RunningStdioServer } from './stdio-server';
export { parseServerArgs, serverArgsFromValues, ServerArgsError, SERVER_USAGE, SERVER_OPTIONS } from './server-args';
export type { ServerArgs, ServerOptionValues } from './server-args';
export { runHttpServer, MCP_HTTP_PATH, DEFAULT_MAX_HTTP_SESSIONS, DEFAULT_HTTP_IDLE_MS } from './http-server';
export type { HttpServerOptions, RunningHttpServer } from './http-server';
export { parseListenAddress, isLoopbackHost, generateBearerToken, DEFAULT_HTTP_PORT, MIN_BEARER_TOKEN_LENGTH } from './http-guards';
export type { ListenAddress } from './http-guards';
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
export { mcpServerModuleDir } from './module-dir';
