import { CLAIM_LOST_AT_SQL, LATEST_RETIRES_SQL } from '../sqlite/rebalance-ops';
import { EVENTS_SINCE_SQL } from '../sqlite/recovery-ops';
import { ANY_CLAIMABLE_SQL, CLAIM_HOLD_SQL, FIRST_BY_PRIORITY, FIRST_ESTIMATED_LEAF, FIRST_UNESTIMATED_LEAF } from '../sqlite/scheduling-facts';

/**
 * The statements of the store's operations that PostgreSQL needs written differently than the
 * mechanical rules of pg-dialect give, keyed by their SQLite text, which the operation exports: SQL
 * stays in one place per engine rather than in branches inside the operations, and an edit of the
 * SQLite text moves the key with it (PostgreSQL's conformance run then shows a twin left behind).
 */
const WRITTEN: readonly (readonly [sqlite: string, postgres: string])[] = [
  // A subquery in FROM needs a name in PostgreSQL 15.
  [EVENTS_SINCE_SQL, 'SELECT COUNT(*) FROM (SELECT 1 FROM audit_events WHERE team_id = ? AND seq > ? LIMIT ?) AS recent'],
  // JSON fields: SQLite's json_extract is PostgreSQL's jsonb path operators (data is JSON text).
  [
    CLAIM_LOST_AT_SQL,
    `SELECT MAX(at) FROM audit_events
       WHERE team_id = ? AND action = 'task.recover' AND (data::jsonb -> 'taken_from' ->> 'agent_id') = ?`,
  ],
  [
    LATEST_RETIRES_SQL,
    `SELECT seq, (data::jsonb -> 'decision' ->> 'at_ms')::bigint AS at_ms, (data::jsonb -> 'decision' -> 'retire')::text AS retire
       FROM audit_events WHERE team_id = ? AND action = ? ORDER BY seq DESC LIMIT 1`,
  ],
];

/** Whitespace runs as one space: the key of a written-out statement. */
export function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export const PG_STATEMENTS: ReadonlyMap<string, string> = new Map(WRITTEN.map(([sqlite, postgres]) => [normalize(sqlite), postgres]));

/**
 * A claim's picks and its hold on the task it chose (scheduling-facts), keyed like PG_STATEMENTS:
 * PostgreSQL runs them as they translate, locking the task found and skipping tasks other claims
 * hold (SKIP_LOCKED), so claims side by side each find a task of their own and never wait for one
 * (PgTransactionRunner's claim lane).
 */
export const CLAIM_LOCKING: ReadonlySet<string> = new Set([FIRST_ESTIMATED_LEAF, FIRST_UNESTIMATED_LEAF, FIRST_BY_PRIORITY, CLAIM_HOLD_SQL].map(normalize));

/** The SQLite text of a claim's look for any claimable task at all (ANY_CLAIMABLE_SQL), keyed like PG_STATEMENTS. */
export const ANY_CLAIMABLE = normalize(ANY_CLAIMABLE_SQL);

/** What a claim's picks and hold end with on PostgreSQL. */
export const SKIP_LOCKED = ' FOR UPDATE OF t SKIP LOCKED';
