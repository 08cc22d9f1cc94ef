import type { AuditEvent, Profile, TeamSnapshot } from '@codex-team/contracts';
import type { TreeNode, TreeThreads } from '@codex-team/hierarchy';
import type { RecoveryClaimView, RecoveryTeamView, SqliteTeamStore } from '@codex-team/store';
import type { WorkerProcess } from './worker-process';

/** A worker the runtime knows: one it launched (with its process), or one it adopted from the store. */
export interface WorkerRecord {
  agentId: string;
  name: string;
  role: string;
  kind: 'planner' | 'worker';
  /** null: adopted (started by an earlier runtime); watched through the store only. */
  process: WorkerProcess | null;
  launchedAt: number;
  /** Set once the runtime decided to stop it: the rule and reason its retirement records. */
  stopping: { rule: string; reason: string } | null;
  /** With --worktrees: the task it was given. */
  taskId: string | null;
  /** Set once its process ended (or, adopted, once the store says its session ended). */
  exit: { at: number; rule: string; reason: string } | null;
  /** Set once its agent is retired in the store. */
  retired: boolean;
}

/** The team as one tick reads it from the store: nothing else is the runtime's state. */
export interface TeamState {
  now: number;
  snapshot: TeamSnapshot;
  /** The team in recovery's view (claims with leases); null once the team is finalized. */
  recovery: RecoveryTeamView | null;
  profile: Profile;
  /** The team's thread slots and its tree's (a tree's other teams hold slots of the same cap). */
  threads: TreeThreads;
  /** Every team of the team's tree (just itself without parent or children). */
  tree: TreeNode[];
  /** Audit events after the runtime's cursor, in commit order. */
  newEvents: AuditEvent[];
}

/** Reads one tick's state. `afterSeq`: the last audit event already seen. */
export async function readTeamState(store: SqliteTeamStore, teamId: string, profile: (name: string) => Profile, afterSeq: number, now: () => number): Promise<TeamState> {
  const snapshot = await store.readTeam(teamId as TeamSnapshot['team']['id']);
  const view = await store.recoveryView({ teamId: snapshot.team.id });
  const newEvents: AuditEvent[] = [];
  for (;;) {
    const page = await store.listAuditEvents(snapshot.team.id, { afterSeq: newEvents.at(-1)?.seq ?? afterSeq, limit: 1_000 });
    newEvents.push(...page);
    if (page.length < 1_000) break;
  }
  const threads = await store.readTreeThreads(snapshot.team.id);
  const tree = await store.readTree(snapshot.team.id);
  return { now: now(), snapshot, recovery: view.teams[0] ?? null, profile: profile(snapshot.team.profile), threads, tree, newEvents };
}

/** The claims an agent holds now. */
export function claimsOf(state: TeamState, agentId: string): RecoveryClaimView[] {
  return (state.recovery?.claims ?? []).filter((claim) => claim.ownerAgentId === agentId);
}
