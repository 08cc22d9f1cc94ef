import type { Task, TeamSnapshot } from '@codex-team/contracts';
import { ProfileCatalog } from '@codex-team/policy-engine';
import { readyWorkScaling, type ScalingInput, type ScalingWorker } from './scaling-policy';

const PROFILE = ProfileCatalog.shipped().find('default').profile;
const NOW = 10_000_000;
const IDLE_MS = PROFILE.idle.agent_timeout_ms;

function task(id: string, status: Task['status'], role: string | null = null): Task {
  return {
    id,
    team_id: 'tm_aaaaaaaaaaaaaaaa',
    title: id,
    description: '',
    required_role: role,
    priority: 0,
    status,
    depends_on: [],
    owner_agent_id: null,
    fence: 0,
    lease_expires_at: null,
    attempts: 0,
    progress: null,
    result: null,
    created_by: 'ag_lead',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    completed_at: null,
  } as Task;
}

function worker(id: string, state: ScalingWorker['state'], role = 'implementer', since = NOW): ScalingWorker {
  return { agent_id: id, role, state, since_ms: since };
}

function input(tasks: Task[], workers: ScalingWorker[], cap = 3): ScalingInput {
  return { now_ms: NOW, snapshot: { tasks } as unknown as TeamSnapshot, profile: PROFILE, cap, workers, previous: null };
}

describe('readyWorkScaling', () => {
  it('wants one worker per ready task of each role, tasks without a role going to implementers', () => {
    const decision = readyWorkScaling(input([task('a', 'ready'), task('b', 'ready', 'tester'), task('c', 'blocked')], []));
    expect(decision.desired_by_role).toEqual({ implementer: 1, tester: 1 });
    expect(decision.desired_total).toBe(2);
    expect(decision.retire).toEqual([]);
  });

  it('keeps busy workers and never wants more than the cap', () => {
    const tasks = [task('a', 'ready'), task('b', 'ready'), task('c', 'ready'), task('d', 'in_progress')];
    const decision = readyWorkScaling(input(tasks, [worker('ag_1', 'busy')], 2));
    expect(decision.desired_by_role).toEqual({ implementer: 2 });
    expect(decision.desired_total).toBe(2);
  });

  it('retires an idle worker only after the profile idle timeout, and never while its role has ready work', () => {
    const idleLong = worker('ag_1', 'idle', 'implementer', NOW - IDLE_MS);
    const idleShort = worker('ag_2', 'idle', 'implementer', NOW - IDLE_MS + 1);
    expect(readyWorkScaling(input([], [idleLong, idleShort])).retire).toEqual([
      expect.objectContaining({ agent_id: 'ag_1', rule: 'scaling.retire.idle_timeout' }),
    ]);
    expect(readyWorkScaling(input([task('a', 'ready')], [idleLong])).retire).toEqual([]);
  });

  it('retires one idle worker at once to make room when another role has ready work and the cap is full', () => {
    const workers = [worker('ag_1', 'idle', 'tester', NOW - 5), worker('ag_2', 'busy')];
    const decision = readyWorkScaling(input([task('a', 'ready', 'reviewer'), task('b', 'in_progress')], workers, 2));
    expect(decision.retire).toEqual([expect.objectContaining({ agent_id: 'ag_1', rule: 'scaling.retire.make_room' })]);
    expect(decision.desired_by_role).toEqual({ implementer: 1, reviewer: 1 });
  });
});
