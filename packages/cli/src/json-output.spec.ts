import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBuffered } from './testing/buffered-io';
import { nonSnakeKeys } from './testing/json-keys';
import { seedEndedTeam } from './testing/seed-team';

let dir: string;
let db: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-json-'));
  db = join(dir, 'team.db');
  await seedEndedTeam(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JSON output', () => {
  it.each([
    ['status', ['status']],
    ['tasks', ['tasks']],
    ['watch', ['watch', '--once']],
    ['replay', ['replay']],
    ['replay --verify', ['replay', '--verify']],
    ['replay --decisions', ['replay', '--decisions']],
    ['report', ['report']],
    ['recover', ['recover']],
    ['doctor', ['doctor', '--codex-home', '/nonexistent/codex-home']],
  ])('%s --json has snake_case keys only', async (_label, argv) => {
    const { out, err } = await runBuffered([...argv, '--db', db, '--json'], dir);
    expect(err).toBe('');
    expect(nonSnakeKeys(JSON.parse(out))).toEqual([]);
  });
});
