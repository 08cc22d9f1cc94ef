import { BRIEF_EXCERPT_CHARS, CHECKPOINT_ARTIFACT } from '@codex-team/contracts';
import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';

const LEASE_MS = 60_000;

describe('context tools: the brief, checkpoints, restarting a teammate on a fresh thread', () => {
  let team: InProcessTeam;
  let lead: InProcessSession;
  let ann: InProcessSession;
  let annId: string;
  let annTicket: string;
  let leadId: string;

  beforeEach(async () => {
    team = await InProcessTeam.open({ leaseMs: LEASE_MS });
    const opened = await team.startTeam({ name: 'alpha', objective: 'ship the parser' });
    lead = opened.lead;
    leadId = opened.started.agent.id;
    const { mate, joined } = await team.joinTeammate(lead, 'ann', 'implementer');
    ann = mate;
    annId = joined.agent.id;
    annTicket = joined.resume_ticket;
  });
  afterEach(async () => {
    await team.close();
  });

  /** Ann holds one task; the lead sent her two messages, one long. */
  async function annAtWork(): Promise<{ taskId: string; fence: number; long: string }> {
    await lead.caller.ok('team_task_create', { tasks: [{ key: 'p', title: 'Parse it', required_role: 'implementer' }, { title: 'Later', depends_on: ['p'] }] });
    const claim = (await ann.caller.ok('team_task_next')).claim;
    if (claim === null) throw new Error('ann claimed nothing');
    const long = `please also cover the edge cases: ${'y'.repeat(400)}`;
    await lead.caller.ok('team_send', { to: annId, body: 'start with the lexer' });
    await lead.caller.ok('team_send', { to: annId, body: long });
    return { taskId: claim.task.id, fence: claim.fence, long };
  }

  it('team_brief gives an agent its claims with fences and leases, its unread messages quoted, the team in a few lines, and writes nothing', async () => {
    const { taskId, fence, long } = await annAtWork();
    const before = digestDatabase(team.dbPath);
    const { brief } = await ann.caller.ok('team_brief');
    expect(digestDatabase(team.dbPath)).toEqual(before);
    expect(brief).toMatchObject({
      me: { id: annId, name: 'ann', role: 'implementer', state: 'active' },
      team: { name: 'alpha', lead_agent_id: leadId },
      objective: 'ship the parser',
      claims: [{ task_id: taskId, title: 'Parse it', fence, lease_expires_at: expect.any(String) }],
      tasks_by_status: { in_progress: 1, blocked: 1 },
    });
    // Quoted oldest first; a long body is cut, ending with where to read it whole.
    expect(brief.unread).toEqual({
      count: 2,
      oldest: [
        { id: expect.stringMatching(/^ms_/), from_agent_id: leadId, excerpt: 'start with the lexer' },
        { id: expect.stringMatching(/^ms_/), from_agent_id: leadId, excerpt: `${long.slice(0, BRIEF_EXCERPT_CHARS)}… [+${long.length - BRIEF_EXCERPT_CHARS} chars: team_inbox]` },
      ],
    });
    expect(brief.read_next.join('\n')).toMatch(/team_inbox/);
    // Never acked by the brief: the inbox still has both, whole.
    expect((await ann.caller.ok('team_inbox')).messages.map((m) => m.body)).toEqual(['start with the lexer', long]);
    expect((await ann.caller.ok('team_brief')).brief.unread.count).toBe(2);
  });

  it('team_spawn {restart} gives a teammate a new resume ticket for a fresh thread: the old ticket stops working, the claims stay its own', async () => {
    const { taskId, fence } = await annAtWork();
    const restarted = await lead.caller.ok('team_spawn', { name: 'ann', role: 'implementer', restart: true });
    expect(restarted.agent.id).toBe(annId);
    expect(restarted.join_ticket).toMatch(/^resume_/);
    expect(restarted.spawn_instruction).toContain(restarted.join_ticket);
    expect(restarted.spawn_with).toMatch(/fork_turns.*none/);
    await ann.close();
    const stale = await team.connect();
    expect(await stale.caller.code('team_resume', { ticket: annTicket })).toBe('NOT_FOUND');
    const fresh = await team.connect();
    const resumed = await fresh.caller.ok('team_resume', { ticket: restarted.join_ticket });
    expect(resumed.agent.id).toBe(annId);
    expect(resumed.brief.claims).toEqual([expect.objectContaining({ task_id: taskId, fence })]);
    expect((await fresh.caller.ok('team_task_complete', { task_id: taskId, fence, result: 'parsed; tests pass' })).task.status).toBe('done');
    // What the instruction tells the teammate to keep for its next restart: tickets bind once, so the
    // one it used is spent and the resume_ticket team_resume answered is the one that works.
    expect(restarted.spawn_instruction).toMatch(/binds once.*resume_ticket team_resume answers/);
    await fresh.close();
    expect(await (await team.connect()).caller.code('team_resume', { ticket: restarted.join_ticket })).toBe('NOT_FOUND');
    expect((await (await team.connect()).caller.ok('team_resume', { ticket: resumed.resume_ticket })).agent.id).toBe(annId);
  });

  it('team_spawn {restart} is the lead\'s, for a teammate that joined, in its own role', async () => {
    expect(await ann.caller.code('team_spawn', { name: 'ann', role: 'implementer', restart: true })).toBe('DENIED');
    expect(await lead.caller.code('team_spawn', { name: 'nobody', role: 'implementer', restart: true })).toBe('NOT_FOUND');
    expect(await lead.caller.code('team_spawn', { name: 'ann', role: 'tester', restart: true })).toBe('CONFLICT');
    expect(await lead.caller.fails('team_spawn', { name: 'lead', role: 'lead', restart: true })).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/it is the lead/) });
  });

  it('team_checkpoint (lead) writes a numbered, checksummed checkpoint with a compact view artifact, and answers the latest when nothing happened since', async () => {
    const { taskId } = await annAtWork();
    expect(await ann.caller.code('team_checkpoint')).toBe('DENIED');
    const first = await lead.caller.ok('team_checkpoint');
    expect(first).toMatchObject({ created: true, checkpoint: { number: 1, format: 1, archive: { from_seq: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
    expect(first.checkpoint.state_digest).toMatch(/^[0-9a-f]{64}$/);
    const again = await lead.caller.ok('team_checkpoint');
    expect(again).toEqual({ ...first, created: false });
    const view = await lead.caller.ok('team_artifact_read', { artifact_id: first.checkpoint.artifact_id });
    expect(view.artifact.name).toBe(CHECKPOINT_ARTIFACT);
    expect(view.content).toContain(taskId);
    await lead.caller.ok('team_send', { to: annId, body: 'one more' });
    const second = await lead.caller.ok('team_checkpoint');
    expect(second.checkpoint).toMatchObject({ number: 2, archive: { from_seq: first.checkpoint.archive.to_seq + 1 } });
    expect(second.checkpoint.archive.sha256).not.toBe(first.checkpoint.archive.sha256);
  });
});
