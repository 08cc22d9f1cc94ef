import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomIdGenerator, seededRandom, systemClock } from '@codex-team/contracts';
import { openPostgresTeamStore, openSqliteTeamStore, type Actor, type TeamStore } from '@codex-team/store';
import { PgScratch, checkDatabaseIntegrity, digestDatabase, digestPostgres, type ScratchDatabase } from '@codex-team/store/testing';
import { checkCrashRun, problems, type AckedCompletion, type CrashReport } from '../testing/crash-check';
import { allEvents, allTasks, forkBrokenWriter, layeredDag, resultCode, sleep } from '../testing/crash-helpers';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from '../testing/stdio-process';

// Teammates are real codex-team-mcp processes driven over MCP stdio, as Codex runs them; a killer
// sends them SIGKILL at random moments, half of them while a write of theirs is in flight, and
// restarts them (team_resume) or, every twentieth kill, lets the lead replace them once recovery has
// freed their slot. Short leases keep recovery quick; the numbers are printed at the end.

jest.setTimeout(400_000);

const LEASE_MS = 2_000;
/** The DAG of the SQLite run. */
const TASKS = 1_000;
/**
 * The DAG of the PostgreSQL run: the same kills over fewer tasks (a denser kill rate), since each
 * server start and claim costs more round trips there and a loaded 2-core machine ran out of time.
 */
const PG_TASKS = 400;
const TEAMMATES = 4;
const KILLS = 100;
/** The killer stops after this many: enough to show it, few enough to keep the run short. */
const KILLS_MAX = 104;
/** Every this many kills, the teammate is not restarted: the lead replaces it once recovery freed its slot. */
const REPLACE_EVERY = 20;
/**
 * Every this many claims, the holder outlives its lease before completing and is spared by the
 * killer meanwhile, so the run always contains stale completions to refuse (a random 1% of claims,
 * killed or not, sometimes left none).
 */
const OUTLIVE_LEASE_EVERY = 100;
const SERVER_ARGS = ['--lease-ms', String(LEASE_MS), '--sweep-ms', '250', '--grace-ms', '500', '--stale-ms', '3000', '--max-attempts', '20', '--log-level', 'warn'];

interface Stats {
  kills: number;
  killsDuringWrite: number;
  killsDuringStart: number;
  restarts: number;
  replacements: number;
  spawnsRefusedWhileFull: number;
  staleCompletionsRefused: number;
  invitationsWithdrawn: number;
  /** Resumes killed after they committed: the rotated ticket died with the process. */
  ticketsLostToKills: number;
  claims: number;
}

class Run {
  readonly acked: AckedCompletion[] = [];
  readonly stats: Stats = { kills: 0, killsDuringWrite: 0, killsDuringStart: 0, restarts: 0, replacements: 0, spawnsRefusedWhileFull: 0, staleCompletionsRefused: 0, invitationsWithdrawn: 0, ticketsLostToKills: 0, claims: 0 };
  readonly unexpected: string[] = [];
  readonly killedPids = new Set<number>();
  done = 0;
  stop = false;
  constructor(
    readonly random: () => number,
    /** Tasks in the run's DAG. */
    readonly tasks: number,
  ) {}
}

/** The error lines the server logged, for the report of a call it failed unexpectedly. */
function serverErrors(agent: StdioAgent): string {
  const errors = agent.logs.filter((line) => Number(line['level']) >= 50).map((line) => JSON.stringify({ msg: line['msg'], err: line['err'] }));
  return errors.length === 0 ? '' : `; the server logged: ${errors.join(' | ')}`;
}

/** One teammate slot: a server process, restarted after each kill, until abandoned or stopped. */
class Teammate {
  agent: StdioAgent | null = null;
  starting = true;
  abandoned = false;
  /** Set once its loop has ended (abandoned or stopped): then the lead may replace it. */
  settled = false;
  /** The write call in flight, if any: where an aimed kill lands. */
  inflight: string | null = null;
  /** While it holds a claim past its lease (OUTLIVE_LEASE_EVERY): the killer leaves it alone. */
  outlivingLease = false;
  private resumeTicket: string | null = null;
  /** A team_resume is in flight, and: the last one was cut off by a kill (it may have used the ticket). */
  private resuming = false;
  private resumeInterrupted = false;
  readonly finished: Promise<void>;

  constructor(
    private readonly run: Run,
    private readonly dbPath: string,
    private readonly joinTicket: string,
  ) {
    this.finished = this.loop();
  }

  /** Whether its one-use join went through; until then it is not killed (the ticket would be lost). */
  get joined(): boolean {
    return this.resumeTicket !== null;
  }

  private async loop(): Promise<void> {
    try {
      await this.work();
    } finally {
      this.settled = true;
    }
  }

  private async work(): Promise<void> {
    while (!this.run.stop && !this.abandoned) {
      if (this.agent === null) {
        await this.start();
        continue;
      }
      try {
        await this.step(this.agent);
      } catch (error) {
        if (!this.run.killedPids.has(this.agent.pid)) this.run.unexpected.push(`call failed without a kill: ${String(error)}${serverErrors(this.agent)}`);
        this.agent = null;
      }
    }
  }

  private async start(): Promise<void> {
    this.starting = true;
    let agent: StdioAgent | null = null;
    try {
      agent = await spawnStdioAgent(this.dbPath, SERVER_ARGS, { listTools: false });
      this.agent = agent;
      if (this.resumeTicket === null) {
        const result = await agent.caller.call('team_join', { ticket: this.joinTicket });
        const code = resultCode(result);
        if (code === null) {
          this.resumeTicket = (result.structuredContent as { resume_ticket: string }).resume_ticket;
        } else {
          // NOT_FOUND: a start slower than the stale time on a loaded machine, so recovery withdrew the
          // invitation and freed its slot. Either way the lead invites someone else.
          // LIMIT_EXCEEDED: a lost teammate came back first and took the slot (resume needs an active slot).
          if (code !== 'NOT_FOUND' && code !== 'LIMIT_EXCEEDED') this.run.unexpected.push(`team_join answered ${code}`);
          this.run.stats.invitationsWithdrawn += 1;
          this.abandoned = true;
        }
      } else {
        this.resuming = true;
        const result = await agent.caller.call('team_resume', { ticket: this.resumeTicket });
        this.resuming = false;
        const code = resultCode(result);
        // Recovery took this agent for lost and its slot went to another: the lead replaces it.
        if (code === 'LIMIT_EXCEEDED') this.abandoned = true;
        // A resume killed before it answered may have committed, using the ticket up with its
        // successor lost in the killed process (a join killed so loses its resume ticket too): the
        // lead replaces the agent. Without such a kill, NOT_FOUND is a fault.
        else if (code === 'NOT_FOUND' && this.resumeInterrupted) {
          this.run.stats.ticketsLostToKills += 1;
          this.abandoned = true;
        } else if (code !== null) this.run.unexpected.push(`team_resume answered ${code}`);
        // The ticket used binds nothing any more: the next restart needs the one this resume handed out.
        else this.resumeTicket = (result.structuredContent as { resume_ticket: string }).resume_ticket;
        this.resumeInterrupted = false;
        this.run.stats.restarts += 1;
      }
      this.starting = false;
    } catch (error) {
      this.agent = null;
      if (this.resuming) this.resumeInterrupted = true;
      this.resuming = false;
      if (agent === null || !this.run.killedPids.has(agent.pid)) this.run.unexpected.push(`start failed without a kill: ${String(error)}`);
    }
  }

  private async write(agent: StdioAgent, name: string, args: unknown): Promise<string | null> {
    this.inflight = name;
    try {
      return resultCode(await agent.caller.call(name, args));
    } finally {
      this.inflight = null;
    }
  }

  private async step(agent: StdioAgent): Promise<void> {
    // Keep the work from outrunning the killer: at least KILLS kills happen during the run.
    if (this.run.done / this.run.tasks > this.run.stats.kills / KILLS + 0.05) {
      await sleep(20);
      return;
    }
    this.inflight = 'team_task_next';
    let next;
    try {
      next = await agent.caller.ok('team_task_next');
    } finally {
      this.inflight = null;
    }
    if (next.claim === null) {
      await sleep(20);
      return;
    }
    const { task, fence } = next.claim;
    this.run.stats.claims += 1;
    if (this.run.stats.claims % OUTLIVE_LEASE_EVERY === 0) {
      this.outlivingLease = true;
      try {
        await sleep(LEASE_MS + 700);
      } finally {
        this.outlivingLease = false;
      }
    } else {
      await sleep(this.run.random() * 6);
    }
    const claim = { task_id: task.id, fence };
    if (this.run.random() < 0.3) await this.write(agent, 'team_heartbeat', { tasks: [claim] });
    if (this.run.random() < 0.1) {
      await this.write(agent, 'team_artifact_publish', { name: `out-${task.id}`, content: `work of ${task.id}`, ...claim });
    }
    const code = await this.write(agent, 'team_task_complete', { ...claim, result: `done by ${agent.pid}` });
    if (code === null) this.run.acked.push({ task: task.id, fence });
    else if (code === 'STALE_CLAIM') this.run.stats.staleCompletionsRefused += 1;
    else this.run.unexpected.push(`team_task_complete answered ${code}${serverErrors(agent)}`);
  }
}

async function killer(run: Run, teammates: () => Teammate[]): Promise<void> {
  while (!run.stop && run.stats.kills < KILLS_MAX) {
    await sleep(50 + run.random() * 100);
    // Mostly working teammates; now and then one that is still resuming.
    const up = teammates().filter((t) => t.agent !== null && t.joined && !t.abandoned && !t.outlivingLease && (!t.starting || run.random() < 0.1));
    const victim = up[Math.floor(run.random() * up.length)];
    if (victim === undefined || victim.agent === null) continue;
    if (run.random() < 0.5) {
      // Aim at a write in flight: the server is inside (or about to enter) its transaction.
      const deadline = Date.now() + 300;
      while (victim.inflight === null && Date.now() < deadline) await sleep(1);
      await sleep(run.random() * 2);
    }
    const agent = victim.agent;
    if (agent === null || run.stop) continue;
    if (victim.inflight !== null) run.stats.killsDuringWrite += 1;
    if (victim.starting) run.stats.killsDuringStart += 1;
    if ((run.stats.kills + 1) % REPLACE_EVERY === 0) victim.abandoned = true;
    run.killedPids.add(agent.pid);
    try {
      process.kill(agent.pid, 'SIGKILL');
      run.stats.kills += 1;
    } catch {
      // it had just exited
    }
  }
}

/** How the kill run reads the store it ran on, whichever the engine. */
interface StoreEngine {
  name: string;
  open(): Promise<TeamStore>;
  digest(): Promise<Record<string, { rows: number }>>;
  /** `ok`, or the engine's own integrity problems (SQLite's integrity_check; PostgreSQL checks its pages itself). */
  integrity?: () => string;
  /** The fixture of deliberately broken writers for this engine (store/src/fixtures). */
  brokenWriters: 'broken-writers.cjs' | 'pg-broken-writers.cjs';
}

/**
 * The run: a lead and TEAMMATES teammates, each a codex-team-mcp process on the store at `dbPath`
 * (a SQLite file or a postgres:// URL), under the killer; then the one checker over what the store
 * holds (`engine` opens it, digests its rows and checks its own integrity).
 */
async function killRun(dbPath: string, engine: StoreEngine, tasks: number): Promise<void> {
  const run = new Run(seededRandom(20_261_124), tasks);
  const started = Date.now();
  const lead = await spawnStdioAgent(dbPath, SERVER_ARGS);
  const team = await lead.caller.ok('team_start', { name: 'crash', max_threads: TEAMMATES });
  await lead.caller.ok('team_task_create', { tasks: layeredDag(20, tasks / 20, run.random) });
  const teammates: Teammate[] = [];
  let names = 0;
  const spawn = async (): Promise<void> => {
    for (;;) {
      names += 1;
      const result = await lead.caller.call('team_spawn', { name: `mate-${names}`, role: 'implementer' });
      const code = resultCode(result);
      if (code === null) {
        const spawned = result.structuredContent as { join_ticket: string };
        teammates.push(new Teammate(run, dbPath, spawned.join_ticket));
        return;
      }
      if (code !== 'LIMIT_EXCEEDED') throw new Error(`team_spawn answered ${code}`);
      run.stats.spawnsRefusedWhileFull += 1;
      await sleep(250);
    }
  };
  for (let i = 0; i < TEAMMATES; i += 1) await spawn();
  const killing = killer(run, () => teammates);

  // A bound for a hung run, not a goal: the PostgreSQL run took 199 s on a 2-core machine at load 10.
  const deadline = Date.now() + 320_000;
  while (run.done < tasks && Date.now() < deadline) {
    await sleep(200);
    run.done = (await lead.caller.ok('team_status')).tasks_by_status.done ?? 0;
    for (const mate of teammates.filter((t) => t.abandoned && t.settled)) {
      teammates.splice(teammates.indexOf(mate), 1);
      run.stats.replacements += 1;
      await spawn();
    }
  }
  run.stop = true;
  await killing;
  await Promise.all(teammates.map((t) => t.finished));
  await closeAllStdioAgents();
  const seconds = (Date.now() - started) / 1_000;

  const store = await engine.open();
  const leadActor: Actor = { teamId: team.team.id, agentId: team.agent.id };
  const events = await allEvents(store, team.team.id);
  const report: CrashReport = checkCrashRun({
    events,
    tasks: await allTasks(store, leadActor),
    agents: (await store.getStatus(leadActor)).agents,
    rows: await engine.digest(),
    leadAgentId: team.agent.id,
    maxThreads: TEAMMATES,
    acked: run.acked,
  });
  await store.close();
  const recovered = events.filter((e) => e.action === 'task.recover').length;
  const lost = events.filter((e) => e.action === 'agent.lost').length;
  process.stderr.write(
    `kill test (${engine.name}): ${tasks} tasks, ${run.stats.claims} claims, ${run.stats.kills} SIGKILLs (${run.stats.killsDuringWrite} during a write, ` +
      `${run.stats.killsDuringStart} during start), ${run.stats.restarts} restarts, ${run.stats.replacements} replacements ` +
      `(${run.stats.spawnsRefusedWhileFull} spawns refused while the cap was full, ${run.stats.invitationsWithdrawn} invitations withdrawn, ${run.stats.ticketsLostToKills} resume tickets lost to kills), ${recovered} claims recovered, ` +
      `${lost} agents lost, ${run.stats.staleCompletionsRefused} stale completions refused, max ${report.maxActiveTeammates} ` +
      `active teammates, ${events.length} audit events, ${seconds.toFixed(1)} s\n`,
  );

  expect(run.unexpected).toEqual([]);
  if (engine.integrity !== undefined) expect(engine.integrity()).toBe('ok');
  expect(problems(report)).toEqual([]);
  expect(report.tasks).toBe(tasks);
  expect(report.maxActiveTeammates).toBeLessThanOrEqual(TEAMMATES);
  expect(run.stats.kills).toBeGreaterThanOrEqual(KILLS);
  expect(run.stats.killsDuringWrite).toBeGreaterThan(0);
  expect(run.stats.replacements).toBeGreaterThan(0);
  expect(run.stats.staleCompletionsRefused).toBeGreaterThan(0);
}

/**
 * Broken writers (raw SQL, `engine.brokenWriters`) under the same killer and checker, on the store
 * at `dbPath` (a SQLite file or a postgres:// URL, whose schema the store's opener creates).
 */
async function brokenRun(variant: 'unfenced' | 'unguarded', dbPath: string, engine: StoreEngine): Promise<CrashReport> {
  const random = seededRandom(variant === 'unfenced' ? 7 : 11);
  const store = await engine.open();
  const bound = await store.createTeam({ name: variant, objective: '', maxThreads: 3, profile: 'default', leadName: 'lead', resumeTicketHash: `r-${variant}` });
  const leadActor: Actor = { teamId: bound.team.id, agentId: bound.agent.id };
  await store.createTasks(leadActor, { tasks: layeredDag(5, 30, random) });
  const agents: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    await store.spawnAgent(leadActor, { name: `w${i}`, role: 'implementer', joinTicketHash: `j-${variant}-${i}` });
    agents.push((await store.joinAgent({ joinTicketHash: `j-${variant}-${i}`, resumeTicketHash: `rr-${variant}-${i}` })).agent.id);
  }
  const acked: AckedCompletion[] = [];
  let lastProgress = Date.now();
  let stop = false;
  let kills = 0;
  const live = new Map<number, () => void>();
  const workers = agents.map(async (agentId, i) => {
    while (!stop) {
      const writer = forkBrokenWriter(
        ['crash-worker', dbPath, bound.team.id, agentId, `w${i}`, variant, '300', variant === 'unfenced' ? '0.15' : '0'],
        (message) => {
          if (message['type'] === 'ack') acked.push({ task: String(message['task']), fence: Number(message['fence']) });
          lastProgress = Date.now();
        },
        engine.brokenWriters,
      );
      live.set(i, () => writer.child.kill('SIGKILL'));
      const code = await writer.exited;
      live.delete(i);
      if (code === 0) return;
    }
  });
  const killing = (async () => {
    while (!stop) {
      await sleep(250 + random() * 250);
      const victims = [...live.values()];
      const kill = victims[Math.floor(random() * victims.length)];
      if (kill !== undefined) {
        kill();
        kills += 1;
      }
    }
  })();
  // A broken run may wedge (a dependant never unblocked); it ends once nothing moved for 3 s.
  const stalled = (async () => {
    while (!stop && Date.now() - lastProgress < 3_000) await sleep(100);
  })();
  await Promise.race([Promise.all(workers), stalled]);
  stop = true;
  for (const kill of live.values()) kill();
  await killing;
  await Promise.all(workers);
  const events = await allEvents(store, bound.team.id);
  const report = checkCrashRun({
    events,
    tasks: await allTasks(store, leadActor),
    agents: (await store.getStatus(leadActor)).agents,
    rows: await engine.digest(),
    leadAgentId: bound.agent.id,
    maxThreads: 3,
    acked,
  });
  await store.close();
  process.stderr.write(`broken ${variant} writers (${engine.name}): ${kills} SIGKILLs, caught: ${JSON.stringify(problems(report))}\n`);
  if (engine.integrity !== undefined) expect(engine.integrity()).toBe('ok');
  return report;
}

/** The SQLite store file at `dbPath`. */
function sqliteEngine(dbPath: string): StoreEngine {
  return {
    name: 'SQLite',
    open: () => openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() }),
    digest: () => Promise.resolve(digestDatabase(dbPath)),
    integrity: () => checkDatabaseIntegrity(dbPath),
    brokenWriters: 'broken-writers.cjs',
  };
}

/** The PostgreSQL database at `url`. */
function postgresEngine(url: string): StoreEngine {
  return {
    name: 'PostgreSQL',
    open: () => openPostgresTeamStore({ url, clock: systemClock, ids: new RandomIdGenerator() }),
    digest: () => digestPostgres(url),
    brokenWriters: 'pg-broken-writers.cjs',
  };
}

describe('teammates killed with SIGKILL at random moments', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-kill-'));
  });
  afterAll(async () => {
    await closeAllStdioAgents();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finish a 1,000-task DAG with every task done exactly once, every change audited and the cap kept', async () => {
    const dbPath = join(dir, 'team.db');
    await killRun(dbPath, sqliteEngine(dbPath), TASKS);
  });

  describe('catches broken writers under the same killer and checker', () => {
    it('without a fence check, a stale holder completes a task a second time', async () => {
      const dbPath = join(dir, 'unfenced.db');
      const report = await brokenRun('unfenced', dbPath, sqliteEngine(dbPath));
      expect(report.completedTwice.length).toBeGreaterThan(0);
    });

    it('with check-then-act across transactions, tasks are claimed and completed twice or changed unaudited', async () => {
      const dbPath = join(dir, 'unguarded.db');
      const report = await brokenRun('unguarded', dbPath, sqliteEngine(dbPath));
      expect(report.completedTwice.length + report.unaudited.length).toBeGreaterThan(0);
    });
  });
});

// The same run with every server process on one PostgreSQL database (`--db postgres://...`), on a
// throwaway cluster ($CODEX_TEAM_PG_URL, else one this suite starts). PostgreSQL checks its own
// pages; what a kill may break is the store's atomicity, which the checker reads from the rows.
describe('teammates killed with SIGKILL at random moments, on PostgreSQL', () => {
  let pg: PgScratch;
  let database: ScratchDatabase;
  beforeAll(async () => {
    pg = await PgScratch.start();
    database = await pg.database();
  });
  afterAll(async () => {
    await closeAllStdioAgents();
    await database.drop();
    await pg.release();
  });

  it('finish a 400-task DAG with every task done exactly once, every change audited and the cap kept', async () => {
    await killRun(database.url, postgresEngine(database.url), PG_TASKS);
  });

  it('catches broken writers under the same killer and checker: unfenced completions, and check-then-act across transactions', async () => {
    const unfenced = await pg.database();
    const unguarded = await pg.database();
    try {
      expect((await brokenRun('unfenced', unfenced.url, postgresEngine(unfenced.url))).completedTwice.length).toBeGreaterThan(0);
      const report = await brokenRun('unguarded', unguarded.url, postgresEngine(unguarded.url));
      expect(report.completedTwice.length + report.unaudited.length).toBeGreaterThan(0);
    } finally {
      await unfenced.drop();
      await unguarded.drop();
    }
  });
});
