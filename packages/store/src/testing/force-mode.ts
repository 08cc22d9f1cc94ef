import Database from 'better-sqlite3';
import type { TeamMode } from '@codex-team/contracts';

/**
 * Puts a team straight into `mode` (lasting, set by the lead), past the transition table and every
 * gate: test matrices use it to set up a cell in one mode and call in another. Never a way for
 * production code to change a mode: use TeamStore.setMode.
 */
export function forceTeamMode(path: string, teamId: string, mode: TeamMode, reason: string): void {
  const db = new Database(path, { fileMustExist: true, timeout: 5_000 });
  try {
    db.prepare(
      `UPDATE teams SET mode = ?, mode_set_by = lead_agent_id, mode_reason = ?, mode_set_at = ?, mode_expires_at = NULL,
         mode_returns_to = NULL WHERE id = ?`,
    ).run(mode, reason, Date.now(), teamId);
  } finally {
    db.close();
  }
}
