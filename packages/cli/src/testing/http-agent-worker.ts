// One teammate of a "host" in the HTTP tests, as its own OS process (the parent forks it with the
// host's own CODEX_HOME): it opens its own MCP session with `codex-team serve --http`, joins with
// its ticket, then claims and completes until told to stop, reporting every claim and completion
// over IPC. With `holdAfter`, it keeps its next claim forever after that many completions, so the
// parent can kill it mid-claim.
import { setTimeout as sleep } from 'node:timers/promises';
import { isTeamError } from '@codex-team/contracts';
import { z } from 'zod';
import { TeamClient } from '../mcp/team-client';

const OrderSchema = z.strictObject({
  url: z.string().url(),
  token: z.string().min(1),
  ticket: z.string().min(1),
  holdAfter: z.number().int().min(0).nullable(),
});
export type HttpAgentOrder = z.infer<typeof OrderSchema>;

/** What a worker tells its parent. */
export type HttpAgentReport =
  | { type: 'joined'; agentId: string; codexHome: string }
  | { type: 'claimed'; task: string; fence: number }
  | { type: 'holding'; task: string; fence: number }
  | { type: 'completed'; task: string; fence: number; code: string | null }
  | { type: 'failed'; message: string };

function report(message: HttpAgentReport): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, () => resolve());
  });
}

async function run(order: HttpAgentOrder, stopped: () => boolean): Promise<void> {
  const client = await TeamClient.connectHttp({ url: order.url, token: order.token, clientName: 'http-agent' });
  try {
    const joined = await client.call('team_join', { ticket: order.ticket });
    await report({ type: 'joined', agentId: joined.agent.id, codexHome: process.env['CODEX_HOME'] ?? '' });
    let completed = 0;
    while (!stopped()) {
      const next = await client.call('team_task_next', {});
      if (next.claim === null) {
        await sleep(50);
        continue;
      }
      const { task, fence } = next.claim;
      await report({ type: 'claimed', task: task.id, fence });
      if (order.holdAfter !== null && completed >= order.holdAfter) {
        await report({ type: 'holding', task: task.id, fence });
        // Holds the claim until the parent kills this process.
        for (;;) await sleep(60_000);
      }
      let code: string | null = null;
      try {
        await client.call('team_task_complete', { task_id: task.id, fence, result: `done by ${process.pid}` });
        completed += 1;
      } catch (error) {
        if (!isTeamError(error)) throw error;
        code = error.code;
      }
      await report({ type: 'completed', task: task.id, fence, code });
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}

let stop = false;
process.on('message', (raw: unknown) => {
  if (raw === 'stop') {
    stop = true;
    return;
  }
  const order = OrderSchema.parse(raw);
  run(order, () => stop)
    .then(() => process.exit(0))
    .catch(async (error: unknown) => {
      await report({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    });
});
