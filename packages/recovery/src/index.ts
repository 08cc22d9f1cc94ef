// Public API of @codex-team/recovery: heartbeat and lease decisions, and recovery sweeps over the
// TeamStore port.
export { DEFAULT_RECOVERY_POLICY, rebalanceSettingsOf, recoveryPolicy } from './recovery-policy';
export type { RecoveryPolicy, RecoveryPolicyOptions } from './recovery-policy';
export { heartbeatDecision } from './heartbeat';
export type { HeartbeatDecision } from './heartbeat';
export { RecoverySweeper, recoveryActionOf, runRecoverySweep } from './sweep';
export type { SweepReport, RecoveryHooks } from './sweep';
export { RECOVERY_RULES } from './decide-recovery';
export type { RetireRequest } from './decide-recovery';
export { teamCondition } from './lead-loss';
export type { TeamCondition } from './lead-loss';
