// Public API of @codex-team/mcp-server: almost none. It is the `codex-team-mcp` binary (src/bin.ts,
// bundled as dist/codex-team-mcp.cjs); its composition root createServer(deps), its harnesses
// (src/testing/) and its specs stay inside the package. Add an export here only when another
// package needs it.

/** Issues join and resume tickets as the server does; `codex-team run --resume` issues the lead's. */
export { TicketIssuer } from './runtime';
export type { IssuedTicket } from './runtime';
