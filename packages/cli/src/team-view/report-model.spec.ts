import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBuffered } from '../testing/buffered-io';
import { seedEndedTeam, seedTeam, type SeededEndedTeam } from '../testing/seed-team';
import type { ReportModel } from './report-model';
import { timeTicks } from './time-axis';

let dir: string;
let db: string;
let ended: SeededEndedTeam;
let started: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-report-model-'));
  db = join(dir, 'team.db');
  ended = await seedEndedTeam(db);
  await seedTeam(join(dir, 'active.db'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: string[]) => runBuffered(argv, dir);

async function model(store = db): Promise<ReportModel> {
  const { code, out, err } = await run(['report', '--db', store, '--json']);
  expect(err).toBe('');
  expect(code).toBe(0);
  const parsed = JSON.parse(out) as ReportModel;
  started = Date.parse(parsed.team.created_at);
  return parsed;
}

const offset = (iso: string | null): number => (iso === null ? Number.NaN : Date.parse(iso) - started);

describe('codex-team report tells the truth', () => {
  it('says a finalized team is finalized, and never that it is ready to finalize', async () => {
    const report = await model();
    expect(report.state_line).toBe(`finalized at ${report.team.finalized_at ?? ''} with every task done`);
    expect(report.summary.ready_to_finalize).toBeNull();
    const { out } = await run(['report', '--db', db, '--html', 'ended.html']);
    expect(out).toBe(`wrote ${join(dir, 'ended.html')} (3 tasks, 5 agents)\n`);
    const html = readFileSync(join(dir, 'ended.html'), 'utf8');
    expect(html).not.toMatch(/ready to finalize/i);
    expect(html).toContain('<strong>finalized at ');
    // An active team still gets its verdict.
    const active = await model(join(dir, 'active.db'));
    expect(active.state_line).toMatch(/^active; not ready to finalize: /);
    expect(active.summary.ready_to_finalize).toMatchObject({ ready: false });
  });

  it("ends an agent's presence when it disconnected or was last seen before recovery found it lost", async () => {
    const report = await model();
    const agent = (id: string) => report.agents.find((a) => a.agent_id === id);
    expect(agent(ended.agents.ann)?.presence.map((span) => [span.ended_by, offset(span.to)])).toEqual([['disconnected', ended.at.annDisconnected]]);
    const bob = agent(ended.agents.bob)?.presence ?? [];
    expect(bob.map((span) => span.ended_by)).toEqual(['lost']);
    expect(offset(bob[0]?.to ?? null)).toBeLessThanOrEqual(ended.at.bobLastSeen);
    // The lead has a row, first.
    expect(report.agents[0]).toMatchObject({ agent_id: ended.agents.lead, is_lead: true });
  });

  it("draws a killed agent's claim as worked only until it was last seen, then held until recovery took it back", async () => {
    const report = await model();
    const bars = report.work.filter((bar) => bar.agent_id === ended.agents.bob);
    expect(bars).toHaveLength(1);
    const [bar] = bars;
    expect(bar?.outcome).toBe('recovered');
    expect(offset(bar?.to ?? null)).toBe(ended.at.recovered);
    expect(offset(bar?.worked_until ?? null)).toBeLessThanOrEqual(ended.at.bobLastSeen);
    expect(report.agents.find((a) => a.agent_id === ended.agents.bob)?.busy_ms).toBeLessThanOrEqual(ended.at.bobLastSeen);
    // Nobody's bar runs past the end of the run.
    for (const work of report.work) expect(Date.parse(work.to)).toBeLessThanOrEqual(Date.parse(report.window.to));
  });

  it('shows messages, artifacts and recovery events by name', async () => {
    const report = await model();
    expect(report.messages.map((m) => [m.from, m.to, m.artifacts])).toEqual([
      ['ann', 'lead', ['parser.md v1']],
      ['codex-team', 'lead', []],
      ['lead', 'everyone', []],
    ]);
    expect(report.artifacts.map((a) => [a.name, a.version, a.published_by])).toEqual([['parser.md', 1, 'ann']]);
    const actions = report.connections.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['agent.join', 'agent.disconnect', 'agent.lost', 'task.recover']));
    const lost = report.connections.find((e) => e.action === 'agent.lost');
    expect(lost?.what).toMatch(/^bob was last heard from \d+ ms ago/);
    expect(report.connections.find((e) => e.action === 'task.recover')?.what).toMatch(/^"Build the CLI /);
  });

  it('draws a time axis, a lead row and every label in full, without a debug line', async () => {
    await run(['report', '--db', db, '--html', 'axis.html']);
    const html = readFileSync(join(dir, 'axis.html'), 'utf8');
    const labels = [...html.matchAll(/<text class="tick-label"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(labels.slice(0, 3)).toEqual(['0 ms', '15.0 s', '30.0 s']);
    expect(html).toContain('>lead (lead)</text>');
    // Each DAG node's title lines, put back together, are the whole title.
    const nodes = [...html.matchAll(/<g class="task"[^>]*>(.*?)<\/g>/g)].map((m) =>
      [...(m[1] ?? '').matchAll(/<text [^>]*class="task-title">([^<]*)<\/text>/g)].map((t) => t[1]).join(' '),
    );
    expect(nodes).toContain('Test everything end to end with a long title that must not be cut');
    expect(nodes).toContain('Build the parser');
    for (const section of ['Messages', 'Artifacts', 'Connections and recovery', 'Timeline', 'Task DAG']) expect(html).toContain(`<h2>${section}</h2>`);
    expect(html).not.toMatch(/render-check|rendered by a browser/);
  });
});

describe('timeTicks', () => {
  it('picks round steps giving at most ten intervals', () => {
    expect(timeTicks(126_000)).toEqual([0, 15_000, 30_000, 45_000, 60_000, 75_000, 90_000, 105_000, 120_000]);
    expect(timeTicks(4_300)).toEqual([0, 500, 1_000, 1_500, 2_000, 2_500, 3_000, 3_500, 4_000]);
    expect(timeTicks(0)).toEqual([0]);
  });
});
