import type {
  Agent,
  AgentId,
  AgentState,
  Artifact,
  AuditEvent,
  AuthzDecision,
  AuthzStep,
  CheckpointRef,
  Decision,
  PlanReview,
  Message,
  Task,
  TaskStatus,
  Team,
  TeamId,
  Profile,
  TeamMode,
  TeamModeState,
  ToolInput,
  ToolName,
  ToolOutput,
  TeamSnapshot,
  UsageRecord,
} from '@codex-team/contracts';
import type { TeamBudget, TreeNode, TreeThreads } from '@codex-team/hierarchy';
import type { HookOutcome } from '@codex-team/hooks';
import type { CallPermission } from '@codex-team/policy-engine';
import type { RebalanceDecision, RebalanceInput, RebalanceSettings } from '@codex-team/scheduler';

/** The agent on whose behalf an operation runs: always taken from the bound session. */
export interface Actor {
  /** The agent's own team (the session's binding). */
  teamId: TeamId;
  agentId: AgentId;
  /**
   * The call's `team` argument, when it names another team: the operation acts there only as the
   * team tree allows its tool, checked in its own transaction (docs/hierarchy.md: NOT_FOUND for a
   * team the caller may not see, DENIED for what its relation may not do there).
   */
  inTeam?: string;
  /** The decision that let this call through; a write operation records it with its state change. */
  authorization?: CallAuthorization;
  /**
   * Record that the agent is seen (last_seen_at, one `agent.heartbeat` event) in the operation's
   * own write transaction, when it succeeds: the server asks at most once per heartbeat interval.
   * A read, or a refused write, records nothing.
   */
  renewHeartbeat?: boolean;
}

/** One authorization decision for the decision log, as the server made it. */
export interface AuthzDecisionInput {
  /** null for a session bound to no team. */
  teamId: TeamId | null;
  agentId: AgentId | null;
  role: string | null;
  tool: string;
  action: string;
  profile: string | null;
  rule: string;
  matched: readonly string[];
  decision: Decision;
  reason: string;
  step: AuthzStep;
  /** `ok` or the error code the call was answered with. */
  outcome: string;
}

/**
 * The allow decision of a call, handed to the write operation it allows. The operation records it
 * as the last write of its own transaction with the call's real outcome (`ok`, or the code of its
 * refusal) and its audit events' seqs, so a state change and its evidence commit together, and a
 * refusal is recorded in the same transaction an allowed change would have been. Binding operations
 * (start, join, resume) fill in the team, agent and role they bind. `recorded` is set once
 * committed, with the decision as recorded (the operation may have turned it into a deny: the kind
 * of task claimed, a ticket it does not accept); a call whose decision was not recorded that way (a
 * read, a failure before the store) is recorded on its own.
 */
export interface CallAuthorization {
  readonly decision: Omit<AuthzDecisionInput, 'outcome'>;
  recorded: { seq: number; decision: AuthzDecisionInput } | null;
}

export interface AuthzDecisionQuery {
  /** The team's decisions; null for those of sessions bound to no team. */
  teamId: TeamId | null;
  /** Only decisions with a greater sequence number. */
  afterSeq?: number;
  limit?: number;
}

/**
 * A session's binding. `epoch` increases each time the agent is (re)bound, so an older session of
 * the same agent is refused once a newer one has resumed.
 */
export interface SessionBinding extends Actor {
  epoch: number;
}

export interface BoundAgent {
  team: Team;
  agent: Agent;
  epoch: number;
}

export interface CreateTeamInput {
  name: string;
  objective: string;
  /** At most the profile's threads.hard_cap. @default the profile's threads.default */
  maxThreads?: number;
  /** A profile the store knows. @default 'default' */
  profile?: string;
  leadName: string;
  resumeTicketHash: string;
  authorization?: CallAuthorization;
  /**
   * The Codex thread the binding call came from (Codex sends it as `_meta.threadId`); recorded
   * with the agent so `codex-team hook` can find it from a Codex hook's session. @default none
   */
  codexThreadId?: string;
  /** The working directory the team is started from, when known. @default none */
  cwd?: string | null;
  /** The top folder of the git repository `cwd` lies in, when it lies in one. @default none */
  repo?: string | null;
}

/** A child team as team_child started or took it over (the tool answers it as short rows). */
export interface ChildTeam {
  team: Team;
  /** Its lead: played by the caller (principal_agent_id), or invited until someone joins. */
  lead: Agent;
  /** The parent's tasks the child holds until it finishes. */
  delegated_task_ids: string[];
  /** The child's own tasks (start only; empty on takeover). */
  task_ids: string[];
}

export interface StartChildInput {
  /** The parent's ready tasks the child takes over. */
  tasks: readonly string[];
  /** The budget carved from the parent; default half of what it has left. */
  tokens?: number;
  /** Set for lead "ticket": the invited lead joins with this ticket; absent, the caller plays the lead. */
  leadTicketHash?: string;
}

export interface SpawnAgentInput {
  name: string;
  role: string;
  joinTicketHash: string;
  /** A permission profile granted instead of the role's; the server checked the grant. */
  permissionProfile?: string;
}

export interface JoinAgentInput {
  joinTicketHash: string;
  /** Stored for the joining agent; its plain ticket goes back to the caller only. */
  resumeTicketHash: string;
  authorization?: CallAuthorization;
  /**
   * The Codex thread the binding call came from (Codex sends it as `_meta.threadId`); recorded
   * with the agent so `codex-team hook` can find it from a Codex hook's session. @default none
   */
  codexThreadId?: string;
}

export interface ResumeAgentInput {
  /** The hash of the ticket presented; it binds nothing once this resume commits. */
  resumeTicketHash: string;
  /** The hash of the agent's next ticket; its plain ticket goes back to the caller only. */
  nextResumeTicketHash: string;
  authorization?: CallAuthorization;
  /** As in JoinAgentInput. @default none */
  codexThreadId?: string;
}

/** The agent a Codex thread was last bound to, found by `findAgentByCodexThread`. */
export interface CodexThreadAgent {
  teamId: TeamId;
  agentId: AgentId;
}

/** Everything a claim needs besides the actor; the lease length comes from the server's policy. */
export interface LeaseOptions {
  leaseMs: number;
}

/** A heartbeat of a bound session; `tasks` are claims whose leases it renews. */
export interface HeartbeatRequest {
  tasks: ToolInput<'team_heartbeat'>['tasks'];
  /** The team_heartbeat call's allow decision, recorded with the heartbeat (see CallAuthorization). */
  authorization?: CallAuthorization;
  /**
   * Whether an agent recovery marked lost takes its slot back (a live call proves it is not lost).
   * Without it, a heartbeat of an agent that is not active changes nothing.
   */
  reinstate: boolean;
  /**
   * A renewal a read call makes on the side: one attempt, answered BUSY at once when another
   * process holds the write lock (the next call renews), so the read it follows is never held up.
   * @default false: it waits out other writers like any write
   */
  bestEffort?: boolean;
}

/** Which teams a recovery read covers: one team, or every active team of the store. */
export interface RecoveryScope {
  teamId?: TeamId;
}

/** An agent as recovery sees it (retired agents are left out: they hold nothing). */
export interface RecoveryAgentView {
  id: AgentId;
  name: string;
  role: string;
  state: AgentState;
  epoch: number;
  /** Epoch milliseconds; null for an invited agent never bound. */
  lastSeenAt: number | null;
  createdAt: number;
  /** A child team's lead played by an ancestor's lead: its liveness is that agent's, never its own. */
  principalAgentId: AgentId | null;
}

/** A team's stored mode, as the lapse rule reads it (times in epoch ms). */
export interface RecoveryModeView {
  current: TeamMode;
  expiresAt: number | null;
  returnsTo: TeamMode | null;
}

/** A claim in flight (a task in progress). */
export interface RecoveryClaimView {
  taskId: string;
  title: string;
  ownerAgentId: AgentId;
  fence: number;
  leaseExpiresAt: number | null;
  attempts: number;
}

export interface RecoveryTeamView {
  teamId: TeamId;
  name: string;
  /** The name of the team's policy profile. */
  profile: string;
  /** That profile as the store's profiles have it (idle, lease and guardrail settings); null when unknown. */
  settings: Profile | null;
  leadAgentId: AgentId;
  /** A child team's parent and its lead (who is told when this team's lead is lost); null for a root. */
  parent: { teamId: TeamId; leadAgentId: AgentId } | null;
  /** When the parent's lead was told that this team's lead is lost; null while it is not. */
  leadLostAt: number | null;
  /** The latest state change an agent of the team (or of a team below it) made, a heartbeat, or its start (ms). */
  lastActivityAt: number;
  /**
   * The seq of the team's latest audit event other than a rebalancing record or a message: every
   * change of what a rebalancing decision reads moves it, and recording a decision does not (0 before any).
   */
  stateHead: number;
  /** The mode as stored: a temporary mode past its time has lapsed but is not recorded yet. */
  mode: RecoveryModeView;
  /**
   * The latest checkpoint's last event (0: none yet) and the team's audit events since, counted
   * up to the profile's checkpoint.every_events (what the decision needs, no more).
   */
  checkpoint: { uptoSeq: number; eventsSince: number };
  agents: RecoveryAgentView[];
  claims: RecoveryClaimView[];
}

/** One consistent read of what recovery decides on, at the store's time `now`. */
export interface RecoveryView {
  now: number;
  teams: RecoveryTeamView[];
}

/**
 * One decided recovery step. `expect` is the row as the decision saw it: the store applies the step
 * only if the row is still exactly so (compare-and-set), which makes a sweep idempotent and two
 * sweeps in two processes harmless to each other.
 */
export type RecoveryStep =
  | {
      kind: 'retire_agent';
      teamId: TeamId;
      agentId: AgentId;
      expect: { state: AgentState; epoch: number; lastSeenAt: number | null };
      rule: string;
      reason: string;
    }
  | {
      kind: 'finalize_team';
      teamId: TeamId;
      /** The team is finalized only if no agent has acted since the decision. */
      expect: { lastActivityAt: number };
      rule: string;
      reason: string;
    }
  | {
      kind: 'expire_mode';
      teamId: TeamId;
      expect: { expiresAt: number };
      rule: string;
      reason: string;
    }
  | {
      kind: 'checkpoint_team';
      teamId: TeamId;
      /** Written only if the latest checkpoint still covers up to this seq (0: none yet). */
      expect: { uptoSeq: number };
      rule: string;
      reason: string;
    }
  | {
      kind: 'reclaim_task';
      teamId: TeamId;
      taskId: string;
      /** ready: back to the pool. failed: the claim ran out of attempts. */
      to: 'ready' | 'failed';
      expect: { ownerAgentId: AgentId; fence: number; leaseExpiresAt: number | null };
      rule: string;
      reason: string;
    }
  | {
      kind: 'mark_agent_lost';
      teamId: TeamId;
      agentId: AgentId;
      /** disconnected: it may come back. retired: an invitation nobody took up. */
      to: 'disconnected' | 'retired';
      expect: { state: AgentState; epoch: number; lastSeenAt: number | null };
      rule: string;
      reason: string;
    }
  | {
      /**
       * A child team's lead is lost: its team stays as it is and the parent's lead is told, once,
       * that it may take the team over or cancel it.
       */
      kind: 'report_lead_lost';
      teamId: TeamId;
      agentId: AgentId;
      /** Applied only while the team has reported no loss yet and its lead is still neither active nor played. */
      expect: { leadLostAt: null };
      rule: string;
      reason: string;
    };

export interface RecoveryPlan {
  steps: RecoveryStep[];
}

export interface AppliedRecoveryStep {
  step: RecoveryStep;
  /** The task's status or the agent's state afterwards. */
  outcome: string;
}

export interface RecoveryResult {
  applied: AppliedRecoveryStep[];
  /** Steps whose row had changed since the decision (another sweep, a renewal): not applied. */
  skipped: RecoveryStep[];
  /** One notice per team whose claims or lost agents a step changed, to its lead. */
  notices: Message[];
}

export interface ClaimOptions extends LeaseOptions {
  /**
   * The caller's permission answer for the claim's actions (`own_role`, `unassigned`): a claim
   * takes only the kinds of task it allows, and a refusal by kind is recorded with its rule.
   * @default every kind allowed
   */
  permission?: CallPermission;
}

// The store answers with whole rows; the server's tools shape them into the compact answers the
// model reads (contracts' compact rows), so every reader of the store gets the same full data.

/**
 * team_status as the store knows it, plus the policy state the server needs to add the policy's
 * verdict and hints (which the store cannot decide).
 */
export interface TeamStatusBase {
  team: Team;
  me: Agent;
  /** Every agent of the team but the retired ones. */
  agents: Agent[];
  tasks_by_status: Record<TaskStatus, number>;
  active_threads: number;
  unread_messages: number;
  /** When the lead declared consensus (ISO), or null. */
  consensus_at: string | null;
  used_tokens: number;
  /** The budget the team is held to in its tree (a child's carve; its children's carves set aside). */
  budget: TeamBudget;
  /** Its thread slots as its tree holds them (the cap on its lead's spawn hints). */
  threads: TreeThreads;
  /** A child team only: its parent and the briefs of the tasks delegated to it, in one line. */
  parent?: string;
  /** One line per child team: progress, budget and health; absent for a team without children. */
  children?: string[];
}

/** A claim: the whole task and what later writes about it must present. */
export interface TaskClaim {
  task: Task;
  fence: number;
  lease_expires_at: string;
}

/** team_task_next: a claim, or none, why, and whether waiting may bring one. */
export interface NextClaim {
  claim: TaskClaim | null;
  reason: string | null;
  /**
   * With no claim: the team's unfinished tasks (ready, blocked, in progress), so an idle agent knows
   * whether to wait without a second read; 0 when the team takes no new claims from the caller.
   */
  open?: number;
  /** Set when the team's rebalancing retired the caller instead of a claim: the rule (`reason` says why). */
  retire?: string;
}

export interface CreatedTasks {
  tasks: Task[];
  /** key -> id for the tasks that had a key. */
  keys: Record<string, string>;
}

export interface TaskPage {
  tasks: Task[];
  next_after: string | null;
}

/** A task after progress (with its new lease), an edit or a cancel. */
export interface TaskChange {
  task: Task;
  lease_expires_at: string | null;
}

export interface TaskCompletion {
  task: Task;
  unblocked_task_ids: string[];
}

export interface SentMessage {
  message: Message;
  duplicate: boolean;
}

export interface InboxPage {
  messages: Message[];
  acked: number;
  /** Unread messages beyond this page. */
  remaining: number;
}

export interface ArtifactContent {
  artifact: Artifact;
  content: string;
}

/** One model response of a Codex thread, as its session rollout recorded it. */
export interface MeasuredResponse {
  /** The response's id (or another key unique in its thread): it is charged once. */
  response_id: string;
  /** Every input token, cached ones included. */
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
}

/** The responses of an agent's Codex thread read from its rollout, to charge (recordMeasuredUsage). */
export interface MeasuredUsageInput {
  teamId: TeamId;
  agentId: AgentId;
  codexThreadId: string;
  responses: readonly MeasuredResponse[];
}

export interface MeasuredUsageResult {
  /** The samples charged now, in order; empty when every response was charged before. */
  usage: UsageRecord[];
  /** Responses charged before (by this or another server), skipped. */
  skipped: number;
}

export interface FinalizedTeam {
  team: Team;
  cancelled_task_ids: string[];
}

/** A lead restarting a teammate on a fresh thread: a new resume ticket for it. */
export interface RestartAgentInput {
  name: string;
  role: string;
  /** Replaces the agent's resume ticket; its plain ticket goes to the lead only. */
  resumeTicketHash: string;
}

/** What the store knows for one agent's brief (team_brief, team_resume); the server words it. */
export interface BriefFacts {
  team: Team;
  agent: Agent;
  /** The caller's claims in flight, soonest lease end first. */
  claims: { task_id: string; title: string; fence: number; lease_expires_at: string | null }[];
  unread: { count: number; oldest: Message[] };
  tasks_by_status: Record<TaskStatus, number>;
  /** Every agent of the team but the retired ones. */
  agents: Agent[];
  /** For the lead: every claim in flight (at most BRIEF_LIST_MAX), soonest lease end first. */
  in_flight: { task_id: string; owner_agent_id: string; fence: number; lease_expires_at: string | null }[];
  /** What recovery did since the caller's previous session began, newest last (at most BRIEF_LIST_MAX). */
  recovery: { at: string; action: string; subject_id: string | null; reason: string }[];
  /** The latest versions of the artifacts the caller published, newest first (at most BRIEF_LIST_MAX). */
  my_artifacts: Artifact[];
  /** The team's latest checkpoint, if any. */
  checkpoint: CheckpointRef | null;
  consensus_at: string | null;
  /** The last audit event of the team. */
  as_of_seq: number;
}

/** Whom a checkpoint is written for: the lead's team_checkpoint, or the sweep (no actor). */
export interface CheckpointOptions {
  /** The lead asking, with its call's decision; absent for the sweep. */
  actor?: Actor;
  /**
   * The sweep's compare-and-set: write only if the team's latest checkpoint still covers up to
   * this seq (0: none yet). A checkpoint written meanwhile makes this one answer null.
   */
  expectUptoSeq?: number;
}

/** A checkpoint written or found. */
export interface CheckpointResult {
  checkpoint: CheckpointRef;
  /** False when nothing happened since the latest checkpoint, which is answered instead. */
  created: boolean;
}

/** A checkpoint as stored: the reference and the replay state it holds. */
export interface StoredCheckpoint {
  checkpoint: CheckpointRef;
  team_id: TeamId;
  /**
   * The state as the format's JSON, uncompressed bytes as they were hashed: checked against its
   * checksum before it is decoded (hashing the bytes, not a decoded string, saves re-encoding it).
   */
  state: Buffer;
  state_sha256: string;
}

export interface SetProfileInput {
  /** A profile name the store's profiles know (checked inside the transaction). */
  profile: string;
}

/** A profile switch: the team after it, the profile before, and the profile fields it changed. */
export interface ProfileSwitch {
  team: Team;
  previous_profile: string;
  changed: boolean;
  /** `field: before -> after` for each profile field that differs; empty when unchanged. */
  changes: string[];
}

/** A policy decision worth its own audit event: a new fanout recommendation. */
export interface DecisionEntry {
  actorAgentId: string | null;
  action: 'policy.fanout';
  decision: Decision;
  subjectId?: string | null;
  reason: string;
  /** The decision's inputs and outcome; for fanout, what is compared to the last one. */
  data: Record<string, unknown>;
}

export interface AuditQuery {
  /** Only events with a greater sequence number. */
  afterSeq?: number;
  limit?: number;
}

/** How a rebalancing decision is taken and announced; see TeamStore.rebalance. */
export interface RebalanceOptions {
  /**
   * Send the lead one inbox notice when the decision's directives changed and say something: what
   * the sweep does. The lead's own team_status does not, since its answer tells the lead.
   */
  notify: boolean;
  /** The agent whose call took the decision (the lead's team_status); null for the sweep. @default null */
  actorAgentId?: string | null;
  /** The controller's time constants (scheduler's DEFAULT_REBALANCE_SETTINGS where not given). */
  settings?: Partial<RebalanceSettings>;
}

/** A rebalancing decision as taken now, and what of it is on record. */
export interface RebalanceOutcome {
  /** The decision taken now (its directives are those in force whether or not it was recorded). */
  decision: RebalanceDecision;
  /** Whether this call recorded it (its directives or hysteresis state changed). */
  recorded: boolean;
  /** Whether it differs from the last record (a read that finds a change does not record it). */
  changed: boolean;
  /** When the decision on record was recorded (epoch ms); null before any. */
  decided_at: number | null;
  /** Since when the directives on record have stood unchanged (epoch ms); null before any record. */
  directives_since: number | null;
  /** The notice this call sent the lead, if any. */
  notice: Message | null;
}

/** The team's rebalancing decision on record: the latest `rebalance.decide` event; see TeamStore.rebalanceOnRecord. */
export interface RecordedRebalance {
  decision: RebalanceDecision;
  /** When it was recorded (epoch ms). */
  decided_at: number;
  /** Since when its directives have stood unchanged (epoch ms). */
  directives_since: number;
}

/** A change of the team's mode; see TeamStore.setMode. */
export interface SetModeInput {
  mode: TeamMode;
  reason: string;
  /** Temporary: the team returns to its last lasting mode after this long. */
  ttlMs?: number;
}

/** The mode after a change, the mode before it, and the tasks held at that moment. */
export interface ModeChangeResult {
  mode: TeamModeState;
  previous: TeamModeState;
  inFlightTaskIds: string[];
}

/** The lead's answer to a submitted plan. */
export interface PlanReviewInput {
  artifactId: string;
  approve: boolean;
  reason: string;
}

/**
 * A call blocked by the command hooks the server ran before its operation (outside any
 * transaction); see TeamStore.recordHookBlock.
 */
export interface HookBlock {
  /** The team the call is about; null before team_start has made one (then only the decision is recorded). */
  teamId: TeamId | null;
  agentId: AgentId | null;
  tool: string;
  /** The task (or other entity) the call is about, if any. */
  subjectId: string | null;
  outcome: HookOutcome;
  /** The call's allow decision, recorded as the block's deny in the same transaction. */
  authorization?: CallAuthorization;
}

/** The agent a join or resume ticket belongs to, and its team (for the hooks of a call before it binds). */
export interface TicketHolder {
  team: Team;
  agent: Agent;
}

/** Where a call acts and as whom, as its hooks see it before the operation (TeamStore.callScope). */
export interface CallScope {
  team: Team;
  agent: Agent;
}

/**
 * The store port: atomic domain operations. Each method is one write transaction (checks, writes
 * and exactly one audit event per state change) or one consistent read; none holds a transaction
 * across an await. Failures are TeamErrors with stable codes and leave the store unchanged.
 */
/** A message the operator sends from the shell (`codex-team send`). */
export interface OperatorSendInput {
  /** An agent's id or name, `lead`, or `*` for every agent of the team. */
  to: string;
  body: string;
  /** A retry with the same key and request is stored once. */
  idempotencyKey?: string;
}

export interface OperatorSent {
  message: Message;
  duplicate: boolean;
}

/** What `prune` removed (or, with dry_run, would remove). */
export interface PrunedTeams {
  /** Every team removed: the roots and their descendants. */
  team_ids: string[];
  roots: { id: string; name: string; finalized_at: string }[];
  dry_run: boolean;
}

export interface TeamStore {
  createTeam(input: CreateTeamInput): Promise<BoundAgent>;
  /** Lead only. Refuses when the team already has max_threads invited or active teammates. */
  spawnAgent(actor: Actor, input: SpawnAgentInput): Promise<Agent>;
  /**
   * Lead only: starts a child team that takes over some ready tasks of the caller's team (or of the
   * team `actor.inTeam` names, as the tree allows), with a token budget carved from it, within the
   * profile's depth and the tree's thread cap. Its lead is the caller (lead "self") or an invited
   * agent joining with `leadTicketHash`. One `team.delegate` event in the parent, `team.start` in
   * the child.
   */
  startChild(actor: Actor, input: StartChildInput): Promise<ChildTeam>;
  /**
   * An ancestor's lead takes over a child team whose lead is lost (CONFLICT while it is active):
   * it plays that lead from now on, and the lost session can no longer resume. One `agent.takeover`.
   */
  takeOverChild(actor: Actor): Promise<ChildTeam>;
  /** Every team of the tree `teamId` belongs to, as the status views show them (operator tools). */
  readTree(teamId: TeamId): Promise<TreeNode[]>;
  /** The team's thread slots as its tree holds them, counted as a spawn counts them (operator hints). */
  readTreeThreads(teamId: TeamId): Promise<TreeThreads>;
  /** Consumes the one-use join ticket and binds the agent (epoch 1). */
  joinAgent(input: JoinAgentInput): Promise<BoundAgent>;
  /**
   * Re-binds an agent by its resume ticket and rotates the ticket: the previous session's epoch
   * and the ticket used stop working; `nextResumeTicketHash` is the agent's ticket from now on.
   */
  resumeAgent(input: ResumeAgentInput): Promise<BoundAgent>;
  /**
   * The operator takes the lead's seat: the team's lead gets this new resume ticket (its old one
   * stops working), so a process holding the store can bind as the lead with team_resume
   * (`codex-team run --resume`). One `agent.reissue` event. NOT_FOUND for an unknown team.
   */
  reissueLeadTicket(teamId: TeamId, resumeTicketHash: string, reason: string): Promise<Agent>;
  /** The agent the Codex thread was last bound to (start, join or resume), or null. */
  findAgentByCodexThread(codexThreadId: string): Promise<CodexThreadAgent | null>;
  /** NOT_BOUND when the binding was superseded or the agent retired. */
  verifyBinding(binding: SessionBinding): Promise<BoundAgent>;
  /** Records that the session of this binding ended; a no-op when it was superseded. */
  disconnectAgent(binding: SessionBinding, reason: string): Promise<void>;
  /**
   * Renews the agent's heartbeat and the leases of the given claims, all or nothing: NOT_BOUND
   * for a superseded binding, STALE_CLAIM when any claim is no longer the caller's.
   */
  heartbeatAgent(
    binding: SessionBinding,
    request: HeartbeatRequest,
    options: LeaseOptions,
  ): Promise<ToolOutput<'team_heartbeat'>>;

  /** The claims in flight and the agents of the teams in scope, for recovery to decide on. */
  recoveryView(scope: RecoveryScope): Promise<RecoveryView>;
  /**
   * Applies decided steps in one transaction, each only if its row is as expected, with one audit
   * event per applied step and one notice to the lead of each team concerned.
   */
  applyRecovery(plan: RecoveryPlan): Promise<RecoveryResult>;
  /** What a resumed session needs: counts, claims in flight, lost agents, unread, recovery's actions. */
  /**
   * What one agent needs to carry on in a fresh thread: its claims, its unread messages (none
   * acked), the team's counts and agents, recovery since its previous session, its artifacts and
   * the latest checkpoint. A read: it changes nothing.
   */
  readBrief(actor: Actor): Promise<BriefFacts>;
  /**
   * Writes a checkpoint of the team (one `team.checkpoint` event carrying its compact view as
   * artifact team-checkpoint): the state replay gives up to the last event, compressed with its
   * checksum, and the events since the previous checkpoint sealed as a chained archive segment.
   * With `actor`, lead only. Null when `expectUptoSeq` no longer holds (another checkpoint won).
   */
  checkpointTeam(teamId: TeamId, options?: CheckpointOptions): Promise<CheckpointResult | null>;
  /** The team's checkpoints, oldest first, without their states. */
  listCheckpoints(teamId: TeamId): Promise<CheckpointRef[]>;
  /**
   * One checkpoint with its state (the latest when `number` is absent), or null. The state comes
   * as stored; replayStateOf checks it against its checksum before a replay uses it.
   */
  readCheckpoint(teamId: TeamId, number?: number): Promise<StoredCheckpoint | null>;
  /**
   * Lead only: gives an existing teammate a new resume ticket (its old one stops working), so a
   * fresh thread can resume it; one `agent.restart` event. Its claims stay its own.
   */
  restartAgent(actor: Actor, input: RestartAgentInput): Promise<Agent>;

  getStatus(actor: Actor): Promise<TeamStatusBase>;
  finalizeTeam(actor: Actor, input: ToolInput<'team_finalize'>): Promise<FinalizedTeam>;

  createTasks(actor: Actor, input: ToolInput<'team_task_create'>): Promise<CreatedTasks>;
  /**
   * Tasks in creation order after `after`, filtered (status, role, owner, `ready` for the caller's
   * role, one `task_id`: NOT_FOUND when it is not a task of the team). Whole rows.
   */
  listTasks(actor: Actor, input: ToolInput<'team_task_list'>): Promise<TaskPage>;
  /**
   * Claims the first ready task the caller may claim, in the scheduler's claim order (CLAIM_ORDER),
   * taking only the kinds of task `options.permission` allows. A team ready to finalize (early stop)
   * answers no claim with the reason, audited as `policy.deny`.
   */
  claimNextTask(actor: Actor, options: ClaimOptions): Promise<NextClaim>;
  /** DENIED, recorded with the permission rule, when `options.permission` excludes the task's kind. */
  claimTask(
    actor: Actor,
    input: { task_id: string },
    options: ClaimOptions,
  ): Promise<TaskClaim>;
  updateTask(
    actor: Actor,
    input: ToolInput<'team_task_update'>,
    options: LeaseOptions,
  ): Promise<TaskChange>;
  /**
   * The holder finishes its task. `input.usage` is charged to the team in the same transaction
   * (one `usage.report` event), and stays charged when the completion itself is refused: the tokens
   * were spent either way.
   */
  completeTask(actor: Actor, input: ToolInput<'team_task_complete'>): Promise<TaskCompletion>;
  releaseTask(actor: Actor, input: ToolInput<'team_task_release'>): Promise<{ task: Task }>;

  sendMessage(actor: Actor, input: ToolInput<'team_send'>): Promise<SentMessage>;
  /** Acks, then reads; `input.usage` is charged like completeTask's (also after finalize). */
  readInbox(actor: Actor, input: ToolInput<'team_inbox'>): Promise<InboxPage>;

  publishArtifact(actor: Actor, input: ToolInput<'team_artifact_publish'>): Promise<Artifact>;
  /** The whole content; the server pages it (`offset`). */
  readArtifact(actor: Actor, input: ToolInput<'team_artifact_read'>): Promise<ArtifactContent>;
  listArtifacts(actor: Actor, input: ToolInput<'team_artifact_list'>): Promise<Artifact[]>;

  /**
   * Lead only: switches the team's profile (one `policy.switch` event whose reason lists what the
   * switch changes). The store's profiles must know it (NOT_FOUND otherwise). Switching to the
   * current profile changes nothing.
   */
  setProfile(actor: Actor, input: SetProfileInput): Promise<ProfileSwitch>;
  /**
   * Audits a policy decision of the team. With `unlessSameAsLast`, nothing is written when the last
   * event of the same action carries equal data (the recommendation did not change). Returns
   * whether an event was written. NOT_FOUND for an unknown team.
   */
  recordDecision(teamId: TeamId, entry: DecisionEntry, options?: { unlessSameAsLast?: boolean }): Promise<boolean>;
  /**
   * Decides the team's runtime rebalancing now (scheduler's decideRebalance over what the store
   * holds: the DAG, claim times, estimates, learned durations, slot holders, budget, caps and the
   * previous decision) and records it when its directives or hysteresis changed: one
   * `rebalance.decide` event, and with `notify` one notice to the lead per change of directives.
   * An unchanged decision writes nothing and never takes the write lock. Every decision is logged.
   * NOT_FOUND for an unknown team.
   */
  rebalance(teamId: TeamId, options: RebalanceOptions): Promise<RebalanceOutcome>;
  /**
   * The team's rebalancing decision on record, without deciding (what the lead's team_status shows:
   * a read of one event, where a decision reads the whole DAG); null before any was recorded.
   * NOT_FOUND for an unknown team.
   */
  rebalanceOnRecord(teamId: TeamId): Promise<RecordedRebalance | null>;
  /** What a rebalancing decision of the team reads now (tests, diagnostics). NOT_FOUND for an unknown team. */
  rebalanceInput(teamId: TeamId, settings?: Partial<RebalanceSettings>): Promise<RebalanceInput>;
  /** Every team, newest first (operator tools; not scoped to a caller). */
  listTeams(): Promise<Team[]>;
  /** Everything the store holds about one team, as entities (artifact contents excepted). */
  readTeam(teamId: TeamId): Promise<TeamSnapshot>;

  /** The team's audit trail in commit order. */
  listAuditEvents(teamId: TeamId, query?: AuditQuery): Promise<AuditEvent[]>;
  /** Records one authorization decision on its own (a read, a refusal, a failed call). */
  recordAuthzDecision(input: AuthzDecisionInput): Promise<AuthzDecision>;
  /**
   * Records the decision of an allowed call whose operation did not record it itself (reads),
   * written together with others (group commit): before this process's next write, before the decision log is read, when
   * the store closes, and within milliseconds otherwise (a pooled store: before its first live
   * thread's next write, see openPooledPostgresTeamStore). Refusals and failures use
   * recordAuthzDecision, which commits before it returns, except a call answered BUSY (it already
   * waited out its deadline; its decision is written once the store is free).
   */
  queueAuthzDecision(input: AuthzDecisionInput): void;
  /** The authorization decision log of a team (or of unbound sessions), in commit order. */
  listAuthzDecisions(query: AuthzDecisionQuery): Promise<AuthzDecision[]>;
  /**
   * Lead only: changes the team's mode as the team policy's transition table allows (CONFLICT
   * otherwise, nothing changed); a lapse not yet recorded is recorded first. One `mode.set` event.
   */
  setMode(actor: Actor, input: SetModeInput): Promise<ModeChangeResult>;
  /** The caller's team mode as it applies now (a lapsed temporary mode already returned). */
  readMode(actor: Actor): Promise<TeamModeState>;
  /** The author of a plan artifact submits it for the lead's approval (the lead gets a message). */
  submitPlan(actor: Actor, artifactId: string): Promise<PlanReview>;
  /** Lead only: approves or rejects a pending plan with a reason (its author gets a message). */
  reviewPlan(actor: Actor, input: PlanReviewInput): Promise<PlanReview>;
  /**
   * Records a block by command hooks: one `hook.block` event (the hooks' decisions, durations,
   * exit statuses and output digests) and the call's decision (deny, step `hook`) in one
   * transaction; nothing else changes. Always rejects, with the HOOK_BLOCKED error to answer.
   */
  recordHookBlock(block: HookBlock): Promise<never>;
  /** One task of the caller's team, as hooks see it before an operation (a read). */
  readTask(actor: Actor, taskId: string): Promise<Task>;
  /**
   * The team a call of `tool` acts in and the agent it acts as, for its hooks before the operation
   * (a read): the caller's own team, or the team `actor.inTeam` names as the tree allows the tool;
   * null when the tree refuses it (the operation then answers and records that refusal itself).
   */
  callScope(actor: Actor, tool: ToolName): Promise<CallScope | null>;
  /** The agent a join or resume ticket hash belongs to, or null (a read, for hooks before binding). */
  findTicketHolder(kind: 'join' | 'resume', ticketHash: string): Promise<TicketHolder | null>;
  /**
   * The operator finalizes (or, with `cancel`, cancels) an active team from the shell: the rules
   * of every finalize, audited as the operator, every agent told (docs/operator.md).
   */
  /**
   * Charges the model responses of an agent's Codex thread that are not charged yet, as measured
   * samples (one `usage.measure` event; nothing when none is new). From then on the agent's own
   * usage reports charge nothing; what they charged before is taken off its first measured charges.
   */
  recordMeasuredUsage(input: MeasuredUsageInput): Promise<MeasuredUsageResult>;
  operatorClose(teamId: TeamId, input: { cancel: boolean; force: boolean; reason: string }): Promise<FinalizedTeam>;
  /** The operator messages an agent, the lead or everyone of an active team; audited as the operator. */
  operatorSend(teamId: TeamId, input: OperatorSendInput): Promise<OperatorSent>;
  /** Removes finalized team trees finalized at or before `finalizedBefore` (epoch ms), in one transaction. */
  pruneTeams(input: { finalizedBefore: number; dryRun: boolean }): Promise<PrunedTeams>;
  close(): Promise<void>;
}
