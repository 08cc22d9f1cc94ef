import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { GateDecision } from './gate-decision';
import type { ScenarioOutcome } from './gate-measures';
import { builtCliBin } from '../testing/codex-team-env';

// The gate's own test: the built `npm run gates` binary, against the committed gates/baseline.json,
// with real servers into which a deliberate fault is injected (CODEX_TEAM_TEST_FAULTS, never set
// outside tests). A costlier build (every answer padded with 2 KB) and a worse one (the quality
// hook's block not enforced) each fail the gate by the rule that should catch them; the same
// scenarios without a fault pass, so the gate is not failing everything.

jest.setTimeout(240_000);

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const GATES = join(builtCliBin(), '..', 'gates', 'gates-main.js');

interface GateRun {
  status: number | null;
  stdout: string;
  report: { outcomes: ScenarioOutcome[]; decision: GateDecision };
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gates-test-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gates(only: string, faults?: string): GateRun {
  const json = join(dir, `${only}-${faults ?? 'none'}.json`);
  const result = spawnSync(process.execPath, [GATES, '--root', ROOT, '--only', only, '--json', json, ...(faults === undefined ? [] : ['--faults', faults])], {
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, report: JSON.parse(readFileSync(json, 'utf8')) as GateRun['report'] };
}

describe('npm run gates, against the committed baseline', () => {
  it('passes the clean run and the hook scenario as built', () => {
    const run = gates('clean-run,hook-evidence');
    expect(run.report.decision).toMatchObject({ verdict: 'pass', rule: 'gate.pass' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('gate: PASS by rule gate.pass');
  });

  it('fails a build that pads every answer with 2 KB, by the cost tolerance on bytes read and tokens', () => {
    const run = gates('clean-run', 'pad-answers=2048');
    expect(run.status).toBe(1);
    expect(run.report.decision).toMatchObject({ verdict: 'fail', rule: 'cost.tolerance' });
    const failed = run.report.decision.findings.filter((finding) => finding.failed).map((finding) => finding.measure);
    expect(failed).toEqual(expect.arrayContaining(['bytes_read', 'model_tokens']));
    // Quality is untouched: only cost catches it.
    expect(Object.values(run.report.outcomes[0]?.measures.quality.checks ?? {}).every(Boolean)).toBe(true);
    expect(run.stdout).toMatch(/gate: FAIL by rule cost\.tolerance: clean-run: /);
  });

  it("fails a build whose quality hook no longer blocks, by a quality check, however cheap it is", () => {
    const run = gates('hook-evidence', 'ignore-hook-blocks');
    expect(run.status).toBe(1);
    expect(run.report.decision).toMatchObject({ verdict: 'fail', rule: 'quality.check' });
    const checks = run.report.outcomes[0]?.measures.quality.checks ?? {};
    expect(checks['expect.bare_completion_blocked']).toBe(false);
    expect(checks['errors.as_scripted']).toBe(false);
    expect(run.report.outcomes[0]?.measures.quality.tasks_done_with_evidence).toBe(0);
    expect(run.report.decision.findings.some((finding) => finding.rule === 'quality.dropped' && finding.failed)).toBe(true);
  });
});
