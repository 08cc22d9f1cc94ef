// One demo teammate as its own OS process, playing what a Codex sub-agent thread does with the
// skill: join with its ticket, then claim, work, publish evidence, complete and report, until the
// team has nothing left. Its own codex-team-mcp child is its MCP session. The parent (the demo
// lead) forks this file and sends the ticket over IPC, so no secret shows in the process list.
import { setTimeout as sleep } from 'node:timers/promises';
import { isTeamError, type AgentId, type ToolOutput } from '@codex-team/contracts';
import { z } from 'zod';
import { TeamClient } from '../mcp/team-client';
import { demoTaskByTitle } from './demo-plan';

const TeammateOrderSchema = z.strictObject({
  dbPath: z.string().min(1),
  ticket: z.string().min(1),
  leadId: z.string().min(1),
  workMs: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
  pollMs: z.number().int().min(1),
});
export type TeammateOrder = z.infer<typeof TeammateOrderSchema>;

/** What a teammate tells the lead process over IPC (the lead also sees everything in the store). */
export type TeammateReport = { type: 'joined'; agentId: string; serverPid: number } | { type: 'failed'; message: string };

function report(message: TeammateReport): void {
  process.send?.(message);
}

type Claim = NonNullable<ToolOutput<'team_task_next'>['claim']>;

async function work(client: TeamClient, claim: Claim, order: TeammateOrder, leadId: AgentId): Promise<void> {
  const plan = demoTaskByTitle(claim.task.title);
  const [low, high] = order.workMs;
  const workMs = low + Math.floor(Math.random() * (high - low + 1));
  let read = '';
  if (plan?.reads !== undefined) {
    const input = await client.call('team_artifact_read', { name: plan.reads });
    read = ` after reading ${input.artifact.name} v${input.artifact.version}`;
  }
  await sleep(workMs / 2);
  await client.call('team_task_update', { task_id: claim.task.id, fence: claim.fence, progress: 'halfway' });
  await sleep(workMs / 2);
  const artifactIds: string[] = [];
  if (plan?.publishes !== undefined) {
    const published = await client.call('team_artifact_publish', {
      name: plan.publishes.name,
      media_type: plan.publishes.mediaType,
      content: `# ${claim.task.title}\n\nProduced by the demo teammate in ${workMs} ms${read}.\n`,
      task_id: claim.task.id,
      fence: claim.fence,
    });
    artifactIds.push(published.artifact.id);
  }
  await client.call('team_task_complete', {
    task_id: claim.task.id,
    fence: claim.fence,
    result: `${claim.task.title}: done in ${workMs} ms${read}`,
    artifact_ids: artifactIds,
  });
  await client.call('team_send', {
    to: leadId,
    body: `done: ${claim.task.title}`,
    artifact_refs: artifactIds,
    idempotency_key: `done-${claim.task.id}-${claim.fence}`,
  });
}

async function runTeammate(order: TeammateOrder): Promise<void> {
  const client = await TeamClient.start({ dbPath: order.dbPath, clientName: 'codex-team-demo-teammate' });
  try {
    const joined = await client.call('team_join', { ticket: order.ticket });
    report({ type: 'joined', agentId: joined.agent.id, serverPid: client.serverPid });
    for (;;) {
      const next = await client.call('team_task_next', {});
      if (next.claim !== null) {
        await work(client, next.claim, order, order.leadId);
        continue;
      }
      // The answer says whether anything is left: no second read to find out.
      if (next.open === 0) return;
      await sleep(order.pollMs);
    }
  } catch (error) {
    // The lead finalizing while this teammate polls is the normal end of its work.
    if (isTeamError(error) && error.code === 'TEAM_FINALIZED') return;
    throw error;
  } finally {
    await client.close();
  }
}

process.once('message', (raw: unknown) => {
  const order = TeammateOrderSchema.safeParse(raw);
  if (!order.success) {
    report({ type: 'failed', message: `bad order: ${order.error.message}` });
    process.exitCode = 2;
    process.disconnect?.();
    return;
  }
  runTeammate(order.data).then(
    () => {
      process.disconnect?.();
    },
    (error: unknown) => {
      report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
});
