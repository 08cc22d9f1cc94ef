// Public API of @codex-team/mcp-server: none. It is the `codex-team-mcp` binary (src/bin.ts, bundled
// as dist/codex-team-mcp.cjs); no package imports it, and its composition root createServer(deps),
// its harnesses (src/testing/) and its specs stay inside the package. Add an export here only when
// another package needs it.
export {};
