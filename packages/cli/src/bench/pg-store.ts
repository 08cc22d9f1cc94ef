import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom, systemClock, toBase32, type IdGenerator, type IdPrefix } from '@codex-team/contracts';
import { DEFAULT_STORE_THREADS, openPostgresTeamStore, replayPgStatements, withPgScratchSchema, type SentStatement } from '@codex-team/store';
import { benchGoal, median, quantile, type BenchContext, type BenchGoal, type BenchMeasurement, type BenchReport, type Benchmark } from './benchmark';
import { PG_BENCH_URL_ENV, pgCeilingPhase, type PgPhase } from './pg-claims';
import type { ClaimWorkerResult } from './claim-worker';
import type { ReplayWorkerResult } from './pg-replay-worker';
import { raceWorkers } from './worker-race';

/** The worker, built beside this file (dist/bench/pg-store-worker.js). */
const WORKER = join(__dirname, 'pg-store-worker.js');
/** The server process, its store pooled over threads as `serve --http` runs it (dist/bench/pg-pool-worker.js). */
const POOL_WORKER = join(__dirname, 'pg-pool-worker.js');
/** The replay's worker, for the replay by one process per client (dist/bench/pg-replay-worker.js). */
const REPLAY_WORKER = join(__dirname, 'pg-replay-worker.js');
const CLIENT_COUNTS = [1, 4, 16, 32] as const;
/** A team runs at most 6 teammates: more clients are spread over more teams of one database. */
const TEAMMATES_PER_TEAM = 6;
/**
 * Claims and completions each client makes before the timed part, in the same team: an agent's
 * server warms up once in its life, so a client timed from its first call measures its start-up
 * (compiling its code, parsing its statements), which at 32 clients is half of a client's pairs.
 */
const WARM_UP_PAIRS_PER_CLIENT = 40;
/** Goal of the many-machines issue: the adapter does at least half of the raw ceiling of the same SQL. */
const CEILING_RATIO_GOAL = 0.5;

/** Ids as RandomIdGenerator makes them, drawn from a fixed seed: two fresh ones make the same ids. */
class SeededIds implements IdGenerator {
  private readonly random = seededRandom(7316);
  next(prefix: IdPrefix): string {
    return `${prefix}_${toBase32(Buffer.from(Array.from({ length: 10 }, () => Math.floor(this.random() * 256))))}`;
  }
}

interface Seat {
  teamId: string;
  agentId: string;
}

/**
 * Teams of at most six teammates for `clients` clients, with `pairs` independent ready tasks split
 * among them, and `warmUpPairs` more for each client. Ids come from a fresh SeededIds, so two schemas seeded alike hold the same
 * rows under the same ids (the replay of the store's statements needs them).
 */
async function seed(url: string, schema: string, clients: number, pairs: number, warmUpPairs: number): Promise<Seat[]> {
  const store = await openPostgresTeamStore({ url, schema, clock: systemClock, ids: new SeededIds() });
  try {
    const seats: Seat[] = [];
    const teams = Math.ceil(clients / TEAMMATES_PER_TEAM);
    for (let team = 0; team < teams; team += 1) {
      const members = Array.from({ length: clients }, (_, i) => i).filter((i) => i % teams === team);
      const bound = await store.createTeam({ name: `bench-${team}`, objective: '', maxThreads: 6, profile: 'default', leadName: 'lead', resumeTicketHash: `bench-lead-${team}` });
      const lead = { teamId: bound.team.id, agentId: bound.agent.id };
      for (const i of members) {
        await store.spawnAgent(lead, { name: `w${i}`, role: 'implementer', joinTicketHash: `bench-join-${i}` });
        seats.push({ teamId: lead.teamId, agentId: (await store.joinAgent({ joinTicketHash: `bench-join-${i}`, resumeTicketHash: `bench-resume-${i}` })).agent.id });
      }
      const share = Math.round((pairs * members.length) / clients) + warmUpPairs * members.length;
      const tasks = Array.from({ length: share }, (_, i) => ({ title: `t${i}`, description: '', priority: 0, depends_on: [] }));
      for (let made = 0; made < tasks.length; made += 1_000) await store.createTasks(lead, { tasks: tasks.slice(made, made + 1_000) });
    }
    return seats;
  } finally {
    await store.close();
  }
}

/** A worker's round trips as it wrote them (a claim and a completion bind text and numbers only). */
function readRoundTrips(path: string): SentStatement[][] {
  return JSON.parse(readFileSync(path, 'utf8')) as SentStatement[][];
}

/** One round at one client count: the adapter, then the same SQL replayed without it, each warmed up alike. */
interface Round {
  /** The adapter in one server process for every client, its store pooled over threads (`serve --http`). */
  server: PgPhase;
  /** The adapter in one process per client (one stdio server per agent). */
  adapter: PgPhase;
  /** Pairs the adapter made in the timed part (its warm-up's are not among them), in one process per client and in the server. */
  timedPairs: number;
  serverTimedPairs: number;
  /** Pairs per second of the adapter's own round trips replayed by plain clients, a connection each. */
  sameSqlPairsPerSecond: number;
  /** The same round trips replayed over as many connections as the server's store threads. */
  sameSqlOverThreadsPairsPerSecond: number;
  /** The same, each client's round trips replayed by a process of its own, as the adapter runs. */
  sameSqlByProcessPairsPerSecond: number;
  /** Statements the adapter sent per claim + complete pair, and the round trips they took. */
  statementsPerPair: number;
  roundTripsPerPair: number;
  /** Transactions of the timed part the replays sent again (a lock wait or deadlock the adapter would try again). */
  replayRetries: number;
}

/** Runs `work` with a scratch schema of each prefix, in that order, every one dropped afterwards. */
async function withScratchSchemas<T>(url: string, prefixes: readonly string[], work: (schemas: string[]) => Promise<T>, made: string[] = []): Promise<T> {
  const [prefix, ...rest] = prefixes;
  if (prefix === undefined) return work(made);
  return withPgScratchSchema(url, prefix, (schema) => withScratchSchemas(url, rest, work, [...made, schema]));
}

/** The clients' logs as `connections` logs: client i's round trips go, in turn, to connection i mod `connections`. */
function overConnections(logs: readonly SentStatement[][][], connections: number): SentStatement[][][] {
  return Array.from({ length: connections }, (_, connection) => logs.filter((_, client) => client % connections === connection).flat());
}

/**
 * The adapter in one server process serving every client at once, its store pooled over
 * DEFAULT_STORE_THREADS threads (as `codex-team serve --http` runs it), and the adapter in one
 * process per client (as one stdio server per agent), which records the round trips it makes; the
 * two run one after the other, in the order `serverFirst` says. Then those round trips, made as
 * they were (the statements of each pipelined) by plain connections to other schemas seeded alike:
 * a connection per client (the ceiling of the same SQL without our layer), as many connections as
 * the server has threads, and a process per client. Every client warms up on its first pairs (each
 * replayed connection on its clients'), then all start together.
 */
async function round(url: string, clients: number, pairs: number, warmUpPairs: number, serverFirst: boolean, workDir: string): Promise<Round> {
  const prefixes = ['codex_team_bench', 'codex_team_replay', 'codex_team_replay_threads', 'codex_team_replay_procs', 'codex_team_server'];
  return withScratchSchemas(url, prefixes, async ([schema = '', replaySchema = '', overThreadsSchema = '', byProcessSchema = '', serverSchema = '']) => {
    const seats = await seed(url, schema, clients, pairs, warmUpPairs);
    for (const other of [replaySchema, overThreadsSchema, byProcessSchema, serverSchema]) {
      const otherSeats = await seed(url, other, clients, pairs, warmUpPairs);
      if (JSON.stringify(seats) !== JSON.stringify(otherSeats)) throw new Error('the schemas were not seeded alike: the replay would miss the rows');
    }
    const seatsFile = join(workDir, 'pg-store-seats.json');
    const warmUpLogs = seats.map((_, index) => join(workDir, `pg-store-warm-up-${index}.json`));
    const logs = seats.map((_, index) => join(workDir, `pg-store-round-trips-${index}.json`));
    try {
      writeFileSync(seatsFile, JSON.stringify(seats));
      const serve = async (): Promise<ClaimWorkerResult> => {
        const [served] = await raceWorkers<ClaimWorkerResult>(POOL_WORKER, [[url, serverSchema, String(DEFAULT_STORE_THREADS), String(warmUpPairs), seatsFile]]);
        if (served === undefined) throw new Error('the server process reported nothing');
        return served;
      };
      const perClient = (): Promise<ClaimWorkerResult[]> =>
        raceWorkers<ClaimWorkerResult>(
          WORKER,
          seats.map((seat, index) => [url, schema, seat.teamId, seat.agentId, String(warmUpPairs), warmUpLogs[index] ?? '', logs[index] ?? '']),
        );
      const served = serverFirst ? await serve() : undefined;
      const results = await perClient();
      const server = served ?? (await serve());
      const done = results.reduce((sum, result) => sum + result.pairs, 0);
      const elapsedMs = Math.max(...results.map((result) => result.elapsedMs));
      const warmUps = warmUpLogs.map(readRoundTrips);
      const timed = logs.map(readRoundTrips);
      const replay = await replayPgStatements({ url, schema: replaySchema, warmUpLogs: warmUps, logs: timed });
      const overThreads = await replayPgStatements({
        url,
        schema: overThreadsSchema,
        warmUpLogs: overConnections(warmUps, DEFAULT_STORE_THREADS),
        logs: overConnections(timed, DEFAULT_STORE_THREADS),
      });
      const byProcess = await raceWorkers<ReplayWorkerResult>(
        REPLAY_WORKER,
        logs.map((log, index) => [url, byProcessSchema, warmUpLogs[index] ?? '', log, String(index)]),
      );
      return {
        server: { pairsPerSecond: server.pairs / (server.elapsedMs / 1_000), claimLatenciesMs: server.latenciesMs },
        adapter: { pairsPerSecond: done / (elapsedMs / 1_000), claimLatenciesMs: results.flatMap((result) => result.latenciesMs) },
        timedPairs: done,
        serverTimedPairs: server.pairs,
        sameSqlPairsPerSecond: done / (replay.elapsedMs / 1_000),
        sameSqlOverThreadsPairsPerSecond: done / (overThreads.elapsedMs / 1_000),
        sameSqlByProcessPairsPerSecond: done / (Math.max(...byProcess.map((each) => each.elapsedMs)) / 1_000),
        statementsPerPair: replay.statements / done,
        roundTripsPerPair: replay.roundTrips / done,
        replayRetries: replay.retries + overThreads.retries + byProcess.reduce((sum, each) => sum + each.retries, 0),
      };
    } finally {
      for (const file of [seatsFile, ...warmUpLogs, ...logs]) rmSync(file, { force: true });
    }
  });
}

async function run(context: BenchContext): Promise<BenchReport> {
  const url = context.env[PG_BENCH_URL_ENV] ?? '';
  const pairs = context.quick ? 96 : 1_200;
  const rounds = context.quick ? 1 : 3;
  const warmUpPairs = context.quick ? 4 : WARM_UP_PAIRS_PER_CLIENT;
  const measurements: BenchMeasurement[] = [];
  const goals: BenchGoal[] = [];
  const throughput = new Map<number, number>();
  const byProcessThroughput = new Map<number, number>();
  for (const clients of CLIENT_COUNTS) {
    const measured: Round[] = [];
    const bare: PgPhase[] = [];
    // The two-statement claim between rounds, so drift in the machine's load falls on all alike.
    for (let index = 0; index < rounds; index += 1) {
      // The server first in every other round, so drift in the machine's load falls on both paths alike.
      measured.push(await round(url, clients, pairs, warmUpPairs, index % 2 === 0, context.workDir));
      bare.push(await pgCeilingPhase(url, clients, pairs));
    }
    const server = median(measured.map((each) => each.server.pairsPerSecond));
    const serverLatencies = measured.flatMap((each) => each.server.claimLatenciesMs);
    const store = median(measured.map((each) => each.adapter.pairsPerSecond));
    const sameSql = median(measured.map((each) => each.sameSqlPairsPerSecond));
    const sameSqlByProcess = median(measured.map((each) => each.sameSqlByProcessPairsPerSecond));
    const sameSqlOverThreads = median(measured.map((each) => each.sameSqlOverThreadsPairsPerSecond));
    const twoStatements = median(bare.map((phase) => phase.pairsPerSecond));
    const latencies = measured.flatMap((each) => each.adapter.claimLatenciesMs);
    throughput.set(clients, server);
    byProcessThroughput.set(clients, store);
    const label = `${clients} client${clients === 1 ? '' : 's'}`;
    measurements.push(
      { name: `${label}: server (one process, ${DEFAULT_STORE_THREADS} store threads) claim+complete pairs/s`, value: server, unit: 'pairs/s' },
      { name: `${label}: server ratio to the same SQL raw`, value: server / sameSql, unit: 'x' },
      { name: `${label}: the same SQL replayed raw over ${DEFAULT_STORE_THREADS} connections, pairs/s`, value: sameSqlOverThreads, unit: 'pairs/s' },
      { name: `${label}: server ratio to the same SQL raw over ${DEFAULT_STORE_THREADS} connections`, value: server / sameSqlOverThreads, unit: 'x' },
      { name: `${label}: server timed pairs per round`, value: median(measured.map((each) => each.serverTimedPairs)), unit: 'pairs' },
      { name: `${label}: server claim p50`, value: median(serverLatencies), unit: 'ms' },
      { name: `${label}: server claim p99`, value: quantile(serverLatencies, 0.99), unit: 'ms' },
      { name: `${label}: adapter claim+complete pairs/s`, value: store, unit: 'pairs/s' },
      { name: `${label}: the same SQL replayed raw, pairs/s`, value: sameSql, unit: 'pairs/s' },
      { name: `${label}: ratio to the same SQL raw`, value: store / sameSql, unit: 'x' },
      { name: `${label}: the same SQL replayed by one process per client, pairs/s`, value: sameSqlByProcess, unit: 'pairs/s' },
      { name: `${label}: ratio to the same SQL by one process per client`, value: store / sameSqlByProcess, unit: 'x' },
      { name: `${label}: timed pairs per round`, value: median(measured.map((each) => each.timedPairs)), unit: 'pairs' },
      { name: `${label}: statements per pair`, value: median(measured.map((each) => each.statementsPerPair)), unit: 'statements' },
      { name: `${label}: round trips per pair`, value: median(measured.map((each) => each.roundTripsPerPair)), unit: 'round trips' },
      { name: `${label}: replay transactions sent again`, value: median(measured.map((each) => each.replayRetries)), unit: 'transactions' },
      { name: `${label}: adapter claim p50`, value: median(latencies), unit: 'ms' },
      { name: `${label}: adapter claim p99`, value: quantile(latencies, 0.99), unit: 'ms' },
      { name: `${label}: a bare two-statement claim+complete, pairs/s`, value: twoStatements, unit: 'pairs/s' },
      { name: `${label}: ratio to the bare two-statement pair`, value: store / twoStatements, unit: 'x' },
    );
    goals.push(benchGoal(`${label}: server vs the same SQL without it`, server / sameSql, 'at_least', CEILING_RATIO_GOAL, 'x'));
    context.progress(
      `${label}: server ${server.toFixed(0)} pairs/s (ratio ${(server / sameSql).toFixed(2)}), a process per client ${store.toFixed(0)} ` +
        `(ratio ${(store / sameSql).toFixed(2)}), same SQL raw ${sameSql.toFixed(0)}, bare pair ${twoStatements.toFixed(0)}, ` +
        `server claim p99 ${quantile(serverLatencies, 0.99).toFixed(1)} ms`,
    );
  }
  const rising = (throughput.get(16) ?? Number.NaN) / (throughput.get(1) ?? Number.NaN);
  measurements.push(
    { name: 'server 16 clients / 1 client', value: rising, unit: 'x' },
    { name: 'a process per client: 16 clients / 1 client', value: (byProcessThroughput.get(16) ?? Number.NaN) / (byProcessThroughput.get(1) ?? Number.NaN), unit: 'x' },
  );
  goals.push(benchGoal('server throughput rises from 1 to 16 clients', rising, 'at_least', 1, 'x'));
  return { benchmark: 'pg-store', measurements, goals };
}

/**
 * Claim + complete pairs per second through the PostgreSQL TeamStore adapter at 1, 4, 16 and 32
 * clients (agents of teams of at most six), run by one server process for every client, its store
 * pooled over DEFAULT_STORE_THREADS threads (as `codex-team serve --http` runs it, pg-pool-worker),
 * and by one process per client (one stdio server per agent, pg-store-worker), each timed from a
 * common start once every client has made its first 40 pairs (4 with --quick), the two paths in
 * turns. Beside them, the raw ceiling of the same SQL: the very round trips the per-client
 * processes made, recorded, then made again by a plain `pg` connection per client to another
 * schema seeded alike, the statements of each pipelined as the adapter sent them
 * (replayPgStatements), from this one process, each connection making its client's warm-up first,
 * untimed. The goals (at least half that ceiling, throughput rising from 1 to 16 clients) are the
 * server's. Reported without a goal: the server against the same round trips over as many
 * connections as it has threads; the process per client against the ceiling; the same round trips
 * replayed by one process per client (pg-replay-worker), which shows how much of that is the
 * processes themselves; and a bare two-statement claim and complete (runPgClaimCeiling): what the
 * store's checks, counts and audit cost. Both paths call the store directly: the MCP layer's cost
 * is the http benchmark's. Three rounds (one with --quick); the medians; scratch
 * schemas dropped afterwards. A team's claims run side by side, its other writes one at a time
 * (docs/scale.md).
 */
export const pgStoreBenchmark: Benchmark = {
  name: 'pg-store',
  summary: 'claim+complete pairs/s through the PostgreSQL store at 1-32 clients, served by one process and by one per client, as ratios against the same SQL sent without it ($CODEX_TEAM_PG_URL)',
  requiresEnv: { name: PG_BENCH_URL_ENV, meaning: 'the URL of a PostgreSQL database it may create (and drop) scratch schemas in' },
  run,
};
