import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCliBin } from '../testing/codex-team-env';
import { HeadlessChromium, SCREENS_DIR, type BrowserPage } from '../testing/headless-chromium';
import { SEEDED_SECRET, seedEndedTeam, seedTeam } from '../testing/seed-team';

jest.setTimeout(120_000);


let dir: string;
let browser: HeadlessChromium;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-report-'));
  mkdirSync(SCREENS_DIR, { recursive: true });
  browser = HeadlessChromium.launch();
});
afterAll(async () => {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
});

function report(db: string, team: string, html: string): string {
  return execFileSync(process.execPath, [builtCliBin(), 'report', team, '--db', db, '--html', html], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir },
    encoding: 'utf8',
  });
}

/** What the browser drew, measured in the page. */
interface Drawn {
  nodes: number;
  bars: number;
  held: number;
  dagWidth: number;
  /** Task titles whose rendered text runs past its node's box. */
  cutTitles: string[];
  /** Lane labels that run into the plot. */
  cutLanes: string[];
  ticks: string[];
  lanes: string[];
}

const MEASURE = `(() => {
  const dag = document.getElementById('dag-svg');
  const cutTitles = [...dag.querySelectorAll('g.task')].flatMap((g) => {
    const box = g.querySelector('rect').getBBox();
    return [...g.querySelectorAll('text.task-title')].filter((t) => t.getBBox().x + t.getComputedTextLength() > box.width + 0.5).map((t) => t.textContent);
  });
  const axis = document.querySelector('#timeline-svg line.axis').x1.baseVal.value;
  const lanes = [...document.querySelectorAll('#timeline-svg text.lane')];
  return {
    nodes: dag.querySelectorAll('g.task').length,
    bars: document.querySelectorAll('#timeline-svg rect.work').length,
    held: document.querySelectorAll('#timeline-svg rect.held').length,
    dagWidth: Math.round(dag.getBBox().width),
    cutTitles,
    cutLanes: lanes.filter((t) => t.getBBox().x + t.getComputedTextLength() > axis).map((t) => t.textContent),
    ticks: [...document.querySelectorAll('#timeline-svg text.tick-label')].map((t) => t.textContent),
    lanes: lanes.map((t) => t.textContent),
  };
})()`;

async function open(html: string): Promise<BrowserPage> {
  const page = await browser.newPage(1400, 900);
  await page.navigate(`file://${html}`);
  return page;
}

describe('codex-team report (built binary, headless chromium)', () => {
  it('writes a page that renders cleanly: every task in the DAG, the timelines, full labels, no console error', async () => {
    const db = join(dir, 'team.db');
    const html = join(dir, 'report.html');
    const seeded = await seedTeam(db);
    expect(report(db, seeded.teamName, html)).toBe(`wrote ${html} (5 tasks, 3 agents)\n`);
    const page = await open(html);
    const drawn = await page.evaluate<Drawn>(MEASURE);
    expect(drawn).toMatchObject({ nodes: 5, bars: 4, cutTitles: [], cutLanes: [] });
    expect(drawn.dagWidth).toBeGreaterThan(400);
    expect(drawn.lanes[0]).toBe('lead (lead)');
    expect(drawn.ticks[0]).toBe('0 ms');
    expect(drawn.ticks.length).toBeGreaterThanOrEqual(3);
    const text = await page.evaluate<string>('document.body.innerText');
    for (const title of seeded.titles) expect(text).toContain(title);
    expect(text).not.toContain(SEEDED_SECRET);
    expect(text).toContain('active; not ready to finalize');
    expect(page.problems).toEqual([]);
    expect(await page.screenshot(join(SCREENS_DIR, 'report-active.png'))).toBeGreaterThan(10_000);
  });

  it("draws a killed agent's claim as a short bar then a hatched hold until recovery, and a finalized team as finalized", async () => {
    const db = join(dir, 'ended.db');
    const html = join(dir, 'ended.html');
    const seeded = await seedEndedTeam(db);
    report(db, seeded.teamName, html);
    const page = await open(html);
    const drawn = await page.evaluate<Drawn>(MEASURE);
    expect(drawn).toMatchObject({ nodes: 3, held: 1, cutTitles: [], cutLanes: [] });
    // bob's bar: worked about 0 s of the 70 s his claim was held after he was gone.
    const bob = await page.evaluate<{ worked: number; held: number }>(`(() => {
      const lane = [...document.querySelectorAll('#timeline-svg text.lane')].find((t) => t.textContent === 'bob (implementer)');
      const y = lane.getBBox().y;
      const inLane = (r) => Math.abs(r.getBBox().y - y) < 12;
      return {
        worked: [...document.querySelectorAll('#timeline-svg rect.work')].filter(inLane).reduce((w, r) => w + r.getBBox().width, 0),
        held: [...document.querySelectorAll('#timeline-svg rect.held')].filter(inLane).reduce((w, r) => w + r.getBBox().width, 0),
      };
    })()`);
    expect(bob.held).toBeGreaterThan(bob.worked * 10);
    const text = await page.evaluate<string>('document.body.innerText');
    expect(text).toMatch(/finalized at \S+ with every task done/);
    expect(text).not.toMatch(/ready to finalize/i);
    for (const heading of ['Messages', 'Artifacts', 'Connections and recovery']) expect(text).toContain(heading);
    expect(text).toContain('parser.md');
    expect(page.problems).toEqual([]);
    expect(await page.screenshot(join(SCREENS_DIR, 'report-finished.png'))).toBeGreaterThan(10_000);
  });
});
