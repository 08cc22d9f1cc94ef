import type { SimTask } from './eval-shapes';
import type { RecoveryModel, SimulationSettings } from './simulation';

/**
 * The causes of the controller's makespan over LB, in the order the decomposition adds them, from
 * a perfect schedule to the simulated world:
 * - structure: what a schedule with cap identical agents from the start, knowing every task's
 *   duration, with no failures, still needs over LB (the bound counts serial stretches, such as a
 *   fork-join's root and join, as if cap agents shared them);
 * - estimate_error: the same schedule knowing only the tasks' size estimates (off by up to 30%;
 *   see referenceMakespan's `estimates`);
 * - staffing: the controller (spawning, retiring, claiming by the estimates) against that
 *   schedule, with no roles, no start latency and no failures;
 * - roles: tasks require their roles, so agents are spawned, kept and swapped by role;
 * - start_latency: a spawned agent needs spawn_lead_ms to claim;
 * - lost_work: agents fail, but their task returns and their slot frees the moment they fail: what
 *   is left is the work lost and redone, and replacing the agent;
 * - recovery_wait: recovery as the store does it (the grace period, the lease, the lost-agent
 *   timeout of a stalled holder's slot).
 * Each is the difference of two mean ratios, so they add up to the controller's ratio - 1 exactly;
 * a cause may come out negative (a change of world can help by chance: a failure falls elsewhere).
 */
export const EXCESS_CAUSES = ['structure', 'estimate_error', 'staffing', 'roles', 'start_latency', 'lost_work', 'recovery_wait'] as const;
export type ExcessCause = (typeof EXCESS_CAUSES)[number];
export type ExcessDecomposition = Record<ExcessCause, number>;

/** A simulated world between the ideal and the real one, the controller run in it. */
export interface ControllerWorld {
  name: 'ideal' | 'roles' | 'start_latency' | 'instant_recovery';
  roles: boolean;
  start_latency: boolean;
  failures: 'none' | RecoveryModel;
}

/** The controller's worlds of the decomposition, each with one more cause than the one before; the real world follows. */
export const CONTROLLER_WORLDS: readonly ControllerWorld[] = [
  { name: 'ideal', roles: false, start_latency: false, failures: 'none' },
  { name: 'roles', roles: true, start_latency: false, failures: 'none' },
  { name: 'start_latency', roles: true, start_latency: true, failures: 'none' },
  { name: 'instant_recovery', roles: true, start_latency: true, failures: 'instant' },
];

/** The tasks, settings and recovery of a run in `world`: roles dropped, no start latency, no failures as it says. */
export function inWorld(
  world: ControllerWorld,
  tasks: readonly SimTask[],
  settings: SimulationSettings,
): { tasks: readonly SimTask[]; settings: SimulationSettings; recovery: RecoveryModel } {
  return {
    tasks: world.roles ? tasks : tasks.map((task) => ({ ...task, required_role: null })),
    settings: {
      ...settings,
      ...(world.start_latency ? {} : { spawn_lead_ms: 0 }),
      ...(world.failures === 'none' ? { failure_rate: 0 } : {}),
    },
    recovery: world.failures === 'instant' ? 'instant' : 'real',
  };
}

/** Mean makespan / LB of each step of the chain, from the reference schedule to the controller in the real world. */
export interface ExcessSteps {
  reference: number;
  estimate_reference: number;
  worlds: Record<ControllerWorld['name'], number>;
  controller: number;
}

/** The differences between consecutive steps: they add up to controller - 1. */
export function decomposeExcess(steps: ExcessSteps): ExcessDecomposition {
  const { reference, estimate_reference: estimated, worlds, controller } = steps;
  return {
    structure: reference - 1,
    estimate_error: estimated - reference,
    staffing: worlds.ideal - estimated,
    roles: worlds.roles - worlds.ideal,
    start_latency: worlds.start_latency - worlds.roles,
    lost_work: worlds.instant_recovery - worlds.start_latency,
    recovery_wait: controller - worlds.instant_recovery,
  };
}
