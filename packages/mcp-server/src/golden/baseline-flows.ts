import type { ToolOutput } from '@codex-team/contracts';
import type { InProcessTeam } from '../testing/in-process-team';
import { FlowRecorder, type GoldenDocument } from './recorder';

type Flow = (team: InProcessTeam) => Promise<GoldenDocument>;

async function started(rec: FlowRecorder, args: Record<string, unknown>) {
  const lead = rec.as(await rec.team.connect(), 'lead');
  const out = await rec.call<ToolOutput<'team_start'>>(lead, 'team_start', args);
  rec.team.teamIds.push(out.team.id);
  return { lead, out };
}

async function joined(rec: FlowRecorder, lead: Awaited<ReturnType<typeof started>>['lead'], name: string, role: string) {
  const spawned = await rec.call<ToolOutput<'team_spawn'>>(lead, 'team_spawn', { name, role });
  const mate = rec.as(await rec.team.connect(), name);
  const join = await rec.call<ToolOutput<'team_join'>>(mate, 'team_join', { ticket: spawned.join_ticket });
  return { mate, id: join.agent.id, spawned };
}

/**
 * The baseline flows frozen by the golden fixtures, one fixture each. Changing what a flow does
 * changes its fixture: regenerate with `npm run fixtures:update` and review the diff.
 */
export const BASELINE_FLOWS: Record<string, Flow> = {
  async start(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'alpha', objective: 'ship the baseline' });
    await rec.call(lead, 'team_status');
    await rec.call(lead, 'team_policy');
    await rec.call(lead, 'team_start', { name: 'again' });
    return rec.document('start', out.team.id);
  },

  async 'plan-dag'(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'planner' });
    await rec.call(lead, 'team_task_create', {
      tasks: [
        { key: 'design', title: 'Design', required_role: 'implementer', priority: 10 },
        { key: 'api', title: 'API', required_role: 'implementer', depends_on: ['design'] },
        { key: 'cli', title: 'CLI', depends_on: ['design'] },
        { key: 'review', title: 'Review', required_role: 'reviewer', depends_on: ['api', 'cli'] },
      ],
    });
    await rec.call(lead, 'team_task_create', { tasks: [{ key: 'x', title: 'x', depends_on: ['y'] }, { key: 'y', title: 'y', depends_on: ['x'] }] });
    await rec.call(lead, 'team_task_list', { status: ['ready', 'blocked'] });
    await rec.call(lead, 'team_status');
    return rec.document('plan-dag', out.team.id);
  },

  async 'spawn-join'(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'crew', max_threads: 2 });
    const ann = await joined(rec, lead, 'ann', 'implementer');
    await joined(rec, lead, 'rev', 'reviewer');
    await rec.call(lead, 'team_spawn', { name: 'third', role: 'tester' });
    const stranger = rec.as(await team.connect(), 'stranger');
    await rec.call(stranger, 'team_join', { ticket: ann.spawned.join_ticket });
    await rec.call(ann.mate, 'team_spawn', { name: 'sneaky', role: 'tester' });
    await rec.call(ann.mate, 'team_status');
    await rec.call(lead, 'team_status');
    return rec.document('spawn-join', out.team.id);
  },

  async 'claim-complete'(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'workers' });
    const ann = await joined(rec, lead, 'ann', 'implementer');
    const created = await rec.call<ToolOutput<'team_task_create'>>(lead, 'team_task_create', {
      tasks: [{ key: 'a', title: 'first' }, { key: 'b', title: 'second', depends_on: ['a'] }, { key: 'c', title: 'third' }],
    });
    const next = await rec.call<ToolOutput<'team_task_next'>>(ann.mate, 'team_task_next');
    const claim = next.claim;
    await rec.call(ann.mate, 'team_task_update', { task_id: claim?.task.id, fence: claim?.fence, progress: 'halfway' });
    await rec.call(ann.mate, 'team_task_complete', {
      task_id: claim?.task.id,
      fence: claim?.fence,
      result: 'first done, checked',
      usage: { input_tokens: 1_200, output_tokens: 300 },
    });
    await rec.call(ann.mate, 'team_task_complete', { task_id: claim?.task.id, fence: claim?.fence, result: 'again' });
    const byId = (await rec.call<ToolOutput<'team_task_next'>>(ann.mate, 'team_task_next', { task_id: created.keys['c'] })).claim;
    await rec.call(ann.mate, 'team_task_release', { task_id: byId?.task.id, fence: byId?.fence, reason: 'needs input' });
    await rec.call(ann.mate, 'team_task_complete', { task_id: byId?.task.id, fence: byId?.fence, result: 'stale' });
    await rec.call(lead, 'team_status');
    return rec.document('claim-complete', out.team.id);
  },

  async messages(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'talkers' });
    const ann = await joined(rec, lead, 'ann', 'implementer');
    const direct = await rec.call<ToolOutput<'team_send'>>(lead, 'team_send', { to: ann.id, body: 'please start with the API' });
    await rec.call(ann.mate, 'team_send', { to: '*', body: 'starting', idempotency_key: 'start-1' });
    await rec.call(ann.mate, 'team_send', { to: '*', body: 'starting', idempotency_key: 'start-1' });
    await rec.call(ann.mate, 'team_inbox', { usage: { input_tokens: 50, output_tokens: 20 } });
    await rec.call(ann.mate, 'team_inbox', { ack: [direct.message_id] });
    await rec.call(lead, 'team_inbox');
    await rec.call(ann.mate, 'team_send', { to: '*', body: 'we are done', consensus: true });
    await rec.call(lead, 'team_send', { to: '*', body: 'agreed: wrap up', consensus: true });
    await rec.call(ann.mate, 'team_status');
    return rec.document('messages', out.team.id);
  },

  async artifacts(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'writers' });
    const ann = await joined(rec, lead, 'ann', 'implementer');
    const v1 = await rec.call<ToolOutput<'team_artifact_publish'>>(ann.mate, 'team_artifact_publish', {
      name: 'design.md',
      content: '# Design v1',
      media_type: 'text/markdown',
    });
    await rec.call(ann.mate, 'team_artifact_publish', { name: 'design.md', content: '# Design v2' });
    await rec.call(lead, 'team_artifact_read', { name: 'design.md' });
    await rec.call(lead, 'team_artifact_read', { name: 'design.md', version: 1 });
    await rec.call(lead, 'team_artifact_read', { artifact_id: v1.artifact.id });
    await rec.call(lead, 'team_artifact_list');
    await rec.call(ann.mate, 'team_send', { to: '*', body: 'design is up', artifact_refs: [v1.artifact.id] });
    await rec.call(ann.mate, 'team_send', { to: '*', body: 'x'.repeat(20_000) });
    await rec.call(lead, 'team_artifact_read', { name: 'missing' });
    return rec.document('artifacts', out.team.id);
  },

  async 'profile-switch'(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'switcher' });
    const ann = await joined(rec, lead, 'ann', 'implementer');
    await rec.call(lead, 'team_task_create', { tasks: [{ title: 'one' }, { title: 'two' }] });
    await rec.call(ann.mate, 'team_task_next');
    await rec.call(ann.mate, 'team_policy', { profile: 'fast' });
    await rec.call(lead, 'team_policy', { profile: 'fast' });
    await rec.call(ann.mate, 'team_task_next');
    await rec.call(ann.mate, 'team_policy');
    await rec.call(ann.mate, 'team_send', { to: '*', body: 'y'.repeat(5_000) });
    await rec.call(ann.mate, 'team_inbox', { usage: { input_tokens: 1_850_000, output_tokens: 250_000 } });
    await rec.call(lead, 'team_spawn', { name: 'bob', role: 'tester' });
    await rec.call(lead, 'team_status');
    return rec.document('profile-switch', out.team.id);
  },

  async 'idle-sweep'(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'sleepy', profile: 'fast' });
    await joined(rec, lead, 'ann', 'implementer');
    await rec.call(lead, 'team_spawn', { name: 'ghost', role: 'tester' });
    await rec.call(lead, 'team_task_create', { tasks: [{ title: 'never done' }] });
    await rec.sweepAfter(60_000);
    await rec.sweepAfter(70_000);
    await rec.call(lead, 'team_status');
    await rec.sweepAfter(15 * 60_000);
    await rec.call(lead, 'team_status');
    return rec.document('idle-sweep', out.team.id);
  },

  async finalize(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'closer' });
    const ann = await joined(rec, lead, 'ann', 'implementer');
    await rec.call(lead, 'team_task_create', { tasks: [{ title: 'a' }, { title: 'b' }] });
    await rec.call(ann.mate, 'team_task_next');
    await rec.call(ann.mate, 'team_finalize', { summary: 'not mine' });
    await rec.call(lead, 'team_finalize', { summary: 'too early' });
    await rec.call(lead, 'team_finalize', { summary: 'stopping here', force: true });
    await rec.call(lead, 'team_task_create', { tasks: [{ title: 'late' }] });
    await rec.call(ann.mate, 'team_task_next');
    await rec.call(ann.mate, 'team_status');
    return rec.document('finalize', out.team.id);
  },

  async replay(team) {
    const rec = new FlowRecorder(team);
    const { lead, out } = await started(rec, { name: 'recorded' });
    const ann = await joined(rec, lead, 'ann', 'implementer');
    await rec.call(lead, 'team_task_create', { tasks: [{ key: 'a', title: 'a' }, { title: 'b', depends_on: ['a'] }] });
    const next = await rec.call<ToolOutput<'team_task_next'>>(ann.mate, 'team_task_next');
    await rec.call(ann.mate, 'team_task_complete', { task_id: next.claim?.task.id, fence: next.claim?.fence, result: 'ok' });
    await rec.call(ann.mate, 'team_run_summary', { log: 'audit' });
    const first = await rec.call<ToolOutput<'team_run_summary'>>(lead, 'team_run_summary', { log: 'audit', limit: 4 });
    await rec.call(lead, 'team_run_summary', { log: 'audit', after_seq: first.log?.next_after_seq });
    await rec.call(lead, 'team_run_summary');
    return rec.document('replay', out.team.id);
  },
};
