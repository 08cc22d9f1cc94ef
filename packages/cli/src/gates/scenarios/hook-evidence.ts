import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { TeamStartOutputSchema } from '@codex-team/contracts';
import { errorOf } from '../../testing/program-helpers';
import { mcpCall, type AgentProgram, type ThreadInfo } from '../../testing/scripted-responses';
import { codexScenario, type World } from '../codex-scenario';
import { V1, claimNext, closeAll, collect, completeWithEvidence, join, spawnTeammate } from './script-steps';

// A command hook of the server's hooks file (`codex-team install --hooks-file`) blocks a completion
// that names no evidence; the teammate publishes its notes and completes with them. A server whose
// hook no longer blocks lets the bare completion through, which this scenario's quality checks catch.

/** The hook: exit 2 (block, stderr the reason) unless the completion names an artifact. */
const REQUIRE_EVIDENCE = `let text = '';
process.stdin.on('data', (chunk) => (text += chunk));
process.stdin.on('end', () => {
  const event = JSON.parse(text);
  const ids = Array.isArray(event.input.artifact_ids) ? event.input.artifact_ids : [];
  if (event.input.outcome !== 'failed' && ids.length === 0) {
    process.stderr.write('publish what you did with team_artifact_publish and pass its id in artifact_ids');
    process.exit(2);
  }
  process.exit(0);
});
`;

function prepareHooks(): { env: { installArgs: string[] }; dispose(): void } {
  const dir = mkdtempSync(joinPath(tmpdir(), 'gates-hooks-'));
  writeFileSync(joinPath(dir, 'require-evidence.cjs'), REQUIRE_EVIDENCE);
  const hooks = { hooks: { PreTaskComplete: [{ hooks: [{ type: 'command', command: `${JSON.stringify(process.execPath)} require-evidence.cjs`, timeout: 10, name: 'evidence' }] }] } };
  writeFileSync(joinPath(dir, 'hooks.json'), JSON.stringify(hooks, null, 2));
  return { env: { installArgs: ['--hooks-file', joinPath(dir, 'hooks.json')] }, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Facts {
  firstTry?: string;
}

function* lead(world: World<Facts>): AgentProgram {
  TeamStartOutputSchema.parse((yield mcpCall('team_start', { name: 'gated team' })).json);
  yield mcpCall('team_task_create', { tasks: [{ title: 'Write the parser', required_role: 'builder', risk: 'low' }] });
  const bob = yield* spawnTeammate(V1, 'bob', 'builder');
  yield world.untilTeammatesFinished(1);
  yield* collect(V1, [bob]);
  yield mcpCall('team_inbox');
  yield mcpCall('team_finalize', { summary: 'parser written' });
  yield* closeAll(V1, [bob]);
  return 'LEAD-FINAL: gated team finalized';
}

function* builder(thread: ThreadInfo, world: World<Facts>): AgentProgram {
  const joined = yield* join(thread);
  const { claim } = yield* claimNext();
  if (claim === null) return 'BOB: nothing to claim';
  const first = yield mcpCall('team_task_complete', { task_id: claim.task.id, fence: claim.fence, result: 'parser written' });
  world.facts.firstTry = errorOf(first)?.code ?? 'accepted';
  if (world.facts.firstTry === 'HOOK_BLOCKED') yield* completeWithEvidence(claim.task, claim.fence, joined.agent.name);
  yield mcpCall('team_send', { to: joined.team.lead_agent_id, body: `parser: first try ${world.facts.firstTry}` });
  return 'BOB-FINAL: parser done';
}

export const hookEvidenceScenario = codexScenario<Facts>({
  name: 'hook-evidence',
  summary: 'a command hook blocks a completion until evidence exists; the teammate publishes it and completes',
  prepare: prepareHooks,
  surface: 'v1',
  prompt: 'Use a codex-team team to write the parser.',
  leadFinal: 'LEAD-FINAL: gated team finalized',
  expectedErrors: { HOOK_BLOCKED: 1 },
  facts: () => ({}),
  program: (thread, world) => (thread.parentThreadId === undefined ? lead(world) : builder(thread, world)),
  expectations(world, read) {
    const events = read.events.get(read.rootTeamId) ?? [];
    const block = events.find((event) => event.action === 'hook.block');
    const complete = events.find((event) => event.action === 'task.complete');
    const evidence = (complete?.data as { artifact_ids?: unknown[] } | undefined)?.artifact_ids ?? [];
    return {
      bare_completion_blocked: world.facts.firstTry === 'HOOK_BLOCKED',
      block_before_completion: block !== undefined && complete !== undefined && block.seq < complete.seq,
      done_with_evidence: complete !== undefined && evidence.length > 0,
    };
  },
});
