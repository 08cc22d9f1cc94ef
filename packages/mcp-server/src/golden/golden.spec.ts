import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InProcessTeam } from '../testing/in-process-team';
import { BASELINE_FLOWS } from './baseline-flows';
import { conform } from './normalize';

/** Where the fixtures live; see its README for how to regenerate and review them. */
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'baseline');
/** Set by `npm run fixtures:update`: write the fixtures instead of checking them. */
const UPDATE = process.env['UPDATE_GOLDEN_FIXTURES'] === '1';

describe('baseline regression contract (golden fixtures)', () => {
  let team: InProcessTeam;
  beforeEach(async () => {
    team = await InProcessTeam.open();
  });
  afterEach(async () => {
    await team.close();
  });

  it('has one fixture per baseline flow and no stray fixture', () => {
    if (UPDATE) mkdirSync(FIXTURES, { recursive: true });
    const files = existsSync(FIXTURES) ? readdirSync(FIXTURES) : [];
    const fixtures = files.filter((file) => file.endsWith('.json')).sort();
    if (!UPDATE) expect(fixtures).toEqual(Object.keys(BASELINE_FLOWS).map((flow) => `${flow}.json`).sort());
  });

  it.each(Object.keys(BASELINE_FLOWS))('flow %s matches its fixture', async (flow) => {
    const run = BASELINE_FLOWS[flow];
    if (run === undefined) throw new Error(`no flow ${flow}`);
    const actual = await run(team);
    const file = join(FIXTURES, `${flow}.json`);
    if (UPDATE) {
      writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
      return;
    }
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run fixtures:update and review the new file`);
    const expected: unknown = JSON.parse(readFileSync(file, 'utf8'));
    expect(conform(expected, actual)).toEqual(expected);
  });
});
