import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { toBase32, type AuditEvent, type IdGenerator } from '@codex-team/contracts';
import { openSqliteTeamStore } from './sqlite-team-store';

// Two processes change one team's mode at the same time; the result must be one consistent story.
// Workers run the built store (dist/).
const WORKER = join(__dirname, 'fixtures', 'mode-race-worker.cjs');
const BUILT_STORE = join(__dirname, '..', 'dist', 'index.js');
const PROCESSES = 2;
const CHANGES_EACH = 150;
const clock = { now: () => Date.now() };
const ids: IdGenerator = { next: (prefix) => `${prefix}_${toBase32(randomBytes(10))}` };

interface RaceOutcome {
  taken: number;
  events: AuditEvent[];
  storedMode: string;
}

async function race(dbPath: string, mode: 'store' | 'naive', changesEach: number): Promise<RaceOutcome> {
  const store = await openSqliteTeamStore({ path: dbPath, clock, ids });
  const bound = await store.createTeam({
    name: 'modes',
    objective: 'mode race',
    maxThreads: 6,
    profile: 'default',
    leadName: 'lead',
    resumeTicketHash: `resume-${toBase32(randomBytes(5))}`,
  });
  await store.close();
  const teamId = bound.team.id;
  let ready = 0;
  const children = Array.from({ length: PROCESSES }, (_, index) =>
    fork(WORKER, [dbPath, teamId, bound.agent.id, String(7919 * (index + 1)), String(changesEach), mode], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const results = await Promise.all(
    children.map(
      (child) =>
        new Promise<number>((resolve, reject) => {
          child.on('message', (raw: unknown) => {
            const message = raw as { type: string; taken?: number; message?: string };
            if (message.type === 'ready' && (ready += 1) === PROCESSES) for (const each of children) each.send('go');
            if (message.type === 'done') resolve(message.taken ?? 0);
            if (message.type === 'error') reject(new Error(message.message));
          });
        }),
    ),
  );
  const reader = await openSqliteTeamStore({ path: dbPath, clock, ids });
  const events = (await reader.listAuditEvents(teamId, { limit: 10_000 })).filter((event) => event.action === 'mode.set');
  await reader.close();
  const db = new Database(dbPath, { readonly: true });
  const storedMode = db.prepare('SELECT mode FROM teams WHERE id = ?').pluck().get(teamId) as string;
  db.close();
  return { taken: results.reduce((a, b) => a + b, 0), events, storedMode };
}

/** Places where the story breaks: an event whose "previous" is not what the event before left. */
function breaks(outcome: RaceOutcome): string[] {
  const found: string[] = [];
  let current = 'default';
  for (const event of outcome.events) {
    const previous = (event.data['previous'] as { current?: string } | undefined)?.current;
    const next = (event.data['team'] as { mode?: { current?: string } } | undefined)?.mode?.current;
    if (previous !== current) found.push(`seq ${event.seq}: says ${String(previous)} -> ${String(next)}, but the team was ${current}`);
    current = next ?? current;
  }
  if (current !== outcome.storedMode) found.push(`the trail ends in ${current}, the team is in ${outcome.storedMode}`);
  return found;
}

describe('mode changes from two processes at once', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(BUILT_STORE)) throw new Error(`build the store first: ${BUILT_STORE} is missing`);
    dir = mkdtempSync(join(tmpdir(), 'codex-team-mode-race-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('end in one consistent state: every change follows the one before, and the team is where the trail ends', async () => {
    const outcome = await race(join(dir, 'store.db'), 'store', CHANGES_EACH);
    expect(breaks(outcome)).toEqual([]);
    expect(outcome.events).toHaveLength(outcome.taken);
    // Both processes really changed the mode (each names itself in its reasons).
    expect(new Set(outcome.events.map((event) => /race (w\d+)/.exec(event.reason)?.[1])).size).toBe(PROCESSES);
    expect(outcome.taken).toBeGreaterThan(CHANGES_EACH / 2);
  }, 60_000);

  it('catches a change that reads the mode and writes it in separate steps', async () => {
    // More changes than the real run: a lost update needs the two processes to interleave.
    const outcome = await race(join(dir, 'naive.db'), 'naive', CHANGES_EACH * 4);
    const found = breaks(outcome);
    process.stderr.write(`naive mode race: ${found.length} breaks in ${outcome.events.length} changes\n`);
    expect(found.length).toBeGreaterThan(0);
  }, 60_000);
});
