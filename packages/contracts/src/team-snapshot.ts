import type { Agent, Artifact, Message, Task, TaskReview, Team } from './entities';

/** One acknowledgement of a message by an agent. */
export interface AckRecord {
  message_id: string;
  agent_id: string;
  acked_at: string;
}

/** One usage sample charged to a team. */
export interface UsageRecord {
  seq: number;
  agent_id: string;
  task_id: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  charged_tokens: number;
  at: string;
  /**
   * `measured`: read from the agent's Codex session rollout (one model response); absent: the
   * agent reported it itself (usage on team_inbox or team_task_complete).
   */
  source?: 'measured';
}

/**
 * Everything the store holds about one team, in creation order, as the port shows it (artifact
 * contents and ticket hashes excepted). Replaying the team's audit trail rebuilds exactly this.
 */
export interface TeamSnapshot {
  team: Team;
  /** When the lead declared consensus, or null. */
  consensus_at: string | null;
  /** Tokens charged so far: the sum of `usage`. */
  used_tokens: number;
  agents: Agent[];
  /** Agents the idle sweep has marked idle: agent id -> since. */
  idle_since: Record<string, string>;
  tasks: Task[];
  messages: Message[];
  acks: AckRecord[];
  artifacts: Artifact[];
  usage: UsageRecord[];
  /** Every agent's current vote on each claim of a task, in the order first cast. */
  reviews: TaskReview[];
}
