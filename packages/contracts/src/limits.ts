/**
 * Hard limits of the contracts. Profiles may narrow some of them later, never widen them.
 * They bound what one call can make the store hold, so a runaway model cannot exhaust it.
 */
export const LIMITS = {
  /** Absolute cap on active agents in a team tree, root lead excluded (Codex `max_threads`). */
  maxThreadsHardCap: 6,
  /** Levels of child teams below a root team no profile may exceed. */
  maxTreeDepthHardCap: 3,
  /** Tasks one child team may be delegated at its start. */
  delegatedTasksMax: 20,
  nameMaxChars: 64,
  titleMaxChars: 200,
  descriptionMaxChars: 8_000,
  objectiveMaxChars: 4_000,
  resultMaxChars: 16_000,
  progressMaxChars: 2_000,
  reasonMaxChars: 1_000,
  /** Bytes of UTF-8 in one message body. */
  messageBodyMaxBytes: 16_384,
  /** Bytes of UTF-8 in one artifact version. */
  artifactMaxBytes: 1_048_576,
  idempotencyKeyMaxChars: 128,
  tasksPerCreateMax: 1_000,
  dependenciesPerTaskMax: 100,
  artifactRefsPerMessageMax: 20,
  listPageMax: 500,
  inboxPageMax: 100,
  ackPerCallMax: 500,
  priorityMin: -1_000,
  priorityMax: 1_000,
  /**
   * Input tokens one usage report may carry: about two turns at the largest context windows (1M).
   * An agent's tokens are self-reported; without a bound one report could exhaust any budget.
   */
  usageInputTokensMax: 2_000_000,
  /** Output tokens one usage report may carry: two turns at the largest output limits (128k). */
  usageOutputTokensMax: 256_000,
  /**
   * Tokens (input plus output) one agent may report within any minute: a dozen full-context turns,
   * more than a model serves one thread in a minute. See policy-engine decideUsageRate.
   */
  usageTokensPerAgentMinuteMax: 4_000_000,
} as const;

/** Defaults that callers may leave out. */
export const DEFAULTS = {
  maxThreads: 6,
  profile: 'default',
  /** How long a claim stays valid without renewal; tens of seconds, see FACTS on lock waits. */
  leaseMs: 60_000,
  listPageSize: 100,
  /** team_task_list page with `full: true`: whole rows are long. */
  fullListPageSize: 20,
  /** Characters of a task's description, progress or result in a whole row of a list. */
  listTextMaxChars: 1_000,
  /** Audit events between automatic checkpoints, for a profile without a `checkpoint` section. */
  checkpointEveryEvents: 1_000,
  inboxPageSize: 50,
} as const;
