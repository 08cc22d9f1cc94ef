import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULTS, RandomIdGenerator, TeamError, systemClock, type AgentId, type AuditEvent, type TeamId, type TeamSnapshot } from '@codex-team/contracts';
import { openSqliteTeamStore, replayAuditTrail, replayStateOf, stateDigest, type Actor, type SqliteTeamStore } from '@codex-team/store';
import { benchGoal, median, type BenchContext, type BenchReport, type Benchmark } from './benchmark';

/** Replay from the latest checkpoint must take at most this fraction of a full replay. */
const TIME_GOAL = 0.1;
const HOUR = 3_600_000;
const EVENT_PAGE = 10_000;

/** One store of the run: its file, the store, the team and its agents. */
interface Built {
  path: string;
  store: SqliteTeamStore;
  teamId: TeamId;
  events: number;
}

async function openTeam(path: string): Promise<{ store: SqliteTeamStore; teamId: TeamId; lead: Actor; workers: Actor[] }> {
  const store = await openSqliteTeamStore({ path, clock: systemClock, ids: new RandomIdGenerator() });
  const bound = await store.createTeam({ name: 'replay-bench', objective: 'a long run', profile: 'default', leadName: 'lead', resumeTicketHash: `r-${path}` });
  const lead = { teamId: bound.team.id, agentId: bound.agent.id };
  const workers: Actor[] = [];
  for (const name of ['ann', 'bob', 'cy']) {
    await store.spawnAgent(lead, { name, role: 'implementer', joinTicketHash: `j-${path}-${name}` });
    const joined = await store.joinAgent({ joinTicketHash: `j-${path}-${name}`, resumeTicketHash: `r-${path}-${name}` });
    workers.push({ teamId: joined.team.id, agentId: joined.agent.id as AgentId });
  }
  return { store, teamId: bound.team.id, lead, workers };
}

/**
 * Writes the same long run into two stores, event for event: tasks created in batches, each
 * claimed, reported on and completed (a quarter of them unblocking the next batch's first task),
 * a message every fourth task. One store also gets a checkpoint every DEFAULTS.checkpointEveryEvents
 * events, as the sweep writes them (same state, plus the checkpoints' own events and rows).
 */
async function build(context: BenchContext, events: number): Promise<{ plain: Built; checkpointed: Built; checkpoints: number }> {
  const plainPath = join(context.workDir, 'plain.db');
  const checkpointedPath = join(context.workDir, 'checkpointed.db');
  const plain = await openTeam(plainPath);
  const checked = await openTeam(checkpointedPath);
  const both = async <T>(work: (team: typeof plain) => Promise<T>): Promise<T> => {
    const result = await work(plain);
    await work(checked);
    return result;
  };
  let written = 8;
  let sinceCheckpoint = written;
  let checkpoints = 0;
  let batch = 0;
  while (written < events) {
    const size = 200;
    batch += 1;
    const createdIds = await both(async (team) =>
      (
        await team.store.createTasks(team.lead, {
          tasks: Array.from({ length: size }, (_, i) => ({
            title: `batch ${batch} task ${i}`,
            description: `Part ${i} of batch ${batch}: done when its tests pass.`,
            priority: i % 5,
            depends_on: [],
          })),
        })
      ).tasks.map((task) => task.id),
    );
    written += size;
    sinceCheckpoint += size;
    for (let i = 0; i < size && written < events; i += 1) {
      const index = i;
      const perTask = await both(async (team) => {
        const who = team.workers[index % team.workers.length] as Actor;
        const taskId = team === plain ? (createdIds[index] as string) : ((await team.store.listTasks(team.lead, { status: ['ready'], limit: 1 })).tasks[0]?.id ?? '');
        const claim = await team.store.claimTask(who, { task_id: taskId }, { leaseMs: HOUR });
        await team.store.updateTask(who, { task_id: taskId, fence: claim.fence, progress: 'halfway, tests written' }, { leaseMs: HOUR });
        await team.store.completeTask(who, { task_id: taskId, fence: claim.fence, outcome: 'done', result: `part ${index} done; 12 tests pass`, artifact_ids: [] });
        let count = 3;
        if (index % 4 === 0) {
          await team.store.sendMessage(who, { to: team.lead.agentId, body: `part ${index} of batch ${batch} is done`, artifact_refs: [] });
          count += 1;
        }
        return count;
      });
      written += perTask;
      sinceCheckpoint += perTask;
      if (sinceCheckpoint >= DEFAULTS.checkpointEveryEvents) {
        await checked.store.checkpointTeam(checked.teamId, {});
        checkpoints += 1;
        sinceCheckpoint = 0;
      }
    }
    context.progress(`${written} of ${events} events written, ${checkpoints} checkpoints`);
  }
  const count = async (team: typeof plain) => (await allEvents(team.store, team.teamId)).length;
  return {
    plain: { path: plainPath, store: plain.store, teamId: plain.teamId, events: await count(plain) },
    checkpointed: { path: checkpointedPath, store: checked.store, teamId: checked.teamId, events: await count(checked) },
    checkpoints,
  };
}

async function allEvents(store: SqliteTeamStore, teamId: TeamId, afterSeq = 0): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (let seq = afterSeq; ; ) {
    const page = await store.listAuditEvents(teamId, { afterSeq: seq, limit: EVENT_PAGE });
    events.push(...page);
    if (page.length < EVENT_PAGE) return events;
    seq = page[page.length - 1]?.seq ?? seq;
  }
}

/** A full replay: read every event, fold them all into the state. */
async function fullReplay(built: Built): Promise<TeamSnapshot> {
  return replayAuditTrail(await allEvents(built.store, built.teamId));
}

/** A replay from the latest checkpoint: read it (checksum checked), read the events after it, fold those. */
async function checkpointReplay(built: Built): Promise<TeamSnapshot> {
  const latest = await built.store.readCheckpoint(built.teamId);
  if (latest === null) throw new TeamError('INTERNAL', 'the checkpointed store has no checkpoint');
  const state = replayStateOf(latest);
  return replayAuditTrail(await allEvents(built.store, built.teamId, latest.checkpoint.upto_seq), { from: state });
}

/**
 * The median time of `repeat` runs of `work` (after one warm-up) and the state digest of what it
 * rebuilt. The digest is taken outside the timing: it is how the run checks that both replays give
 * the same state, the same work whichever way the state was rebuilt, not part of rebuilding it.
 */
async function timed(repeat: number, work: () => Promise<TeamSnapshot>): Promise<{ ms: number; digest: string; digestMs: number }> {
  let state = await work();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i += 1) {
    const started = performance.now();
    state = await work();
    samples.push(performance.now() - started);
  }
  const digestStarted = performance.now();
  const digest = stateDigest(state);
  return { ms: median(samples), digest, digestMs: performance.now() - digestStarted };
}

async function run(context: BenchContext): Promise<BenchReport> {
  const events = context.quick ? 10_000 : 100_000;
  const { plain, checkpointed, checkpoints } = await build(context, events);
  try {
    const repeat = context.quick ? 3 : 5;
    const full = await timed(repeat, () => fullReplay(checkpointed));
    const fromCheckpoint = await timed(repeat, () => checkpointReplay(checkpointed));
    const stored = stateDigest(await checkpointed.store.readTeam(checkpointed.teamId));
    const plainFull = await timed(1, () => fullReplay(plain));
    await plain.store.close();
    await checkpointed.store.close();
    const size = (path: string) => statSync(path).size;
    const ratio = fromCheckpoint.ms / full.ms;
    const digestsEqual = full.digest === fromCheckpoint.digest && full.digest === stored;
    return {
      benchmark: 'checkpoint-replay',
      measurements: [
        { name: 'audit events without checkpoints', value: plain.events, unit: 'events' },
        { name: 'audit events with checkpoints (their own events included)', value: checkpointed.events, unit: 'events' },
        { name: 'checkpoints written', value: checkpoints, unit: 'checkpoints' },
        { name: 'full replay (read and fold every event into the state), with checkpoints', value: full.ms, unit: 'ms' },
        { name: 'full replay, store without checkpoints', value: plainFull.ms, unit: 'ms' },
        { name: 'replay from the latest checkpoint (read it, checksum, fold the later events)', value: fromCheckpoint.ms, unit: 'ms' },
        { name: 'replay from the latest checkpoint / full replay', value: ratio, unit: 'ratio' },
        { name: 'state digest of the rebuilt state (the check, either way; not in the ratio)', value: full.digestMs, unit: 'ms' },
        { name: 'store size without checkpoints', value: size(plain.path), unit: 'bytes' },
        { name: 'store size with checkpoints', value: size(checkpointed.path), unit: 'bytes' },
        { name: 'store size with / without checkpoints', value: size(checkpointed.path) / size(plain.path), unit: 'ratio' },
        { name: 'state digests equal: full replay = from checkpoint = store', value: digestsEqual ? 1 : 0, unit: 'bool' },
      ],
      goals: [
        benchGoal('replay from the latest checkpoint under a tenth of a full replay', ratio, 'at_most', TIME_GOAL, 'ratio'),
        benchGoal('replay from the checkpoint gives the full replay state digest', digestsEqual ? 1 : 0, 'at_least', 1, 'bool'),
      ],
    };
  } finally {
    await plain.store.close();
    await checkpointed.store.close();
  }
}

/**
 * Replay time and store size on a 100k-event team with checkpoints (every
 * DEFAULTS.checkpointEveryEvents events) and without: replay from the latest checkpoint against a
 * full replay (goal: under a tenth), equal state digests, and what the checkpoints cost on disk.
 */
export const checkpointReplayBenchmark: Benchmark = {
  name: 'checkpoint-replay',
  summary: 'replay time from the latest checkpoint vs a full replay, and store size, on 100k audit events',
  run,
};
