import { join } from 'node:path';
import { RandomIdGenerator, TeamError, systemClock, type AgentId, type TeamId } from '@codex-team/contracts';
import { openSqliteTeamStore, stateDigest, type Actor, type SqliteTeamStore } from '@codex-team/store';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mcpServerBinPath } from '../codex/package-assets';
import { benchGoal, type BenchContext, type BenchReport, type Benchmark } from './benchmark';
import { connectServer } from './mcp-client';

/** The brief must be at most this fraction of what an agent reads today to know the same. */
const SIZE_GOAL = 0.1;
const HOUR = 3_600_000;

type Json = Record<string, unknown>;

interface TeamShape {
  tasks: number;
  events: number;
  messages: number;
}

/** One call's answer as the model reads it: its text, and its bytes. */
async function read(client: Client, tool: string, args: Json = {}): Promise<{ json: Json; bytes: number }> {
  const result = (await client.callTool({ name: tool, arguments: args }, CallToolResultSchema, { timeout: 600_000 })) as CallToolResult;
  const first = result.content[0];
  const text = first !== undefined && first.type === 'text' ? first.text : '';
  if (result.isError === true) throw new TeamError('INTERNAL', `${tool} failed: ${text.slice(0, 300)}`);
  return { json: JSON.parse(text) as Json, bytes: Buffer.byteLength(text) };
}

function server(dbPath: string): Promise<{ client: Client }> {
  return connectServer([mcpServerBinPath(), '--db', dbPath, '--log-level', 'warn', '--sweep-ms', '0']);
}

/**
 * A team of `shape.tasks` tasks, `shape.messages` messages and exactly `shape.events` audit
 * events: the lead and three teammates bound through MCP (so ann has a real resume ticket), the
 * work written through the store. Ann holds two claims, has published five artifacts and has
 * most of the messages unread.
 */
async function seed(dbPath: string, shape: TeamShape): Promise<{ annTicket: string; teamId: TeamId; ann: Actor }> {
  const { client: leadClient } = await server(dbPath);
  const names = ['ann', 'bob', 'cy'];
  const tickets = new Map<string, string>();
  let teamId = '' as TeamId;
  let leadId = '' as AgentId;
  try {
    const started = await read(leadClient, 'team_start', { name: 'resume-bench', objective: 'a long-running team to resume into' });
    teamId = (started.json['team'] as Json)['id'] as TeamId;
    leadId = (started.json['agent'] as Json)['id'] as AgentId;
    for (const name of names) {
      const spawned = await read(leadClient, 'team_spawn', { name, role: 'implementer' });
      const { client } = await server(dbPath);
      const joined = await read(client, 'team_join', { ticket: spawned.json['join_ticket'] });
      tickets.set(name, String(joined.json['resume_ticket']));
      tickets.set(`${name}:id`, String((joined.json['agent'] as Json)['id']));
      await client.close();
    }
  } finally {
    await leadClient.close();
  }
  const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() });
  try {
    const lead: Actor = { teamId, agentId: leadId };
    const [ann, bob, cy] = names.map((name) => ({ teamId, agentId: tickets.get(`${name}:id`) as AgentId }));
    if (ann === undefined || bob === undefined || cy === undefined) throw new TeamError('INTERNAL', 'teammates missing');
    const tasks: string[] = [];
    for (let made = 0; made < shape.tasks; made += 500) {
      const batch = Array.from({ length: Math.min(500, shape.tasks - made) }, (_, i) => ({
        title: `Task ${made + i}: implement part ${made + i} of the service`,
        description: `Done when part ${made + i} passes its tests and is reviewed; see the spec artifact for the interface.`,
        priority: (made + i) % 7,
        depends_on: [],
      }));
      tasks.push(...(await store.createTasks(lead, { tasks: batch })).tasks.map((task) => task.id));
    }
    const workers = [bob, cy];
    const finished = Math.floor(shape.tasks * 0.6);
    for (let i = 0; i < finished; i += 1) {
      const who = workers[i % 2] as Actor;
      const claim = await store.claimTask(who, { task_id: tasks[i] as string }, { leaseMs: HOUR });
      await store.completeTask(who, {
        task_id: tasks[i] as string,
        fence: claim.fence,
        outcome: 'done',
        result: `part ${i} implemented; unit tests pass (24 of 24); reviewed the diff for edge cases`,
        artifact_ids: [],
      });
    }
    const held: { task_id: string; fence: number }[] = [];
    for (const taskId of tasks.slice(finished, finished + 2)) held.push({ task_id: taskId, fence: (await store.claimTask(ann, { task_id: taskId }, { leaseMs: HOUR })).fence });
    for (let i = 0; i < 5; i += 1) {
      await store.publishArtifact(ann, { name: `ann-notes-${i}.md`, content: `# Notes ${i}\n\nFindings of part ${i}.\n`, media_type: 'text/markdown', plan: false });
    }
    for (let i = 0; i < shape.messages; i += 1) {
      const from = i % 3 === 0 ? lead : (workers[i % 2] as Actor);
      const to = i % 5 === 4 ? '*' : ann.agentId;
      await store.sendMessage(from, { to, body: `update ${i}: part ${i} is ready for you to build on; ping me if the interface changed`, artifact_refs: [] });
    }
    // Progress reports on ann's claims (renewing their leases) up to exactly the events asked for.
    for (let events = (await store.listAuditEvents(teamId, { limit: 10_000 })).length; events < shape.events; events += 1) {
      const claim = held[events % held.length] as { task_id: string; fence: number };
      await store.updateTask(ann, { task_id: claim.task_id, fence: claim.fence, progress: `step ${events}` }, { leaseMs: HOUR });
    }
    return { annTicket: tickets.get('ann') as string, teamId, ann };
  } finally {
    await store.close();
  }
}

async function digestOf(dbPath: string, teamId: TeamId): Promise<{ digest: string; events: number; store: SqliteTeamStore }> {
  const store = await openSqliteTeamStore({ path: dbPath, clock: systemClock, ids: new RandomIdGenerator() });
  return { digest: stateDigest(await store.readTeam(teamId)), events: (await store.listAuditEvents(teamId, { limit: 10_000 })).length, store };
}

async function run(context: BenchContext): Promise<BenchReport> {
  const shape: TeamShape = context.quick ? { tasks: 300, events: 1_500, messages: 150 } : { tasks: 1_000, events: 5_000, messages: 500 };
  const dbPath = join(context.workDir, 'resume.db');
  const { annTicket, teamId, ann } = await seed(dbPath, shape);
  const seeded = await digestOf(dbPath, teamId);
  await seeded.store.close();
  context.progress(`${shape.tasks} tasks, ${seeded.events} events, ${shape.messages} messages`);

  // A fresh thread resumes ann (the resume itself is a state change: a new epoch), then reads its brief.
  const { client } = await server(dbPath);
  const resumed = await read(client, 'team_resume', { ticket: annTicket });
  const atBrief = await digestOf(dbPath, teamId);
  await atBrief.store.close();
  const brief = await read(client, 'team_brief');
  const atReads = await digestOf(dbPath, teamId);
  await atReads.store.close();

  // Today: what the same agent reads of the same state to know as much: every task (whole rows),
  // its inbox (paged by acking, as it must), the artifacts' headers.
  let fullBytes = 0;
  const rows: Json[] = [];
  for (let cursor: string | null = null; ; ) {
    const page = await read(client, 'team_task_list', { full: true, limit: 500, ...(cursor === null ? {} : { after: cursor }) });
    fullBytes += page.bytes;
    rows.push(...(page.json['tasks'] as Json[]));
    cursor = (page.json['next_after'] as string | null) ?? null;
    if (cursor === null) break;
  }
  const inbox: Json[] = [];
  for (let ack: string[] = []; ; ) {
    const page = await read(client, 'team_inbox', { ack, limit: 100 });
    fullBytes += page.bytes;
    const messages = page.json['messages'] as Json[];
    inbox.push(...messages);
    ack = messages.map((message) => String(message['id']));
    if (ack.length === 0) break;
  }
  fullBytes += (await read(client, 'team_artifact_list')).bytes;
  await client.close();

  // The same facts both ways: ann's claims with their fences, its unread messages, the counts.
  const b = brief.json['brief'] as Json;
  const claims = (b['claims'] as Json[]).map((claim) => `${String(claim['task_id'])}@${String(claim['fence'])}`).sort();
  const heldRows = rows.filter((row) => row['status'] === 'in_progress' && row['owner_agent_id'] === ann.agentId).map((row) => `${String(row['id'])}@${String(row['fence'])}`).sort();
  const counts: Record<string, number> = {};
  for (const row of rows) counts[String(row['status'])] = (counts[String(row['status'])] ?? 0) + 1;
  const unread = b['unread'] as { count: number; oldest: Json[] };
  const factsAgree =
    JSON.stringify(claims) === JSON.stringify(heldRows) &&
    unread.count === inbox.length &&
    JSON.stringify(unread.oldest.map((m) => m['id'])) === JSON.stringify(inbox.slice(0, unread.oldest.length).map((m) => m['id'])) &&
    JSON.stringify(b['tasks_by_status']) === JSON.stringify(Object.fromEntries(['blocked', 'ready', 'in_progress', 'done', 'failed', 'cancelled'].filter((s) => counts[s] !== undefined).map((s) => [s, counts[s]])));
  // The brief changed nothing (no ack, no write): the full reads began from the very state it describes.
  const sameState = atBrief.digest === atReads.digest;
  const ratio = brief.bytes / fullBytes;
  return {
    benchmark: 'resume-cost',
    measurements: [
      { name: 'team: tasks', value: shape.tasks, unit: 'tasks' },
      { name: 'team: audit events', value: seeded.events, unit: 'events' },
      { name: 'team: messages', value: shape.messages, unit: 'messages' },
      { name: 'team_brief answer', value: brief.bytes, unit: 'bytes' },
      { name: 'team_resume answer (the brief, the team and the agent)', value: resumed.bytes, unit: 'bytes' },
      { name: 'what an agent reads today: every task whole, its inbox, the artifacts', value: fullBytes, unit: 'bytes' },
      { name: 'brief / today', value: ratio, unit: 'ratio' },
      { name: 'state digest when the brief was read = when the full reads began (the brief acked nothing)', value: sameState ? 1 : 0, unit: 'bool' },
      { name: 'the brief and the full reads agree (claims and fences, unread, counts)', value: factsAgree ? 1 : 0, unit: 'bool' },
    ],
    goals: [
      benchGoal('brief at most a tenth of reading everything', ratio, 'at_most', SIZE_GOAL, 'ratio'),
      benchGoal('same state, same facts', sameState && factsAgree ? 1 : 0, 'at_least', 1, 'bool'),
    ],
  };
}

/**
 * Resume cost on a long-running team (1,000 tasks, 5,000 events, 500 messages): the bytes of the
 * brief a fresh thread gets against the bytes of what an agent reads today to know the same (every
 * task whole, its inbox, the artifacts' headers), with the same state and the same facts.
 */
export const resumeCostBenchmark: Benchmark = {
  name: 'resume-cost',
  summary: 'bytes of the brief vs reading tasks, inbox and artifacts, on 1,000 tasks / 5,000 events / 500 messages',
  run,
};
