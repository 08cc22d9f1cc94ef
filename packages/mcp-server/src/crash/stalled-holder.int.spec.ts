import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomIdGenerator, systemClock, type ToolOutput } from '@codex-team/contracts';
import { openSqliteTeamStore } from '@codex-team/store';
import { checkDatabaseIntegrity, digestDatabase } from '@codex-team/store/testing';
import { forkBrokenWriter, resultCode, sleep } from '../testing/crash-helpers';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from '../testing/stdio-process';

// A holder whose process stalls (SIGSTOP) past its lease while recovery hands its task to another
// agent; when it runs again (SIGCONT) every write it attempts about the old claim is refused.
// Broken variant: the same stale completion, of a second task stranded the same way, by a writer
// without the fence check; the detector the real writes pass must flag it.

jest.setTimeout(120_000);

const HOLDER_LEASE_MS = 1_500;
const common = ['--sweep-ms', '200', '--grace-ms', '300', '--stale-ms', '180000', '--log-level', 'warn'];
const holderArgs = ['--lease-ms', String(HOLDER_LEASE_MS), ...common];
// The others hold long leases, so nothing of theirs expires while the stale writes are checked.
const otherArgs = ['--lease-ms', '60000', ...common];

type Digest = ReturnType<typeof digestDatabase>;

/** What a stale write may not do: be answered other than STALE_CLAIM, or change any table. */
function staleWriteDamage(answers: Readonly<Record<string, string | null>>, before: Digest, after: Digest): string[] {
  const accepted = Object.entries(answers)
    .filter(([, code]) => code !== 'STALE_CLAIM')
    .map(([write, code]) => `${write} answered ${code ?? 'success'}`);
  const tables = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = tables.filter((table) => JSON.stringify(before[table]) !== JSON.stringify(after[table])).map((table) => `${table} changed`);
  return [...accepted, ...changed];
}

describe('a stalled holder', () => {
  let dir: string;
  afterAll(async () => {
    await closeAllStdioAgents();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets STALE_CLAIM for every write about its old task after SIGCONT, and nothing changes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-stall-'));
    const dbPath = join(dir, 'team.db');
    const [lead, holder, other] = await Promise.all([
      spawnStdioAgent(dbPath, otherArgs),
      spawnStdioAgent(dbPath, holderArgs),
      spawnStdioAgent(dbPath, otherArgs),
    ]);
    const team = await lead.caller.ok('team_start', { name: 'stall', max_threads: 2 });
    const enlist = async (agent: StdioAgent, name: string) => {
      const spawned = await lead.caller.ok('team_spawn', { name, role: 'implementer' });
      return (await agent.caller.ok('team_join', { ticket: spawned.join_ticket })).agent.id;
    };
    const holderId = await enlist(holder, 'slow');
    const otherId = await enlist(other, 'quick');
    const created = await lead.caller.ok('team_task_create', { tasks: [{ title: 'the task' }, { title: 'its twin, for the broken writer' }] });
    const taskId = created.ids[0] ?? '';
    const twinId = created.ids[1] ?? '';
    const claim = (await holder.caller.ok('team_task_next', { task_id: taskId })).claim!;
    const twinClaim = (await holder.caller.ok('team_task_next', { task_id: twinId })).claim!;
    await holder.caller.ok('team_artifact_publish', { name: 'draft', content: 'before the stall', task_id: taskId, fence: claim.fence });

    process.kill(holder.pid, 'SIGSTOP');
    const stalledAt = Date.now();
    let taken: ToolOutput<'team_task_next'>['claim'] = null;
    while (taken === null && Date.now() - stalledAt < 20_000) {
      const result = await other.caller.call('team_task_next', { task_id: taskId });
      if (resultCode(result) === null) taken = (result.structuredContent as ToolOutput<'team_task_next'>).claim;
      else await sleep(50);
    }
    const takenAfterMs = Date.now() - stalledAt;
    let twinTaken: ToolOutput<'team_task_next'>['claim'] = null;
    while (twinTaken === null && Date.now() - stalledAt < 20_000) {
      const result = await other.caller.call('team_task_next', { task_id: twinId });
      if (resultCode(result) === null) twinTaken = (result.structuredContent as ToolOutput<'team_task_next'>).claim;
      else await sleep(50);
    }
    process.kill(holder.pid, 'SIGCONT');
    expect(taken).toMatchObject({ fence: claim.fence + 1, task: { id: taskId } });
    expect(twinTaken).toMatchObject({ fence: twinClaim.fence + 1, task: { id: twinId } });
    const rows = (await lead.caller.ok('team_task_list', { status: ['in_progress'] })).tasks;
    expect(rows.map((row) => [row.id, row.owner_agent_id])).toEqual(expect.arrayContaining([[taskId, otherId], [twinId, otherId]]));

    // The holder is alive and bound again: a read succeeds (and renews its heartbeat).
    expect((await holder.caller.ok('team_status')).me.id).toBe(holderId);
    const before = digestDatabase(dbPath);
    const old = { task_id: taskId, fence: claim.fence };
    const stale = {
      renew: await holder.caller.code('team_heartbeat', { tasks: [old] }),
      progress: await holder.caller.code('team_task_update', { ...old, progress: 'still on it' }),
      complete: await holder.caller.code('team_task_complete', { ...old, result: 'finished late' }),
      publish: await holder.caller.code('team_artifact_publish', { name: 'draft', content: 'after the stall', ...old }),
      message: await holder.caller.code('team_send', { to: team.agent.id, body: 'done with it', ...old }),
      release: await holder.caller.code('team_task_release', { ...old, reason: 'giving it back' }),
    };
    expect(stale).toEqual({
      renew: 'STALE_CLAIM',
      progress: 'STALE_CLAIM',
      complete: 'STALE_CLAIM',
      publish: 'STALE_CLAIM',
      message: 'STALE_CLAIM',
      release: 'STALE_CLAIM',
    });
    const after = digestDatabase(dbPath);
    expect(after).toEqual(before);
    expect(staleWriteDamage(stale, before, after)).toEqual([]);

    // Broken variant, in the same stale state: the holder's completion of the twin, written without
    // the fence check. It is accepted, and the store changes under a claim the holder lost.
    const brokenBefore = digestDatabase(dbPath);
    const writer = forkBrokenWriter(['stale-complete', dbPath, twinId, holderId], () => undefined);
    const brokenAnswer = (await writer.exited) === 0 ? null : 'WRITER_FAILED';
    expect(staleWriteDamage({ complete: brokenAnswer }, brokenBefore, digestDatabase(dbPath))).toEqual([
      'complete answered success',
      'audit_events changed',
      'task_status_counts changed',
      'tasks changed',
    ]);
    expect(checkDatabaseIntegrity(dbPath)).toBe('ok');

    const done = await other.caller.ok('team_task_complete', { task_id: taskId, fence: claim.fence + 1, result: 'finished by the new holder' });
    expect(done.task).toMatchObject({ status: 'done', owner_agent_id: otherId });
    const completions = async (task: string) => {
      const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() });
      try {
        const events = await store.listAuditEvents(team.team.id, { limit: 10_000 });
        return events.filter((e) => e.action === 'task.complete' && e.subject_id === task).map((e) => e.actor_agent_id);
      } finally {
        await store.close();
      }
    };
    expect(await completions(taskId)).toEqual([otherId]);
    // The broken writer's completion is a task.complete by the agent that lost the claim.
    expect(await completions(twinId)).toEqual([holderId]);
    process.stderr.write(
      `stalled holder: lease ${HOLDER_LEASE_MS} ms, task held by another agent ${takenAfterMs} ms after SIGSTOP; ` +
        `${Object.keys(stale).length} stale writes after SIGCONT refused, store unchanged\n`,
    );
  });
});
