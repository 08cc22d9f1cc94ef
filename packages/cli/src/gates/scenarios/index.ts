import type { Scenario } from '../scenario';
import { cleanRunScenario } from './clean-run';

/**
 * Every scenario of `npm run gates`, in the order they run. To add one (a real-Codex script, a
 * managed-runtime run or a simulator case), write `scenarios/<name>.ts` exporting a Scenario and
 * list it here.
 */
export const SCENARIOS: readonly Scenario[] = [cleanRunScenario];
