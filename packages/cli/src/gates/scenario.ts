import type { ScenarioOutcome } from './gate-measures';

/** What every scenario may use while it runs. */
export interface ScenarioContext {
  /** Test-only faults for the servers the scenario starts (CODEX_TEAM_TEST_FAULTS), e.g. in the gate's own test. */
  faults: string | undefined;
  /** Progress lines for the operator; not part of the measures. */
  progress(line: string): void;
}

/**
 * One scenario of `npm run gates`: a scripted team run that measures quality and cost. Each lives
 * in its own file under gates/scenarios/ and is listed in gates/scenarios/index.ts, whatever drives
 * it: a real `codex exec` with a scripted model (codex-scenario.ts), the managed runtime or the
 * scheduling simulator (each a file of its own exporting a Scenario).
 */
export interface Scenario {
  name: string;
  /** One line for the printout. */
  summary: string;
  /** The gate profile (gates/profiles.json) whose tolerances its cost measures are held to. */
  profile: string;
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}
