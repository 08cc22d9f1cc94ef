/**
 * The folder of this package's running code (`src/` under ts-jest, `dist/` when built): the CLI
 * finds the package, and the `codex-team-mcp` binary it registers with Codex, from here.
 */
export function mcpServerModuleDir(): string {
  return __dirname;
}
