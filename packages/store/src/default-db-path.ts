import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the store lives unless told otherwise: `$CODEX_TEAM_DB`, else `$CODEX_TEAM_HOME/team.db`,
 * else `~/.codex-team/team.db`. Takes the environment as an argument because Codex starts MCP
 * servers with a filtered one (see FACTS): callers pass what they were actually given.
 */
export function defaultDbPath(env: Readonly<Record<string, string | undefined>>, home: string = homedir()): string {
  const explicit = env['CODEX_TEAM_DB'];
  if (explicit !== undefined && explicit !== '') return explicit;
  const teamHome = env['CODEX_TEAM_HOME'];
  if (teamHome !== undefined && teamHome !== '') return join(teamHome, 'team.db');
  return join(home, '.codex-team', 'team.db');
}
