import type { Scenario } from '../scenario';
import { budgetExhaustedScenario } from './budget-exhausted';
import { childTeamScenario } from './child-team';
import { cleanRunScenario } from './clean-run';
import { hookEvidenceScenario } from './hook-evidence';
import { impersonationScenario } from './impersonation';
import { killedTeammateScenario } from './killed-teammate';
import { managedRunScenario } from './managed-run';
import { planApprovalScenario } from './plan-approval';
import { schedulingSimScenario } from './scheduling-sim';
import { stalledHolderScenario } from './stalled-holder';

/**
 * Every scenario of `npm run gates`, in the order they run. To add one (a real-Codex script, a
 * managed-runtime run or a simulator case), write `scenarios/<name>.ts` exporting a Scenario and
 * list it here.
 */
export const SCENARIOS: readonly Scenario[] = [
  cleanRunScenario,
  killedTeammateScenario,
  stalledHolderScenario,
  hookEvidenceScenario,
  planApprovalScenario,
  childTeamScenario,
  budgetExhaustedScenario,
  impersonationScenario,
  managedRunScenario,
  schedulingSimScenario,
];
