import { ErrorBodySchema, InboxOutputSchema, TeamSpawnOutputSchema, type ErrorBody, type ToolOutput } from '@codex-team/contracts';
import { agentCall, collabCall, mcpCall, type ToolCall, type ToolResult } from './scripted-responses';

/** The error body of a refused codex-team call (`{"error": {code, message}}`), or undefined. */
export function errorOf(result: ToolResult): ErrorBody | undefined {
  const json = result.json;
  if (typeof json !== 'object' || json === null || !('error' in json)) return undefined;
  const parsed = ErrorBodySchema.safeParse((json as { error: unknown }).error);
  return parsed.success ? parsed.data : undefined;
}

/** The agent id `spawn_agent` returned (`{"agent_id", "nickname"}`). */
export function spawnedAgentId(result: ToolResult): string {
  const json = result.json;
  if (typeof json === 'object' && json !== null && 'agent_id' in json) {
    const id = (json as { agent_id: unknown }).agent_id;
    if (typeof id === 'string') return id;
  }
  throw new Error(`spawn_agent did not return an agent_id: ${result.text}`);
}

/** Ids of the agents `wait_agent` reports as finished (`{"status": {id: {...}}, "timed_out"}`). */
export function finishedAgentIds(result: ToolResult): string[] {
  const json = result.json;
  if (typeof json !== 'object' || json === null || !('status' in json)) return [];
  const status = (json as { status: unknown }).status;
  return typeof status === 'object' && status !== null ? Object.keys(status) : [];
}

/** The join ticket inside a spawn instruction. */
export function ticketIn(texts: readonly string[]): string | undefined {
  return /\bjoin_[a-z2-7]{32,64}\b/.exec(texts.join('\n'))?.[0];
}

/** Codex's multi-agent tools as a scripted lead uses them, under either surface. */
export interface LeadSurface {
  name: 'v1' | 'v2';
  /** The spawn_agent call for a teammate (v2: its task name; `fork_turns: "none"`, as team_spawn's spawn_with says). */
  spawn(instruction: string, teammateName: string): ToolCall;
  /** The id to wait for and address: v1 the agent_id, v2 the task path `/root/<name>`. */
  idOf(spawned: ToolResult): string;
  /** One wait call for these agents. */
  wait(ids: readonly string[], timeoutMs?: number): ToolCall;
}

export const V1_SURFACE: LeadSurface = {
  name: 'v1',
  spawn: (instruction) => agentCall('spawn_agent', { message: instruction }),
  idOf: spawnedAgentId,
  wait: (ids, timeoutMs = 30_000) => agentCall('wait_agent', { targets: [...ids], timeout_ms: timeoutMs }),
};

export const V2_SURFACE: LeadSurface = {
  name: 'v2',
  spawn: (instruction, teammateName) => collabCall('spawn_agent', { task_name: teammateName, message: instruction, fork_turns: 'none' }),
  idOf: (spawned) => {
    const json = spawned.json;
    if (typeof json === 'object' && json !== null && 'task_name' in json && typeof (json as { task_name: unknown }).task_name === 'string') {
      return (json as { task_name: string }).task_name;
    }
    throw new Error(`spawn_agent did not return a task_name: ${spawned.text}`);
  },
  wait: (_ids, timeoutMs = 30_000) => collabCall('wait_agent', { timeout_ms: timeoutMs }),
};

export function leadSurface(name: 'v1' | 'v2'): LeadSurface {
  return name === 'v1' ? V1_SURFACE : V2_SURFACE;
}

/** v2's `list_agents` answer: task paths whose status is `{completed: ...}` (or another end state). */
function finishedInList(result: ToolResult): string[] {
  const json = result.json as { agents?: { agent_name?: unknown; agent_status?: unknown }[] } | undefined;
  return (json?.agents ?? []).flatMap((agent) =>
    typeof agent.agent_name === 'string' && typeof agent.agent_status === 'object' && agent.agent_status !== null ? [agent.agent_name] : [],
  );
}

/**
 * Waits until all the given agents have finished their turn (or `rounds` waits passed). v1's
 * wait_agent names who finished; v2's says only "Wait completed.", so the lead asks list_agents,
 * as the skill tells it to read codex-team's own state after a v2 wake.
 */
export function* waitForAll(surface: LeadSurface, ids: readonly string[], rounds = 8): Generator<ToolCall, void, ToolResult> {
  const pending = new Set(ids);
  for (let round = 0; round < rounds && pending.size > 0; round += 1) {
    if (surface.name === 'v1') {
      for (const id of finishedAgentIds(yield surface.wait([...pending]))) pending.delete(id);
      continue;
    }
    // v2: ask first (a wait with nothing left to happen lasts its whole timeout), then wait.
    for (const id of finishedInList(yield collabCall('list_agents', {}))) pending.delete(id);
    if (pending.size > 0) yield surface.wait([...pending]);
  }
}

/** Lets teammates go: v1 closes each (its server gets SIGTERM); v2 has no close_agent. */
export function* letGo(surface: LeadSurface, ids: readonly string[]): Generator<ToolCall, void, ToolResult> {
  if (surface.name === 'v2') return;
  for (const id of ids) yield agentCall('close_agent', { target: id });
}

/**
 * A v1 lead with its tasks created and one teammate to run: registers it (team_spawn), starts it
 * with the spawn instruction, waits until it finished its turn, finalizes the team with the
 * teammate's reports as the summary and lets it go. Returns what the lead read in its inbox.
 */
export function* runOneTeammate(name: string, role: string): Generator<ToolCall, ToolOutput<'team_inbox'>, ToolResult> {
  const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name, role })).json);
  const id = V1_SURFACE.idOf(yield V1_SURFACE.spawn(spawn.spawn_instruction, name));
  yield* waitForAll(V1_SURFACE, [id]);
  const inbox = InboxOutputSchema.parse((yield mcpCall('team_inbox')).json);
  yield mcpCall('team_finalize', { summary: inbox.messages.map((message) => message.body).join('; ') });
  yield* letGo(V1_SURFACE, [id]);
  return inbox;
}
