import { performance } from 'node:perf_hooks';
import type { Actor, TeamStore } from '@codex-team/store';

/**
 * Claims and completes as `actor` until `pairs` are done or its team has no task left; answers each
 * claim's latency in milliseconds (the PostgreSQL store benchmark's workers).
 */
export async function claimAndComplete(store: TeamStore, actor: Actor, pairs: number): Promise<number[]> {
  const latenciesMs: number[] = [];
  while (latenciesMs.length < pairs) {
    const before = performance.now();
    const next = await store.claimNextTask(actor, { leaseMs: 600_000 });
    if (next.claim === null) break;
    latenciesMs.push(performance.now() - before);
    await store.completeTask(actor, { task_id: next.claim.task.id, fence: next.claim.fence, outcome: 'done', result: 'benchmark', artifact_ids: [] });
  }
  return latenciesMs;
}
