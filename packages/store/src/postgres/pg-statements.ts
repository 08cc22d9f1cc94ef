/**
 * The statements of the store's operations that PostgreSQL needs written differently than the
 * mechanical rules of pg-dialect give, keyed by their SQLite text (whitespace aside): SQL stays
 * in one place per engine rather than in branches inside the operations. Keep each pair together.
 */
const WRITTEN: readonly (readonly [sqlite: string, postgres: string])[] = [
  // A subquery in FROM needs a name in PostgreSQL 15.
  [
    'SELECT COUNT(*) FROM (SELECT 1 FROM audit_events WHERE team_id = ? AND seq > ? LIMIT ?)',
    'SELECT COUNT(*) FROM (SELECT 1 FROM audit_events WHERE team_id = ? AND seq > ? LIMIT ?) AS recent',
  ],
  // JSON fields: SQLite's json_extract is PostgreSQL's jsonb path operators (data is JSON text).
  [
    `SELECT MAX(at) FROM audit_events
       WHERE team_id = ? AND action = 'task.recover' AND json_extract(data, '$.taken_from.agent_id') = ?`,
    `SELECT MAX(at) FROM audit_events
       WHERE team_id = ? AND action = 'task.recover' AND (data::jsonb -> 'taken_from' ->> 'agent_id') = ?`,
  ],
];

/** Whitespace runs as one space: the key of a written-out statement. */
export function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export const PG_STATEMENTS: ReadonlyMap<string, string> = new Map(WRITTEN.map(([sqlite, postgres]) => [normalize(sqlite), postgres]));
