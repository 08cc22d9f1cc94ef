import type { Task } from '@codex-team/contracts';
import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';

const LEASE_MS = 30_000;

describe('task tools', () => {
  let team: InProcessTeam;
  let lead: InProcessSession;
  let coder: InProcessSession;
  let tester: InProcessSession;
  let coderId: string;

  beforeEach(async () => {
    team = await InProcessTeam.open({ leaseMs: LEASE_MS });
    ({ lead } = await team.startTeam());
    const joined = await team.joinTeammate(lead, 'ann', 'implementer');
    coder = joined.mate;
    coderId = joined.joined.agent.id;
    ({ mate: tester } = await team.joinTeammate(lead, 'ted', 'tester'));
  });
  afterEach(async () => {
    await team.close();
  });

  const createDag = () =>
    lead.caller.ok('team_task_create', {
      tasks: [
        { key: 'build', title: 'Build it', required_role: 'implementer', priority: 5 },
        { key: 'test', title: 'Test it', required_role: 'tester', depends_on: ['build'] },
        { key: 'docs', title: 'Document it', priority: 1 },
      ],
    });

  it('team_task_create makes a DAG in one call, resolving keys to ids, and answers ids and keys only', async () => {
    const created = await createDag();
    const byKey = created.keys;
    expect(Object.keys(byKey).sort()).toEqual(['build', 'docs', 'test']);
    expect(created).toEqual({ ids: [byKey['build'], byKey['test'], byKey['docs']], keys: byKey });
    const { tasks } = await lead.caller.ok('team_task_list', {});
    expect(tasks.find((task) => task.id === byKey['test'])).toEqual({
      id: byKey['test'],
      title: 'Test it',
      status: 'blocked',
      required_role: 'tester',
      depends_on: [byKey['build']],
    });
    expect(tasks.find((task) => task.id === byKey['build'])?.status).toBe('ready');
  });

  it('team_task_create refuses a cycle, an unknown dependency and duplicate keys, changing nothing', async () => {
    const before = digestDatabase(team.dbPath);
    const cycle = {
      tasks: [
        { key: 'a', title: 'A', depends_on: ['b'] },
        { key: 'b', title: 'B', depends_on: ['a'] },
      ],
    };
    expect(await lead.caller.code('team_task_create', cycle)).toBe('CYCLE_DETECTED');
    expect(await lead.caller.code('team_task_create', { tasks: [{ title: 'x', depends_on: ['tk_zzzzzzzz'] }] })).toBe('NOT_FOUND');
    expect(await lead.caller.code('team_task_create', { tasks: [{ key: 'k', title: 'x' }, { key: 'k', title: 'y' }] })).toBe(
      'INVALID_INPUT',
    );
    expect(await lead.caller.code('team_task_create', { tasks: [] })).toBe('INVALID_INPUT');
    expect(digestDatabase(team.dbPath)).toEqual(before);
  });

  it('team_task_list filters by status and owner and pages by id', async () => {
    await createDag();
    const ready = await coder.caller.ok('team_task_list', { status: ['ready'] });
    expect(ready.tasks.map((task) => task.title).sort()).toEqual(['Build it', 'Document it']);
    const first = await coder.caller.ok('team_task_list', { limit: 2 });
    expect(first.tasks).toHaveLength(2);
    expect(first.next_after).not.toBeNull();
    const rest = await coder.caller.ok('team_task_list', { after: first.next_after, limit: 2 });
    expect(rest.tasks).toHaveLength(1);
    expect(rest.next_after).toBeNull();
    const claim = await coder.caller.ok('team_task_next');
    const mine = await lead.caller.ok('team_task_list', { owner_agent_id: coderId });
    expect(mine.tasks).toEqual([
      { id: claim.claim?.task.id, title: 'Build it', status: 'in_progress', priority: 5, required_role: 'implementer', owner_agent_id: coderId, fence: 1 },
    ]);
  });

  it('team_task_list filters by required role and by what is ready for the caller, and reads one task whole', async () => {
    const { keys } = await createDag();
    expect((await lead.caller.ok('team_task_list', { role: 'tester' })).tasks.map((task) => task.id)).toEqual([keys['test']]);
    // Ready for a tester: the role-free task; the implementer's is not its role, the tester's is blocked.
    expect((await tester.caller.ok('team_task_list', { ready: true })).tasks.map((task) => task.id)).toEqual([keys['docs']]);
    expect((await coder.caller.ok('team_task_list', { ready: true })).tasks.map((task) => task.id)).toEqual([keys['build'], keys['docs']]);
    const long = 'x'.repeat(3_000);
    await lead.caller.ok('team_task_update', { task_id: keys['docs'], description: long });
    const full = await lead.caller.ok('team_task_list', { full: true });
    const docs = full.tasks.find((task) => task.id === keys['docs']) as Task;
    expect(docs.description).toBe(`${'x'.repeat(1_000)}… [+2000 chars: team_task_list {"task_id":"${keys['docs']}"}]`);
    expect(full.tasks.find((task) => task.id === keys['test'])).toMatchObject({ team_id: expect.any(String), description: '', created_by: expect.any(String) });
    const one = await lead.caller.ok('team_task_list', { task_id: keys['docs'] });
    expect(one.tasks).toEqual([expect.objectContaining({ id: keys['docs'], description: long })]);
    expect(await lead.caller.code('team_task_list', { task_id: 'tk_zzzzzzzz' })).toBe('NOT_FOUND');
  });

  it('team_task_next claims the best ready task for the caller role, or says why there is none', async () => {
    const { keys } = await createDag();
    const coderClaim = await coder.caller.ok('team_task_next');
    expect(coderClaim.claim).toEqual({
      task: { id: keys['build'], title: 'Build it', description: '', priority: 5, required_role: 'implementer', depends_on: [], attempts: 1 },
      fence: 1,
      lease_expires_at: expect.any(String),
    });
    expect(Date.parse(coderClaim.claim!.lease_expires_at) - team.clock.now()).toBe(LEASE_MS);
    const testerClaim = await tester.caller.ok('team_task_next');
    expect(testerClaim.claim?.task.id).toBe(keys['docs']);
    const none = await tester.caller.ok('team_task_next');
    expect(none.claim).toBeNull();
    expect(none.reason).toEqual(expect.any(String));
  });

  it('team_task_next {task_id} refuses tasks that are blocked, of another role or unknown', async () => {
    const { keys } = await createDag();
    const before = digestDatabase(team.dbPath);
    expect(await tester.caller.code('team_task_next', { task_id: keys['test'] })).toBe('CONFLICT');
    expect(await tester.caller.code('team_task_next', { task_id: keys['build'] })).toBe('DENIED');
    expect(await tester.caller.code('team_task_next', { task_id: 'tk_zzzzzzzz' })).toBe('NOT_FOUND');
    expect(digestDatabase(team.dbPath)).toEqual(before);
    const claim = (await coder.caller.ok('team_task_next', { task_id: keys['build'] })).claim!;
    expect(claim).toMatchObject({ task: { id: keys['build'] }, fence: 1 });
    expect((await lead.caller.ok('team_task_list', { task_id: keys['build'] })).tasks[0]).toMatchObject({ owner_agent_id: coderId });
    expect(await coder.caller.code('team_task_next', { task_id: keys['build'] })).toBe('CONFLICT');
  });

  it('team_task_update reports progress with the fence and renews the lease; a stale fence changes nothing', async () => {
    await createDag();
    const { claim } = await coder.caller.ok('team_task_next');
    team.clock.advance(10_000);
    const updated = await coder.caller.ok('team_task_update', { task_id: claim!.task.id, fence: claim!.fence, progress: 'half' });
    expect(updated.task).toEqual({ id: claim!.task.id, title: 'Build it', status: 'in_progress', priority: 5, required_role: 'implementer', owner_agent_id: coderId, fence: 1 });
    expect(((await coder.caller.ok('team_task_list', { task_id: claim!.task.id })).tasks[0] as Task).progress).toBe('half');
    expect(Date.parse(updated.lease_expires_at!)).toBe(team.clock.now() + LEASE_MS);
    const before = digestDatabase(team.dbPath);
    expect(await coder.caller.code('team_task_update', { task_id: claim!.task.id, fence: claim!.fence + 1, progress: 'x' })).toBe(
      'STALE_CLAIM',
    );
    expect(await tester.caller.code('team_task_update', { task_id: claim!.task.id, fence: claim!.fence, progress: 'x' })).toBe(
      'STALE_CLAIM',
    );
    expect(digestDatabase(team.dbPath)).toEqual(before);
  });

  it('team_task_update lets the creator or lead edit or cancel a task that is not in progress', async () => {
    const { keys } = await createDag();
    const edited = await lead.caller.ok('team_task_update', { task_id: keys['docs'], title: 'Write the docs', priority: 9 });
    expect(edited.task).toMatchObject({ title: 'Write the docs', priority: 9 });
    expect(await coder.caller.code('team_task_update', { task_id: keys['docs'], title: 'mine now' })).toBe('DENIED');
    const cancelled = await lead.caller.ok('team_task_update', { task_id: keys['docs'], cancel: true });
    expect(cancelled.task.status).toBe('cancelled');
  });

  it('team_task_complete finishes the task once, unblocks dependants, and refuses an expired lease', async () => {
    const { keys } = await createDag();
    const { claim } = await coder.caller.ok('team_task_next');
    const done = await coder.caller.ok('team_task_complete', {
      task_id: claim!.task.id,
      fence: claim!.fence,
      result: 'built; npm test passes',
    });
    expect(done.task).toEqual({ id: claim!.task.id, title: 'Build it', status: 'done', required_role: 'implementer', owner_agent_id: coderId });
    expect(((await lead.caller.ok('team_task_list', { task_id: claim!.task.id })).tasks[0] as Task).result).toBe('built; npm test passes');
    expect(done.unblocked_task_ids).toEqual([keys['test']]);
    expect(await coder.caller.code('team_task_complete', { task_id: claim!.task.id, fence: claim!.fence, result: 'again' })).toBe(
      'STALE_CLAIM',
    );
    const testClaim = (await tester.caller.ok('team_task_next', { task_id: keys['test'] })).claim!;
    team.clock.advance(LEASE_MS + 1);
    const before = digestDatabase(team.dbPath);
    expect(
      await tester.caller.code('team_task_complete', { task_id: testClaim.task.id, fence: testClaim.fence, result: 'late' }),
    ).toBe('STALE_CLAIM');
    expect(digestDatabase(team.dbPath)).toEqual(before);
  });

  it('team_task_release returns the task to the pool; the next claim gets a higher fence and the old one is stale', async () => {
    const { keys } = await createDag();
    const first = (await lead.caller.ok('team_task_next', { task_id: keys['docs'] })).claim!;
    const released = await lead.caller.ok('team_task_release', { task_id: keys['docs'], fence: first.fence, reason: 'busy elsewhere' });
    expect(released.task).toEqual({ id: keys['docs'], title: 'Document it', status: 'ready', priority: 1 });
    const second = (await tester.caller.ok('team_task_next', { task_id: keys['docs'] })).claim!;
    expect(second.fence).toBeGreaterThan(first.fence);
    expect(await lead.caller.code('team_task_release', { task_id: keys['docs'], fence: first.fence, reason: 'again' })).toBe(
      'STALE_CLAIM',
    );
    expect(await lead.caller.code('team_task_complete', { task_id: keys['docs'], fence: first.fence, result: 'r' })).toBe(
      'STALE_CLAIM',
    );
  });
});
