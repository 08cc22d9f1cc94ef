import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TicketIssuer, type TeamId } from '@codex-team/contracts';
import type { TeamStore } from '@codex-team/store';
import type { HttpAgentOrder, HttpAgentReport } from './http-agent-worker';

// Teammate processes of the "hosts" suites (serve-two-hosts, serve-two-servers-pg): each one an MCP
// session over HTTP driven by http-agent-worker, the team they join, and the one checker of what they were told.

const WORKER = join(__dirname, '..', '..', 'dist', 'testing', 'http-agent-worker.js');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface HostsTeam {
  teamId: TeamId;
  /** One join ticket per invited teammate. */
  tickets: string[];
  tasks: string[];
}

/** A team of `mates` invited implementers and `tasks` independent tasks, written through the store's own operations. */
export async function seedHostsTeam(store: TeamStore, name: string, mates: number, tasks: number): Promise<HostsTeam> {
  const issuer = new TicketIssuer();
  const bound = await store.createTeam({ name, objective: '', maxThreads: 6, profile: 'default', leadName: 'lead', resumeTicketHash: issuer.issue('resume').hash });
  const lead = { teamId: bound.team.id, agentId: bound.agent.id };
  const tickets: string[] = [];
  for (let i = 0; i < mates; i += 1) {
    const ticket = issuer.issue('join');
    await store.spawnAgent(lead, { name: `mate${i}`, role: 'implementer', joinTicketHash: ticket.hash });
    tickets.push(ticket.ticket);
  }
  const created = await store.createTasks(lead, {
    tasks: Array.from({ length: tasks }, (_, i) => ({ title: `t${i}`, description: '', priority: 0, depends_on: [] })),
  });
  return { teamId: bound.team.id, tickets, tasks: created.tasks.map((task) => task.id) };
}

export interface Worker {
  host: string;
  child: ChildProcess;
  reports: HttpAgentReport[];
  exited: Promise<void>;
}

export function startWorker(host: string, codexHome: string, order: HttpAgentOrder): Worker {
  const child = fork(WORKER, [], { env: { ...process.env, CODEX_HOME: codexHome }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const reports: HttpAgentReport[] = [];
  child.on('message', (message: unknown) => reports.push(message as HttpAgentReport));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send(order);
  return { host, child, reports, exited };
}

/** Everything that went wrong across hosts, from what the teammates were told. */
export interface HostsReport {
  /** `task@fence` claimed by more than one teammate. */
  doubledClaims: string[];
  /** Tasks whose completion more than one teammate was told succeeded. */
  doubledCompletions: string[];
  notDone: string[];
  failures: string[];
}

export function checkHosts(workers: readonly Worker[], tasks: readonly string[]): HostsReport {
  const claimedBy = new Map<string, number>();
  const completedBy = new Map<string, number>();
  const failures: string[] = [];
  for (const worker of workers) {
    for (const report of worker.reports) {
      if (report.type === 'claimed') claimedBy.set(`${report.task}@${report.fence}`, (claimedBy.get(`${report.task}@${report.fence}`) ?? 0) + 1);
      if (report.type === 'completed' && report.code === null) completedBy.set(report.task, (completedBy.get(report.task) ?? 0) + 1);
      if (report.type === 'completed' && report.code !== null) failures.push(`${worker.host}: completion answered ${report.code}`);
      if (report.type === 'failed') failures.push(`${worker.host}: ${report.message}`);
    }
  }
  return {
    doubledClaims: [...claimedBy].filter(([, n]) => n > 1).map(([claim]) => claim),
    doubledCompletions: [...completedBy].filter(([, n]) => n > 1).map(([task]) => task),
    notDone: tasks.filter((task) => !completedBy.has(task)),
    failures,
  };
}

export function completedTasks(workers: readonly Worker[]): Set<string> {
  return new Set(workers.flatMap((worker) => worker.reports.flatMap((r) => (r.type === 'completed' && r.code === null ? [r.task] : []))));
}

export async function until(check: () => boolean, what: string, workers: readonly Worker[], timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      const seen = workers.map((w) => `${w.host}: ${w.reports.length} reports, last ${JSON.stringify(w.reports.at(-1) ?? null)}`);
      throw new Error(`timed out waiting until ${what}; ${seen.join('; ')}`);
    }
    await sleep(50);
  }
}

export async function stopWorkers(workers: readonly Worker[]): Promise<void> {
  for (const worker of workers) if (worker.child.connected) worker.child.send('stop');
  await Promise.all(workers.map((worker) => worker.exited));
}

