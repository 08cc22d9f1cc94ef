import { createHash } from 'node:crypto';
import { LIMITS } from '@codex-team/contracts';
import { digestDatabase } from '@codex-team/store/testing';
import { InProcessTeam, type InProcessSession } from './testing/in-process-team';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('message and artifact tools', () => {
  let team: InProcessTeam;
  let lead: InProcessSession;
  let ann: InProcessSession;
  let bob: InProcessSession;
  let leadId: string;
  let annId: string;

  beforeEach(async () => {
    team = await InProcessTeam.open();
    const started = await team.startTeam();
    lead = started.lead;
    leadId = started.started.agent.id;
    const joinedAnn = await team.joinTeammate(lead, 'ann', 'implementer');
    ann = joinedAnn.mate;
    annId = joinedAnn.joined.agent.id;
    ({ mate: bob } = await team.joinTeammate(lead, 'bob', 'reviewer'));
  });
  afterEach(async () => {
    await team.close();
  });

  it('team_send delivers direct messages and broadcasts; team_inbox acks and pages them', async () => {
    const direct = await ann.caller.ok('team_send', { to: leadId, body: 'build is green' });
    expect(direct).toEqual({ duplicate: false, message_id: expect.stringMatching(/^ms_/) });
    const broadcast = await lead.caller.ok('team_send', { to: '*', body: 'freeze at 5' });
    const leadInbox = await lead.caller.ok('team_inbox', {});
    // Short rows: a direct message names its sender; a broadcast says so.
    expect(leadInbox.messages).toEqual([{ id: direct.message_id, from_agent_id: annId, body: 'build is green', created_at: expect.any(String) }]);
    const bobFirst = await bob.caller.ok('team_inbox', { limit: 1 });
    expect(bobFirst).toMatchObject({ messages: [{ id: broadcast.message_id, from_agent_id: leadId, broadcast: true, body: 'freeze at 5' }], remaining: 0, acked: 0 });
    const acked = await bob.caller.ok('team_inbox', { ack: [broadcast.message_id] });
    expect(acked).toMatchObject({ messages: [], acked: 1, remaining: 0 });
    expect(await bob.caller.code('team_inbox', { ack: [direct.message_id] })).toBe('NOT_FOUND');
  });

  it('team_send stores a retried idempotency key once and refuses the key for another message', async () => {
    const args = { to: '*', body: 'status: done', idempotency_key: 'done-1' };
    const first = await ann.caller.ok('team_send', args);
    const before = digestDatabase(team.dbPath);
    const retry = await ann.caller.ok('team_send', args);
    expect(retry).toEqual({ message_id: first.message_id, duplicate: true });
    expect(digestDatabase(team.dbPath)).toEqual(before);
    expect(await ann.caller.code('team_send', { ...args, body: 'something else' })).toBe('CONFLICT');
  });

  it('team_send refuses an oversized body, an unknown recipient and yourself, changing nothing', async () => {
    const before = digestDatabase(team.dbPath);
    const big = await ann.caller.fails('team_send', { to: leadId, body: 'x'.repeat(LIMITS.messageBodyMaxBytes + 1) });
    expect(big).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { max_bytes: LIMITS.messageBodyMaxBytes } });
    expect(await ann.caller.code('team_send', { to: 'ag_zzzzzzzz', body: 'hi' })).toBe('NOT_FOUND');
    expect(await ann.caller.code('team_send', { to: annId, body: 'hi' })).toBe('INVALID_INPUT');
    expect(await ann.caller.code('team_send', { to: leadId, body: '' })).toBe('INVALID_INPUT');
    expect(digestDatabase(team.dbPath)).toEqual(before);
  });

  it('team_artifact_publish adds versions with sha256 and size; read and list find them', async () => {
    const v1 = await ann.caller.ok('team_artifact_publish', { name: 'design.md', content: '# v1', media_type: 'text/markdown' });
    const v2 = await bob.caller.ok('team_artifact_publish', { name: 'design.md', content: '# v2 ✓' });
    expect(v1.artifact).toEqual({ id: expect.stringMatching(/^af_/), name: 'design.md', version: 1, size_bytes: 4, media_type: 'text/markdown' });
    expect(v2.artifact).toMatchObject({ version: 2, size_bytes: Buffer.byteLength('# v2 ✓') });
    expect(await lead.caller.ok('team_artifact_read', { name: 'design.md' })).toEqual({
      artifact: expect.objectContaining({ ...v2.artifact, sha256: sha256('# v2 ✓') }),
      content: '# v2 ✓',
      next_offset: null,
    });
    expect((await lead.caller.ok('team_artifact_read', { name: 'design.md', version: 1 })).content).toBe('# v1');
    expect((await lead.caller.ok('team_artifact_read', { artifact_id: v1.artifact.id })).artifact).toMatchObject({ ...v1.artifact, sha256: sha256('# v1') });
    await ann.caller.ok('team_artifact_publish', { name: 'notes', content: 'n' });
    const latest = await lead.caller.ok('team_artifact_list', {});
    expect(latest.artifacts.map((artifact) => [artifact.name, artifact.version]).sort()).toEqual([
      ['design.md', 2],
      ['notes', 1],
    ]);
    expect((await lead.caller.ok('team_artifact_list', { name: 'design.md' })).artifacts).toHaveLength(2);
    await ann.caller.ok('team_send', { to: leadId, body: 'see design', artifact_refs: [v2.artifact.id] });
    expect((await lead.caller.ok('team_inbox', {})).messages.at(-1)).toMatchObject({ body: 'see design', artifact_refs: [v2.artifact.id] });
  });

  it('refuses oversized artifacts, unknown ones, ambiguous reads and stale task fences', async () => {
    const before = digestDatabase(team.dbPath);
    const big = await ann.caller.fails('team_artifact_publish', { name: 'big', content: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await ann.caller.code('team_artifact_read', { name: 'missing' })).toBe('NOT_FOUND');
    expect(await ann.caller.code('team_artifact_read', { artifact_id: 'af_zzzzzzzz' })).toBe('NOT_FOUND');
    expect(await ann.caller.code('team_artifact_read', {})).toBe('INVALID_INPUT');
    expect(await ann.caller.code('team_send', { to: leadId, body: 'see', artifact_refs: ['af_zzzzzzzz'] })).toBe('NOT_FOUND');
    expect(digestDatabase(team.dbPath)).toEqual(before);
    const { ids } = await lead.caller.ok('team_task_create', { tasks: [{ title: 'write' }] });
    const claim = (await ann.caller.ok('team_task_next', { task_id: ids[0]! })).claim!;
    const tied = await ann.caller.ok('team_artifact_publish', { name: 'out', content: 'o', task_id: claim.task.id, fence: claim.fence });
    expect(tied.artifact.task_id).toBe(claim.task.id);
    expect(
      await bob.caller.code('team_artifact_publish', { name: 'out', content: 'o2', task_id: claim.task.id, fence: claim.fence }),
    ).toBe('STALE_CLAIM');
  });
});
