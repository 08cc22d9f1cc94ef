import { ArtifactPublishOutputSchema, TaskNextOutputSchema, TeamJoinOutputSchema, TeamSpawnOutputSchema, type ToolOutput } from '@codex-team/contracts';
import { errorOf, leadSurface, ticketIn, type LeadSurface } from '../../testing/program-helpers';
import { mcpCall, type AgentProgram, type Hold, type ThreadInfo, type ToolCall, type ToolResult } from '../../testing/scripted-responses';

// Steps the scenarios' scripted agents share: a teammate that joins and works tasks with evidence,
// and a lead's spawn of a teammate under either multi-agent surface.

export type Step<T> = Generator<ToolCall | Hold, T, ToolResult>;

/** The teammate's name in its spawn instruction ("You are NAME, ..."). */
export function nameIn(thread: ThreadInfo): string | undefined {
  return /You are (\w+),/.exec(thread.userTexts.join('\n'))?.[1];
}

/** Joins with the ticket of the spawn instruction. */
export function* join(thread: ThreadInfo): Step<ToolOutput<'team_join'>> {
  const ticket = ticketIn(thread.userTexts);
  if (ticket === undefined) throw new Error('no join ticket in my instructions');
  return TeamJoinOutputSchema.parse((yield mcpCall('team_join', { ticket })).json);
}

/** Claims the next ready task; null when none is ready (or the claim is refused: `refused` says why). */
export function* claimNext(): Step<{ claim: { task: { id: string; title: string }; fence: number } | null; refused?: string }> {
  const result = yield mcpCall('team_task_next');
  const refused = errorOf(result);
  if (refused !== undefined) return { claim: null, refused: refused.code };
  return { claim: TaskNextOutputSchema.parse(result.json).claim };
}

/** Publishes notes tied to the claimed task and completes it naming them as evidence. */
export function* completeWithEvidence(task: { id: string; title: string }, fence: number, by: string, extra: Record<string, unknown> = {}): Step<ToolResult> {
  const published = ArtifactPublishOutputSchema.parse(
    (yield mcpCall('team_artifact_publish', { name: `notes-${task.id}`, content: `# ${task.title}\nchecked by ${by}`, task_id: task.id, fence })).json,
  );
  return yield mcpCall('team_task_complete', { task_id: task.id, fence, result: `${task.title}: done by ${by}, checked`, artifact_ids: [published.artifact.id], ...extra });
}

/**
 * A teammate that joins, then for each entry of `waits` holds until it is true (off the model),
 * claims the next task and completes it with evidence; reports to its lead and ends.
 */
export function* worker(thread: ThreadInfo, waits: readonly Hold[], done: (title: string) => void): AgentProgram {
  const joined = yield* join(thread);
  let count = 0;
  for (const wait of waits) {
    yield wait;
    const { claim } = yield* claimNext();
    if (claim === null) break;
    yield* completeWithEvidence(claim.task, claim.fence, joined.agent.name);
    done(claim.task.title);
    count += 1;
  }
  yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: `${joined.agent.name} finished ${count} tasks` });
  return `${joined.agent.name.toUpperCase()}-FINAL: ${count} tasks done`;
}

/** Registers a teammate (team_spawn) and starts it with Codex's spawn_agent; returns the id to wait for. */
export function* spawnTeammate(surface: LeadSurface, name: string, role: string, team?: string): Step<string> {
  const spawn = TeamSpawnOutputSchema.parse((yield mcpCall('team_spawn', { name, role, ...(team === undefined ? {} : { team }) })).json);
  return surface.idOf(yield surface.spawn(spawn.spawn_instruction, name));
}

export const V1 = leadSurface('v1');
export const V2 = leadSurface('v2');

/** After the teammates finished (a Hold), v1 collects each with one wait_agent and closes it; v2 has neither. */
export function* collect(surface: LeadSurface, ids: readonly string[]): Step<void> {
  if (surface.name === 'v2') return;
  for (const id of ids) yield surface.wait([id]);
}

export function* closeAll(surface: LeadSurface, ids: readonly string[]): Step<void> {
  if (surface.name === 'v2') return;
  for (const id of ids) yield { namespace: 'multi_agent_v1', name: 'close_agent', args: { target: id } };
}
