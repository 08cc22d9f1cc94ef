import type {
  Agent,
  AgentId,
  Artifact,
  AuditEvent,
  AuthzDecision,
  AuthzStep,
  Decision,
  Team,
  TeamId,
  ToolInput,
  ToolOutput,
} from '@codex-team/contracts';

/** The agent on whose behalf an operation runs: always taken from the bound session. */
export interface Actor {
  teamId: TeamId;
  agentId: AgentId;
  /** The decision that let this call through; a write operation records it with its state change. */
  authorization?: CallAuthorization;
}

/** One authorization decision for the decision log, as the server made it. */
export interface DecisionInput {
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
 * The allow decision of a call, handed to the write operation it allows. The operation records it,
 * with outcome `ok` and its audit events' seqs, as the last write of its own transaction, so an
 * allowed state change and its evidence commit together or not at all. Binding operations (start,
 * join, resume) fill in the team, agent and role they bind. `recordedSeq` is set once committed;
 * a call whose decision was not recorded that way (a read, a failure) is recorded on its own.
 */
export interface CallAuthorization {
  readonly decision: Omit<DecisionInput, 'outcome'>;
  recordedSeq: number | null;
}

export interface DecisionQuery {
  /** The team's decisions; null for those of sessions bound to no team. */
  teamId: TeamId | null;
  /** Only decisions with a greater sequence number. */
  afterSeq?: number;
  limit?: number;
}

/** Which ready tasks a claim may take, from the caller's permissions; absent means both kinds. */
export interface ClaimableTasks {
  /** Tasks whose required_role is the caller's role. */
  ownRole: boolean;
  /** Tasks that name no required_role. */
  unassigned: boolean;
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
  maxThreads: number;
  profile: string;
  leadName: string;
  resumeTicketHash: string;
  authorization?: CallAuthorization;
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
}

/** Everything a claim needs besides the actor; the lease length comes from the server's policy. */
export interface LeaseOptions {
  leaseMs: number;
}

export interface ClaimOptions extends LeaseOptions {
  claimable?: ClaimableTasks;
}

export interface AuditQuery {
  /** Only events with a greater sequence number. */
  afterSeq?: number;
  limit?: number;
}

/**
 * The store port: atomic domain operations. Each method is one write transaction (checks, writes
 * and exactly one audit event per state change) or one consistent read; none holds a transaction
 * across an await. Failures are TeamErrors with stable codes and leave the store unchanged.
 */
export interface TeamStore {
  createTeam(input: CreateTeamInput): Promise<BoundAgent>;
  /** Lead only. Refuses when the team already has max_threads invited or active teammates. */
  spawnAgent(actor: Actor, input: SpawnAgentInput): Promise<Agent>;
  /** Consumes the one-use join ticket and binds the agent (epoch 1). */
  joinAgent(input: JoinAgentInput): Promise<BoundAgent>;
  /** Re-binds an agent by its resume ticket; the previous session's epoch stops working. */
  resumeAgent(resumeTicketHash: string, authorization?: CallAuthorization): Promise<BoundAgent>;
  /** NOT_BOUND when the binding was superseded or the agent retired. */
  verifyBinding(binding: SessionBinding): Promise<BoundAgent>;
  /** Records that the session of this binding ended; a no-op when it was superseded. */
  disconnectAgent(binding: SessionBinding, reason: string): Promise<void>;

  getStatus(actor: Actor): Promise<ToolOutput<'team_status'>>;
  finalizeTeam(actor: Actor, input: ToolInput<'team_finalize'>): Promise<ToolOutput<'team_finalize'>>;

  createTasks(actor: Actor, input: ToolInput<'team_task_create'>): Promise<ToolOutput<'team_task_create'>>;
  listTasks(actor: Actor, input: ToolInput<'team_task_list'>): Promise<ToolOutput<'team_task_list'>>;
  /** Takes only the kinds of task `options.claimable` allows. */
  claimNextTask(actor: Actor, options: ClaimOptions): Promise<ToolOutput<'team_task_next'>>;
  /** DENIED (details.action `own_role` or `unassigned`) when `options.claimable` excludes the task's kind. */
  claimTask(
    actor: Actor,
    input: ToolInput<'team_task_claim'>,
    options: ClaimOptions,
  ): Promise<ToolOutput<'team_task_claim'>>;
  updateTask(
    actor: Actor,
    input: ToolInput<'team_task_update'>,
    options: LeaseOptions,
  ): Promise<ToolOutput<'team_task_update'>>;
  completeTask(actor: Actor, input: ToolInput<'team_task_complete'>): Promise<ToolOutput<'team_task_complete'>>;
  releaseTask(actor: Actor, input: ToolInput<'team_task_release'>): Promise<ToolOutput<'team_task_release'>>;

  sendMessage(actor: Actor, input: ToolInput<'team_send'>): Promise<ToolOutput<'team_send'>>;
  readInbox(actor: Actor, input: ToolInput<'team_inbox'>): Promise<ToolOutput<'team_inbox'>>;

  publishArtifact(actor: Actor, input: ToolInput<'team_artifact_publish'>): Promise<Artifact>;
  readArtifact(actor: Actor, input: ToolInput<'team_artifact_read'>): Promise<ToolOutput<'team_artifact_read'>>;
  listArtifacts(actor: Actor, input: ToolInput<'team_artifact_list'>): Promise<Artifact[]>;

  /** The team's audit trail in commit order. */
  listAuditEvents(teamId: TeamId, query?: AuditQuery): Promise<AuditEvent[]>;
  /** Records one decision on its own (a read, a refusal, a failed call). */
  recordDecision(input: DecisionInput): Promise<AuthzDecision>;
  /** The decision log of a team (or of unbound sessions), in commit order. */
  listDecisions(query: DecisionQuery): Promise<AuthzDecision[]>;
  close(): Promise<void>;
}
