// Public API of @codex-team/recovery: heartbeat and lease decisions, and recovery sweeps over the
// TeamStore port.
export { DEFAULT_RECOVERY_POLICY, recoveryPolicy, staleAfterOf } from './recovery-policy';
export type { ProfileRecoveryFacts, RecoveryPolicy, RecoveryPolicyOptions } from './recovery-policy';
export { RECOVERY_RULES, decideRecovery } from './decide-recovery';
export { heartbeatDecision } from './heartbeat';
export type { HeartbeatDecision } from './heartbeat';
export { RecoverySweeper, recoveryActionOf, runRecoverySweep } from './sweep';
export type { RecoveryLogger, SweepReport } from './sweep';
