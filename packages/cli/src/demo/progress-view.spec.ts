import { AgentSchema, TaskSchema, type Agent, type Task } from '@codex-team/contracts';
import { BufferSink, OutputSink } from '../cli-io';
import { LiveView } from './live-view';
import { progressHeadline, renderProgress, type ProgressSnapshot } from './progress-view';

const at = '2026-01-01T00:00:00.000Z';

function agent(id: string, name: string, role: string): Agent {
  return AgentSchema.parse({ id, team_id: 'tm_22222222', name, role, state: 'active', created_at: at, joined_at: at, last_seen_at: at });
}

function task(id: string, title: string, status: Task['status'], owner: string | null, completedAt: string | null = null): Task {
  return TaskSchema.parse({
    id,
    team_id: 'tm_22222222',
    title,
    description: '',
    required_role: null,
    priority: 0,
    risk: 'low',
    status,
    depends_on: [],
    owner_agent_id: owner,
    fence: owner === null ? 0 : 1,
    lease_expires_at: null,
    attempts: owner === null ? 0 : 1,
    progress: null,
    result: null,
    created_by: 'ag_22222222',
    created_at: at,
    updated_at: at,
    completed_at: completedAt,
  });
}

const snapshot: ProgressSnapshot = {
  objective: 'ship it',
  teamId: 'tm_22222222',
  elapsedMs: 2_500,
  agents: [agent('ag_22222222', 'lead', 'lead'), agent('ag_22222223', 'ada', 'implementer'), agent('ag_22222224', 'grace', 'tester')],
  tasks: [
    task('tk_22222222', 'Spec', 'done', 'ag_22222223', '2026-01-01T00:00:01.000Z'),
    task('tk_22222223', 'Code', 'in_progress', 'ag_22222223'),
    task('tk_22222224', 'Test', 'blocked', null),
    task('tk_22222225', 'Docs', 'ready', null),
  ],
};

describe('demo progress view', () => {
  it('shows counts by state, what each teammate holds, and what was done last', () => {
    expect(renderProgress(snapshot)).toEqual([
      'codex-team demo  team tm_22222222  2.5 s',
      'objective: ship it',
      '[########......................] 1/4 done, 1 in progress, 1 ready, 1 blocked',
      '  ada    implementer   1 done  working on "Code"',
      '  grace  tester        0 done  waiting for ready work',
      'recently done: "Spec"',
    ]);
  });

  it('prints one line per change of the headline when stdout is not a terminal', () => {
    const out = new BufferSink();
    const view = new LiveView(new OutputSink(out), false);
    view.draw(snapshot);
    view.draw({ ...snapshot, elapsedMs: 3_000 });
    view.draw({ ...snapshot, tasks: snapshot.tasks.map((t) => (t.id === 'tk_22222223' ? { ...t, status: 'done' as const } : t)) });
    expect(out.text().trimEnd().split('\n')).toEqual([
      `   2.5 s  ${progressHeadline(snapshot)}`,
      '   2.5 s  [###############...............] 2/4 done, 0 in progress, 1 ready, 1 blocked',
    ]);
  });

  it('redraws the frame in place on a terminal', () => {
    const out = new BufferSink();
    const view = new LiveView(new OutputSink(out), true);
    view.draw(snapshot);
    view.draw(snapshot);
    const frame = renderProgress(snapshot).join('\n');
    expect(out.text()).toBe(`${frame}\n\u001b[6F\u001b[J${frame}\n`);
  });
});
