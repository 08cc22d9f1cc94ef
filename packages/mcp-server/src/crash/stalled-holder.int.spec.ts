import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomIdGenerator, systemClock, type ToolOutput } from '@codex-team/contracts';
import { checkDatabaseIntegrity, digestDatabase, openSqliteTeamStore } from '@codex-team/store';
import { forkBrokenWriter, resultCode, sleep } from '../testing/crash-helpers';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from '../testing/stdio-process';

// A holder whose process stalls (SIGSTOP) past its lease while recovery hands its task to another
// agent; when it runs again (SIGCONT) every write it attempts about the old claim is refused.

jest.setTimeout(120_000);

const HOLDER_LEASE_MS = 1_500;
const common = ['--sweep-ms', '200', '--grace-ms', '300', '--stale-ms', '180000', '--log-level', 'warn'];
const holderArgs = ['--lease-ms', String(HOLDER_LEASE_MS), ...common];
// The others hold long leases, so nothing of theirs expires while the stale writes are checked.
const otherArgs = ['--lease-ms', '60000', ...common];

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
    const created = await lead.caller.ok('team_task_create', { tasks: [{ title: 'the task' }] });
    const taskId = created.tasks[0]?.id ?? '';
    const claim = await holder.caller.ok('team_task_claim', { task_id: taskId });
    await holder.caller.ok('team_artifact_publish', { name: 'draft', content: 'before the stall', task_id: taskId, fence: claim.fence });

    process.kill(holder.pid, 'SIGSTOP');
    const stalledAt = Date.now();
    let taken: ToolOutput<'team_task_claim'> | null = null;
    while (taken === null && Date.now() - stalledAt < 20_000) {
      const result = await other.caller.call('team_task_claim', { task_id: taskId });
      if (resultCode(result) === null) taken = result.structuredContent as ToolOutput<'team_task_claim'>;
      else await sleep(50);
    }
    const takenAfterMs = Date.now() - stalledAt;
    process.kill(holder.pid, 'SIGCONT');
    expect(taken).toMatchObject({ fence: claim.fence + 1, task: { owner_agent_id: otherId } });

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
    expect(digestDatabase(dbPath)).toEqual(before);

    const done = await other.caller.ok('team_task_complete', { task_id: taskId, fence: claim.fence + 1, result: 'finished by the new holder' });
    expect(done.task).toMatchObject({ status: 'done', owner_agent_id: otherId });
    const completions = async () => {
      const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() });
      try {
        const events = await store.listAuditEvents(team.team.id, { limit: 10_000 });
        return events.filter((e) => e.action === 'task.complete' && e.subject_id === taskId).map((e) => e.actor_agent_id);
      } finally {
        await store.close();
      }
    };
    expect(await completions()).toEqual([otherId]);
    process.stderr.write(
      `stalled holder: lease ${HOLDER_LEASE_MS} ms, task held by another agent ${takenAfterMs} ms after SIGSTOP; ` +
        `6 stale writes after SIGCONT refused, store unchanged\n`,
    );

    // Broken variant: the same stale completion without the fence check, as a careless writer does it.
    const brokenBefore = digestDatabase(dbPath);
    const writer = forkBrokenWriter(['stale-complete', dbPath, taskId, holderId], () => undefined);
    expect(await writer.exited).toBe(0);
    expect(digestDatabase(dbPath)).not.toEqual(brokenBefore);
    expect(await completions()).toEqual([otherId, holderId]);
    expect(checkDatabaseIntegrity(dbPath)).toBe('ok');
  });
});
