import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from './testing/stdio-process';

// Child teams over MCP, every agent its own codex-team-mcp process on one store, as Codex runs
// them: budget carving and refund, the depth limit, a refused and a cascading finalize, the roll-up
// of a delegated task, and a lost child lead reported to the parent's lead and taken over.

jest.setTimeout(180_000);

let dir: string;
let profilesDir: string;
let db = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-tree-'));
  profilesDir = join(dir, 'profiles');
  const defaultYaml = readFileSync(join(findBuiltinProfilesDir(__dirname), 'default.yaml'), 'utf8');
  mkdirSync(profilesDir);
  // A user profile with a budget small enough to carve by hand: 500 tokens soft, 1,000 hard.
  writeFileSync(
    join(profilesDir, 'tight.yaml'),
    defaultYaml.replace('name: default', 'name: tight').replace('soft_tokens: 8000000', 'soft_tokens: 500').replace('hard_tokens: 16000000', 'hard_tokens: 1000'),
  );
});
afterEach(async () => {
  await closeAllStdioAgents();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh store and a way to start agent processes on it (each one a codex-team-mcp). */
function store(extra: string[] = []): () => Promise<StdioAgent> {
  db += 1;
  const dbPath = join(dir, `tree-${db}.db`);
  return () => spawnStdioAgent(dbPath, ['--profiles-dir', profilesDir, '--log-level', 'warn', ...extra]);
}

/** A root team with its lead in its own process and the given tasks (keys -> ids). */
async function rootTeam(agent: () => Promise<StdioAgent>, tasks: { key: string; title: string; depends_on?: string[] }[], profile = 'default') {
  const lead = await agent();
  const started = await lead.caller.ok('team_start', { name: 'root', profile });
  const created = await lead.caller.ok('team_task_create', { tasks });
  return { lead, started, ids: created.keys };
}

/** A child team led by an agent in a process of its own (joined with the lead ticket). */
async function ticketChild(agent: () => Promise<StdioAgent>, parentLead: StdioAgent, args: Record<string, unknown>) {
  const started = await parentLead.caller.ok('team_child', { action: 'start', lead: 'ticket', ...args });
  expect(started.spawn_instruction).toContain(String(started.lead_ticket));
  const lead = await agent();
  await lead.caller.ok('team_join', { ticket: started.lead_ticket });
  return { lead, started };
}

/** A teammate of the team `lead` acts in (or of `team`), joined in a process of its own. */
async function teammate(agent: () => Promise<StdioAgent>, lead: StdioAgent, name: string, team?: string) {
  const spawned = await lead.caller.ok('team_spawn', { name, role: 'implementer', ...(team === undefined ? {} : { team }) });
  const mate = await agent();
  const joined = await mate.caller.ok('team_join', { ticket: spawned.join_ticket });
  return { mate, joined };
}

describe('child teams over stdio, one process per agent (built binary)', () => {
  it("carves a child's budget from what its parent has left and refunds what it did not use when it finishes", async () => {
    const agent = store();
    const { lead, ids } = await rootTeam(agent, [{ key: 'a', title: 'parse' }, { key: 'b', title: 'docs' }], 'tight');
    const child = await ticketChild(agent, lead, { tasks: [ids['a']], tokens: 600 });
    expect(child.started.team.budget_tokens).toBe(600);
    expect((await lead.caller.ok('team_run_summary')).usage?.budget).toMatchObject({ used_tokens: 600, hard_tokens: 1000, remaining_tokens: 400 });
    const refused = await lead.caller.fails('team_child', { action: 'start', tasks: [ids['b']], tokens: 500 });
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { rule: 'hierarchy.budget', left_tokens: 400 } });
    // The child works under its carve: 450 of 600 used (past its scaled soft line of 300).
    const { mate } = await teammate(agent, child.lead, 'cid');
    const next = await mate.caller.ok('team_task_next');
    if (next.claim === null) throw new Error(`no claim: ${String(next.reason)}`);
    await mate.caller.ok('team_task_complete', {
      task_id: next.claim.task.id,
      fence: next.claim.fence,
      result: 'parser done, tested',
      usage: { input_tokens: 400, output_tokens: 50 },
    });
    expect((await child.lead.caller.ok('team_status')).hints?.budget).toBe('soft_exceeded');
    expect((await child.lead.caller.ok('team_run_summary')).usage?.budget).toMatchObject({ state: 'soft_exceeded', used_tokens: 450, hard_tokens: 600 });
    await child.lead.caller.ok('team_finalize', { summary: 'parser built' });
    // Refund: the parent is charged the 450 used, not the 600 carved, and may carve again.
    const status = await lead.caller.ok('team_status');
    expect((await lead.caller.ok('team_run_summary')).usage?.budget).toMatchObject({ used_tokens: 450, remaining_tokens: 550 });
    expect(status.team.rolled_up_tokens).toBe(450);
    expect(status.children).toEqual([expect.stringMatching(/budget 450\/600 tokens; finalized \(done\)/)]);
    const again = await lead.caller.ok('team_child', { action: 'start', tasks: [ids['b']], tokens: 550 });
    expect(again.team.budget_tokens).toBe(550);
  });

  it('refuses a child deeper than the profile allows, from the lead of the team at the limit and from above', async () => {
    const agent = store();
    const { lead, ids } = await rootTeam(agent, [{ key: 'a', title: 'top' }]);
    const c1 = await ticketChild(agent, lead, { tasks: [ids['a']] });
    const [inC1] = c1.started.task_ids;
    const c2 = await ticketChild(agent, c1.lead, { tasks: [inC1] });
    expect(c2.started.team).toMatchObject({ name: 'root.1.1', parent_team_id: c1.started.team.id });
    const [inC2] = c2.started.task_ids;
    const refused = await c2.lead.caller.fails('team_child', { action: 'start', tasks: [inC2] });
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { rule: 'hierarchy.max_depth', depth: 3, max_depth: 2 } });
    expect(await lead.caller.fails('team_child', { action: 'start', tasks: [inC2], team: c2.started.team.id })).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    // The refusal is audited in the team that asked, like any policy refusal.
    const replay = await c2.lead.caller.ok('team_run_summary', { log: 'audit' });
    expect((replay.log?.events ?? []).filter((event) => event.action === 'policy.deny').map((event) => event.data['rule'])).toEqual(['hierarchy.max_depth', 'hierarchy.max_depth']);
  });

  it('refuses to finalize a parent with live children; forced, it cancels them and their teammates can change nothing', async () => {
    const agent = store();
    const { lead, ids } = await rootTeam(agent, [{ key: 'a', title: 'for the child' }, { key: 'b', title: 'for the root' }]);
    const child = await ticketChild(agent, lead, { tasks: [ids['a']] });
    const { mate } = await teammate(agent, child.lead, 'cid');
    const claim = await mate.caller.ok('team_task_next');
    if (claim.claim === null) throw new Error('no claim');
    const refused = await lead.caller.fails('team_finalize', { summary: 'too early' });
    expect(refused).toMatchObject({ code: 'CONFLICT', details: { rule: 'hierarchy.live_children', live_children: [child.started.team.id] } });
    const finalized = await lead.caller.ok('team_finalize', { summary: 'stopping everything', force: true });
    expect(finalized.team.state).toBe('finalized');
    expect((await child.lead.caller.ok('team_status')).team.state).toBe('finalized');
    expect(await mate.caller.code('team_task_complete', { task_id: claim.claim.task.id, fence: claim.claim.fence, result: 'too late' })).toBe('TEAM_FINALIZED');
    const rollup = (await lead.caller.ok('team_run_summary', { log: 'audit' })).log?.events.find((event) => event.action === 'team.rollup');
    expect(rollup?.data['child']).toMatchObject({ team_id: child.started.team.id, outcome: 'cancelled' });
    expect((await lead.caller.ok('team_task_list')).tasks.map((task) => task.status)).toEqual(['cancelled', 'cancelled']);
  });

  it("rolls a finished child up: the delegated task is done with the child's summary and artifacts as evidence", async () => {
    const agent = store();
    const { lead, ids } = await rootTeam(agent, [
      { key: 'a', title: 'build the parser' },
      { key: 'ship', title: 'ship it', depends_on: ['a'] },
    ]);
    const spec = await lead.caller.ok('team_artifact_publish', { name: 'grammar.md', content: 'expr := term (+ term)*', task_id: ids['a'] });
    const child = await ticketChild(agent, lead, { tasks: [ids['a']] });
    const { mate } = await teammate(agent, child.lead, 'cid');
    // The child sees its brief and what was shared down with it, nothing else of its parent.
    const parent = child.started.team.parent_team_id;
    expect((await mate.caller.ok('team_task_list', { team: parent })).tasks.map((task) => task.id)).toEqual([ids['a']]);
    expect((await mate.caller.ok('team_artifact_read', { artifact_id: spec.artifact.id, team: parent })).content).toContain('expr');
    const next = await mate.caller.ok('team_task_next');
    if (next.claim === null) throw new Error('no claim');
    const notes = await mate.caller.ok('team_artifact_publish', { name: 'parser.md', content: 'done: 12 tests', task_id: next.claim.task.id, fence: next.claim.fence });
    await mate.caller.ok('team_task_complete', { task_id: next.claim.task.id, fence: next.claim.fence, result: 'parser with tests' });
    const parentStatus = await lead.caller.ok('team_status');
    expect(parentStatus.children).toEqual([expect.stringMatching(/1\/1 done/)]);
    await child.lead.caller.ok('team_finalize', { summary: 'parser built; 12 tests pass' });
    const tasks = (await lead.caller.ok('team_task_list')).tasks;
    expect(tasks.find((task) => task.id === ids['a'])).toMatchObject({ status: 'done', delegated_to: child.started.team.id });
    const done = (await lead.caller.ok('team_task_list', { task_id: ids['a'] ?? '' })).tasks[0];
    expect(done !== undefined && 'result' in done ? done.result : null).toContain('parser built; 12 tests pass');
    expect(tasks.find((task) => task.id === ids['ship'])?.status).toBe('ready');
    const rollup = (await lead.caller.ok('team_run_summary', { log: 'audit' })).log?.events.find((event) => event.action === 'team.rollup');
    expect(rollup?.data['child']).toMatchObject({ outcome: 'done', artifact_ids: [notes.artifact.id] });
    // The evidence is readable by the parent's lead, in the child.
    expect((await lead.caller.ok('team_artifact_read', { artifact_id: notes.artifact.id, team: child.started.team.id })).content).toBe('done: 12 tests');
    // A teammate of the parent, in its own process, takes the work the roll-up unblocked.
    const { mate: ann } = await teammate(agent, lead, 'ann');
    const shipped = await ann.caller.ok('team_task_next');
    expect(shipped.claim?.task.id).toBe(ids['ship']);
    const summary = await lead.caller.ok('team_run_summary');
    expect(summary.children).toEqual([expect.stringContaining(`${child.started.team.id} root.1: 1/1 done`)]);
  });

  it("tells the parent's lead of a lost child lead, leaves the child intact, and lets it take the child over", async () => {
    // Quick recovery: 2 s leases, a silent agent is lost after 6 s, every process sweeps every 250 ms.
    // (At 3 s, a teammate's process that took longer to start on a loaded machine found its
    // invitation withdrawn: NOT_FOUND on its join.)
    const agent = store(['--lease-ms', '2000', '--stale-ms', '6000', '--sweep-ms', '250', '--grace-ms', '500']);
    const { lead, ids } = await rootTeam(agent, [{ key: 'a', title: 'for the child' }]);
    const child = await ticketChild(agent, lead, { tasks: [ids['a']] });
    const { mate, joined } = await teammate(agent, child.lead, 'cid');
    const claim = await mate.caller.ok('team_task_next');
    if (claim.claim === null) throw new Error('no claim');
    // The child's lead process dies without a word; its teammate keeps working (and heartbeating).
    process.kill(child.lead.pid, 'SIGKILL');
    await child.lead.exited;
    let notice = '';
    const deadline = Date.now() + 30_000;
    while (notice === '' && Date.now() < deadline) {
      await mate.caller.ok('team_heartbeat', { tasks: [{ task_id: claim.claim.task.id, fence: claim.claim.fence }] });
      const inbox = await lead.caller.ok('team_inbox');
      notice = inbox.messages.find((message) => message.from_agent_id === undefined && message.body.includes('is lost'))?.body ?? '';
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(notice).toContain(`team_child {"action":"takeover","team":"${child.started.team.id}"}`);
    // Intact: still active, its teammate still holds its claim; one line says the lead is lost.
    const status = await lead.caller.ok('team_status');
    expect(status.children).toEqual([expect.stringContaining('LEAD LOST')]);
    expect((await lead.caller.ok('team_task_list', { team: child.started.team.id })).tasks[0]).toMatchObject({ status: 'in_progress', owner_agent_id: joined.agent.id });
    // The parent's lead takes it over and finishes it as its lead.
    const taken = await lead.caller.ok('team_child', { action: 'takeover', team: child.started.team.id });
    expect(taken.lead.principal_agent_id).toBe(status.me.id);
    await mate.caller.ok('team_task_complete', { task_id: claim.claim.task.id, fence: claim.claim.fence, result: 'done while the lead was away' });
    await lead.caller.ok('team_finalize', { team: child.started.team.id, summary: 'finished after takeover' });
    expect((await lead.caller.ok('team_task_list')).tasks[0]).toMatchObject({ status: 'done' });
    expect((await lead.caller.ok('team_status')).children).toEqual([expect.stringContaining('finalized (done)')]);
  });
});
