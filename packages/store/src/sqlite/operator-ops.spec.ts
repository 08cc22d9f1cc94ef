import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isTeamError } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore, type SqliteTeamStore } from '../sqlite-team-store';
import type { Actor } from '../team-store';
import { digestDatabase } from '../testing/database-digest';

let dir: string;
let path: string;
let clock: FakeClock;
let store: SqliteTeamStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-operator-ops-'));
  path = join(dir, 'team.db');
  clock = new FakeClock();
  store = await openSqliteTeamStore({ path, clock, ids: new SequentialIdGenerator() });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (isTeamError(error)) return error.code;
    throw error;
  }
  return 'ok';
}

/** A root team with a teammate and two tasks, the first delegated to a child team whose lead the root's lead plays. */
async function tree(name = 'root'): Promise<{ lead: Actor; ann: Actor; child: Actor; delegated: string; open: string }> {
  const bound = await store.createTeam({ name, objective: 'o', maxThreads: 4, profile: 'default', leadName: 'lead', resumeTicketHash: `r-${name}` });
  const lead = { teamId: bound.team.id, agentId: bound.agent.id };
  await store.spawnAgent(lead, { name: 'ann', role: 'implementer', joinTicketHash: `j-${name}` });
  const joined = await store.joinAgent({ joinTicketHash: `j-${name}`, resumeTicketHash: `ra-${name}` });
  const ann = { teamId: joined.team.id, agentId: joined.agent.id };
  const created = await store.createTasks(lead, {
    tasks: [
      { title: 'delegated part', description: '', priority: 0, depends_on: [] },
      { title: 'own part', description: '', priority: 0, depends_on: [] },
    ],
  });
  const [delegated, open] = created.tasks.map((task) => task.id);
  const started = await store.startChild(lead, { tasks: [delegated ?? ''], tokens: 1_000 });
  return { lead, ann, child: { teamId: started.team.id, agentId: started.lead.id }, delegated: delegated ?? '', open: open ?? '' };
}

describe('the operator closing a team', () => {
  it('refuses a team with work open, unless forced, and changes nothing when it refuses', async () => {
    const { lead } = await tree();
    const before = digestDatabase(path);
    expect(await codeOf(store.operatorClose(lead.teamId, { cancel: false, force: false, reason: '' }))).toBe('CONFLICT');
    expect(digestDatabase(path)).toEqual(before);
    expect(await codeOf(store.operatorClose('tm_nope', { cancel: true, force: false, reason: '' }))).toBe('NOT_FOUND');
  });

  it("cancelling a child team rolls its parent's delegated task up as the parent's profile says, and leaves the parent running", async () => {
    const { lead, child, delegated } = await tree();
    const closed = await store.operatorClose(child.teamId, { cancel: true, force: false, reason: 'not needed' });
    expect(closed.team).toMatchObject({ state: 'finalized', cancelled_at: expect.any(String), summary: 'cancelled by the operator: not needed' });
    const parent = await store.readTeam(lead.teamId);
    expect(parent.team.state).toBe('active');
    // The default profile's hierarchy.on_child_failure returns a cancelled child's work to the pool.
    expect(parent.tasks.find((task) => task.id === delegated)).toMatchObject({ status: 'ready' });
    expect(parent.tasks.find((task) => task.id === delegated)?.delegated_to).toBeUndefined();
    const events = await store.listAuditEvents(lead.teamId);
    expect(events.filter((event) => event.action === 'team.rollup').map((event) => event.actor_kind)).toEqual(['operator']);
  });

  it('cancels a whole tree, tells every agent, and audits every change as the operator', async () => {
    const { lead, ann, child } = await tree();
    await store.sendMessage(ann, { to: lead.agentId, body: 'working', artifact_refs: [] });
    const closed = await store.operatorClose(lead.teamId, { cancel: true, force: false, reason: '' });
    // Its own part, and the delegated one its cancelled child returned to it.
    expect(closed.cancelled_task_ids).toHaveLength(2);
    expect((await store.readTeam(child.teamId)).team.state).toBe('finalized');
    const inbox = await store.readInbox(ann, { ack: [] });
    expect(inbox.messages).toEqual([expect.objectContaining({ sender_kind: 'operator', from_agent_id: null, to_agent_id: null, body: expect.stringContaining('The operator cancelled team root') })]);
    const events = await store.listAuditEvents(lead.teamId);
    const byOperator = events.filter((event) => event.actor_kind === 'operator');
    // The child closes first and rolls up into the root, then the root closes and its agents are told.
    expect(byOperator.map((event) => event.action)).toEqual(['team.rollup', 'team.finalize', 'message.send']);
    expect(byOperator.every((event) => event.actor_agent_id === null)).toBe(true);
    expect(events.filter((event) => event.action === 'message.send' && event.actor_kind === undefined).map((event) => event.actor_agent_id)).toEqual([ann.agentId]);
    expect(await codeOf(store.operatorClose(lead.teamId, { cancel: true, force: false, reason: '' }))).toBe('TEAM_FINALIZED');
    expect(await codeOf(store.operatorSend(lead.teamId, { to: '*', body: 'late' }))).toBe('TEAM_FINALIZED');
  });
});

describe('the operator sending', () => {
  it('addresses the lead, an agent by name or id, or everyone; refuses an unknown agent, an empty or oversized body', async () => {
    const { lead, ann } = await tree();
    expect((await store.operatorSend(lead.teamId, { to: 'lead', body: 'a' })).message.to_agent_id).toBe(lead.agentId);
    expect((await store.operatorSend(lead.teamId, { to: 'ann', body: 'b' })).message.to_agent_id).toBe(ann.agentId);
    expect((await store.operatorSend(lead.teamId, { to: ann.agentId, body: 'c' })).message.to_agent_id).toBe(ann.agentId);
    expect((await store.operatorSend(lead.teamId, { to: '*', body: 'd' })).message.to_agent_id).toBeNull();
    expect(await codeOf(store.operatorSend(lead.teamId, { to: 'bob', body: 'x' }))).toBe('NOT_FOUND');
    expect(await codeOf(store.operatorSend(lead.teamId, { to: 'ann', body: '  ' }))).toBe('INVALID_INPUT');
    expect(await codeOf(store.operatorSend(lead.teamId, { to: 'ann', body: 'x'.repeat(70_000) }))).toBe('PAYLOAD_TOO_LARGE');
    expect((await store.readInbox(ann, { ack: [] })).messages.map((m) => m.body)).toEqual(['b', 'c', 'd']);
  });
});

describe('prune', () => {
  /** Rows of `teamIds` in every table that has a team_id column (and the teams table itself). */
  function rowsOf(teamIds: readonly string[]): Record<string, number> {
    const db = new Database(path, { readonly: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).filter((table) =>
        (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).includes('team_id'),
      );
      const ids = JSON.stringify(teamIds);
      const counts: Record<string, number> = {
        teams: db.prepare('SELECT COUNT(*) FROM teams WHERE id IN (SELECT value FROM json_each(?))').pluck().get(ids) as number,
      };
      for (const table of tables) {
        counts[table] = db.prepare(`SELECT COUNT(*) FROM ${table} WHERE team_id IN (SELECT value FROM json_each(?))`).pluck().get(ids) as number;
      }
      return counts;
    } finally {
      db.close();
    }
  }

  it('removes old finalized trees with every row of theirs (checkpoints and their archive included), never an active team or a tree holding one; a dry run writes nothing', async () => {
    const old = await tree('old');
    await store.publishArtifact(old.ann, { name: 'notes.md', content: 'n', media_type: 'text/markdown', plan: false });
    // A checkpoint seals the team's events so far: pruning takes the checkpoint and its archive too.
    expect(await store.checkpointTeam(old.lead.teamId)).toMatchObject({ created: true });
    await store.operatorClose(old.lead.teamId, { cancel: true, force: false, reason: '' });
    clock.advance(3_600_000);
    const running = await tree('running');
    // A finalized child of a running tree is not pruned on its own.
    await store.operatorClose(running.child.teamId, { cancel: true, force: false, reason: '' });
    clock.advance(3_600_000);
    const cutoff = clock.now() - 1_800_000;
    const before = digestDatabase(path);
    const dry = await store.pruneTeams({ finalizedBefore: cutoff, dryRun: true });
    expect(dry).toEqual({ team_ids: [old.child.teamId, old.lead.teamId], roots: [expect.objectContaining({ id: old.lead.teamId, name: 'old' })], dry_run: true });
    expect(digestDatabase(path)).toEqual(before);
    const oldIds = [old.lead.teamId, old.child.teamId];
    expect(Object.values(rowsOf(oldIds)).some((n) => n > 0)).toBe(true);
    const pruned = await store.pruneTeams({ finalizedBefore: cutoff, dryRun: false });
    expect(pruned.team_ids).toEqual(dry.team_ids);
    expect(Object.entries(rowsOf(oldIds)).filter(([, n]) => n > 0)).toEqual([]);
    expect((await store.listTeams()).map((team) => team.id).sort()).toEqual([running.lead.teamId, running.child.teamId].sort());
    expect((await store.readTeam(running.lead.teamId)).team.state).toBe('active');
    expect((await store.readTeam(running.child.teamId)).team.state).toBe('finalized');
    // Nothing left refers to a removed row.
    const db = new Database(path, { readonly: true });
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });
});
