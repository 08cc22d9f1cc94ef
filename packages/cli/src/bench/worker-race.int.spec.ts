import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raceWorkers } from './worker-race';

jest.setTimeout(120_000);

/** The claim benchmark's worker as built (run `nx run cli:build` first). */
const WORKER = join(__dirname, '..', '..', 'dist', 'bench', 'claim-worker.js');
/** Raw transactions enough to keep a worker busy for many minutes, unless it is stopped. */
const FOREVER = '50000000';

/** Pids of live processes whose command line mentions `marker` (our temporary directory). */
function processesMentioning(marker: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(marker) && !/^\s*\d+\s+Z/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

async function noneLeft(marker: string): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  let left = processesMentioning(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = processesMentioning(marker);
  }
  return left;
}

describe('a bench race with a failing worker (built claim worker)', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: build the cli first`);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-race-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ends at once with the error of a worker that fails before the start, and stops the others', async () => {
    const ok = join(dir, 'raw.db');
    const race = raceWorkers(WORKER, [
      ['raw', ok, 'w0', FOREVER],
      ['raw', join(dir, 'missing', 'dir', 'raw.db'), 'w1', '10'],
      ['raw', ok, 'w2', FOREVER],
    ]);
    await expect(race).rejects.toThrow(/bench worker 1 failed: .*directory does not exist/);
    expect(await noneLeft(dir)).toEqual([]);
  });

  it('ends at once with the error of a worker that fails after the start, and stops the running ones', async () => {
    const started = Date.now();
    const race = raceWorkers(WORKER, [
      ['raw', join(dir, 'raw.db'), 'w0', FOREVER],
      ['store', join(dir, 'store.db'), 'tm_nosuchteam00000000', 'ag_nosuchagent0000000'],
      ['raw', join(dir, 'raw.db'), 'w2', FOREVER],
    ]);
    await expect(race).rejects.toThrow(/bench worker 1 failed: TeamError: NOT_BOUND/);
    expect(await noneLeft(dir)).toEqual([]);
    // The raw workers had tens of millions of commits ahead of them: they were stopped, not waited for.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('collects every result when no worker fails', async () => {
    const results = await raceWorkers<{ pairs: number }>(WORKER, [
      ['raw', join(dir, 'raw.db'), 'w0', '20'],
      ['raw', join(dir, 'raw.db'), 'w1', '20'],
    ]);
    expect(results.map((result) => result.pairs)).toEqual([10, 10]);
  });
});
