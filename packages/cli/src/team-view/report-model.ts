import type { AuditEvent, Task } from '@codex-team/contracts';
import { redactDeep } from '@codex-team/policy-engine';
import { runSummary, workIntervals, type RunSummary, type WorkOutcome } from '@codex-team/scheduler';
import { describeEvent, teamNames, withNames } from './event-text';
import { conditionOf, describeMode, treeBudget, treeView } from './team-model';
import type { TeamView } from './team-source';
import { usageView, type UsageView } from './usage-view';

/** A stretch of time an agent was connected: from its first sign of life to how it went away. */
export interface PresenceSpan {
  from: string;
  /** null: still connected when the report was made. */
  to: string | null;
  /** disconnected: its session ended; lost: recovery found it silent (`to` is when it was last seen); retired: the idle sweep retired it. */
  ended_by: 'disconnected' | 'lost' | 'retired' | null;
}

export interface ReportAgent {
  agent_id: string;
  name: string;
  role: string;
  state: string;
  is_lead: boolean;
  presence: PresenceSpan[];
  tasks_done: number;
  tasks_failed: number;
  tasks_held: number;
  tokens: number;
  /** Where its tokens came from: measured from its Codex rollout or self-reported. */
  usage: UsageView;
  /** Time spent on claims while connected. */
  busy_ms: number;
}

/** One claim of a task, drawn as a bar: worked on while its holder was there, then held while it was gone. */
export interface WorkBar {
  task_id: string;
  task_title: string;
  agent_id: string;
  from: string;
  /** When the claim ended (or the report's end while it is open). */
  to: string;
  /** When its holder stopped working on it: `to`, or earlier if the holder went away meanwhile. */
  worked_until: string;
  outcome: WorkOutcome;
}

export interface ReportEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  what: string;
}

export interface ReportMessage {
  at: string;
  from: string;
  to: string;
  task: string | null;
  body: string;
  artifacts: string[];
}

export interface ReportArtifact {
  artifact_id: string;
  name: string;
  version: number;
  media_type: string;
  size_bytes: number;
  sha256: string;
  published_by: string;
  task: string | null;
  plan: boolean;
  at: string;
}

/** Everything `codex-team report` shows (and prints with --json); the live `ui` shows the same. */
export interface ReportModel {
  generated_at: string;
  team: TeamView['snapshot']['team'];
  mode: string;
  /** What state the team is in, in one sentence that is true for that state. */
  state_line: string;
  /** The report's time axis: from the team's start to its finalization (or now), in ISO time. */
  window: { from: string; to: string };
  summary: Omit<RunSummary, 'ready_to_finalize' | 'team'> & { ready_to_finalize: RunSummary['ready_to_finalize'] | null };
  /** Where the team's tokens came from: measured from Codex's rollouts or self-reported. */
  usage: UsageView;
  agents: ReportAgent[];
  work: WorkBar[];
  tasks: Task[];
  messages: ReportMessage[];
  artifacts: ReportArtifact[];
  /** Connections, disconnections and what recovery did, in order. */
  connections: ReportEvent[];
  /** Every team of the team's tree, one line each, indented under its parent; empty for a lone team. */
  tree: string[];
}

/** Audit actions that tell who was connected when, and what recovery did about those who left. */
const CONNECTION_ACTIONS = new Set(['agent.join', 'agent.resume', 'agent.disconnect', 'agent.lost', 'agent.retire', 'task.recover']);

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Who was connected when, from the audit trail: an agent is there from its first own action
 * (starting the team, joining, resuming, or any call after recovery marked it lost) until its
 * session ends (agent.disconnect), recovery finds it lost (then until it was last seen, as the
 * lost event records it) or the idle sweep retires it. Pure.
 */
export function presenceSpans(events: readonly AuditEvent[]): Map<string, PresenceSpan[]> {
  const spans = new Map<string, PresenceSpan[]>();
  const open = new Map<string, PresenceSpan>();
  const lastAction = new Map<string, string>();
  const close = (agentId: string, at: string, endedBy: NonNullable<PresenceSpan['ended_by']>): void => {
    const span = open.get(agentId);
    if (span === undefined) return;
    span.to = at < span.from ? span.from : at;
    span.ended_by = endedBy;
    open.delete(agentId);
  };
  for (const event of events) {
    const subject = event.subject_id ?? '';
    if (event.action === 'agent.disconnect') close(subject, event.at, 'disconnected');
    else if (event.action === 'agent.retire') close(subject, event.at, 'retired');
    else if (event.action === 'agent.lost') {
      const agent = event.data['agent'] as { last_seen_at?: unknown } | undefined;
      const seen = typeof agent?.last_seen_at === 'string' ? agent.last_seen_at : (lastAction.get(subject) ?? event.at);
      close(subject, seen, 'lost');
    } else if (event.actor_agent_id !== null) {
      const actor = event.actor_agent_id;
      lastAction.set(actor, event.at);
      if (!open.has(actor)) {
        const span: PresenceSpan = { from: event.at, to: null, ended_by: null };
        open.set(actor, span);
        spans.set(actor, [...(spans.get(actor) ?? []), span]);
      }
    }
  }
  return spans;
}

/** The end of the presence span of `spans` that covers `at`, or null when it is still open. */
function presenceEndAt(spans: readonly PresenceSpan[], at: string): string | null {
  const covering = spans.filter((span) => span.from <= at).at(-1);
  return covering?.to ?? null;
}

/** The sentence about the team's state; only an active team is ever "ready to finalize". */
function stateLine(view: TeamView, summary: RunSummary): string {
  const { team } = view.snapshot;
  const condition = conditionOf(team, view.snapshot.agents, view.now);
  if (team.state === 'finalized') {
    const unfinished = view.snapshot.tasks.filter((task) => task.status !== 'done').length;
    const ended = condition === 'cancelled' ? `cancelled by the operator at ${team.cancelled_at ?? '?'}` : `finalized at ${team.finalized_at ?? '?'}`;
    return `${ended}${unfinished === 0 ? ' with every task done' : ` with ${unfinished} of ${view.snapshot.tasks.length} tasks not done`}`;
  }
  if (condition === 'orphaned') return 'orphaned: active, but its lead is lost (its session ended and did not resume); finalize or cancel it';
  const ready = summary.ready_to_finalize;
  return `active; ${ready.ready ? `ready to finalize: ${ready.reason}` : `not ready to finalize: ${ready.reason}`}`;
}

/**
 * The report of one team, true to its state: who was connected when (from the disconnect and
 * recovery events), each claim worked on only while its holder was there, messages, artifacts
 * and recovery. Secrets are masked in every text. Needs the team's profile (budget, early stop).
 */
export function reportModel(view: TeamView): ReportModel {
  const { snapshot } = view;
  if (view.profile === null) throw new Error(`profile ${snapshot.team.profile} is not on this machine`);
  // A team of a tree is held to the budget the tree leaves it (a child's carve, its children's set aside).
  const budget = treeBudget(view);
  const summary = runSummary({ ...snapshot, used_tokens: budget?.committedTokens ?? snapshot.used_tokens }, view.events, budget?.profile ?? view.profile, view.now);
  const names = teamNames(snapshot);
  const start = Date.parse(snapshot.team.created_at);
  const lastEvent = view.events.reduce((latest, event) => Math.max(latest, Date.parse(event.at)), start);
  const end = Math.max(snapshot.team.finalized_at === null ? view.now : Date.parse(snapshot.team.finalized_at), lastEvent, start + 1);
  const presence = presenceSpans(view.events);
  const work: WorkBar[] = workIntervals(view.events, end).map((interval) => {
    const from = iso(interval.from);
    const to = iso(interval.to);
    const gone = presenceEndAt(presence.get(interval.agentId) ?? [], from);
    return {
      task_id: interval.taskId,
      task_title: names.tasks.get(interval.taskId) ?? interval.taskId,
      agent_id: interval.agentId,
      from,
      to,
      worked_until: gone !== null && gone < to ? (gone < from ? from : gone) : to,
      outcome: interval.outcome,
    };
  });
  const busy = new Map<string, number>();
  for (const bar of work) busy.set(bar.agent_id, (busy.get(bar.agent_id) ?? 0) + Date.parse(bar.worked_until) - Date.parse(bar.from));
  const byId = new Map(summary.agents.map((agent) => [agent.agent_id, agent] as const));
  const leadId = snapshot.team.lead_agent_id;
  const agents: ReportAgent[] = [...snapshot.agents]
    .sort((a, b) => Number(b.id === leadId) - Number(a.id === leadId))
    .map((agent) => {
      const row = byId.get(agent.id);
      return {
        agent_id: agent.id,
        name: agent.name,
        role: agent.role,
        state: agent.state,
        is_lead: agent.id === leadId,
        presence: presence.get(agent.id) ?? [],
        tasks_done: row?.tasks_done ?? 0,
        tasks_failed: row?.tasks_failed ?? 0,
        tasks_held: row?.tasks_held ?? 0,
        tokens: row?.tokens ?? 0,
        usage: usageView(snapshot.usage, agent.id),
        busy_ms: busy.get(agent.id) ?? 0,
      };
    });
  const who = (id: string | null, none: string): string => (id === null ? none : (names.agents.get(id) ?? id));
  const { team: _team, ready_to_finalize: ready, ...rest } = summary;
  const model: ReportModel = {
    generated_at: iso(view.now),
    team: snapshot.team,
    mode: describeMode(snapshot.team.mode),
    state_line: stateLine(view, summary),
    window: { from: iso(start), to: iso(end) },
    summary: { ...rest, ready_to_finalize: snapshot.team.state === 'active' ? ready : null },
    usage: usageView(snapshot.usage),
    agents,
    work,
    tasks: snapshot.tasks,
    messages: snapshot.messages.map((message) => ({
      at: message.created_at,
      from: who(message.from_agent_id, 'codex-team'),
      to: who(message.to_agent_id, 'everyone'),
      task: message.task_id === null ? null : (names.tasks.get(message.task_id) ?? message.task_id),
      // codex-team's own notices name agents and tasks by id; what agents wrote stays as written.
      body: message.from_agent_id === null ? withNames(message.body, names) : message.body,
      artifacts: message.artifact_refs.map((id) => names.artifacts.get(id) ?? id),
    })),
    artifacts: snapshot.artifacts.map((artifact) => ({
      artifact_id: artifact.id,
      name: artifact.name,
      version: artifact.version,
      media_type: artifact.media_type,
      size_bytes: artifact.size_bytes,
      sha256: artifact.sha256,
      published_by: who(artifact.published_by, '-'),
      task: artifact.task_id === null ? null : (names.tasks.get(artifact.task_id) ?? artifact.task_id),
      plan: artifact.plan,
      at: artifact.created_at,
    })),
    connections: view.events
      .filter((event) => CONNECTION_ACTIONS.has(event.action))
      .map((event) => ({
        seq: event.seq,
        at: event.at,
        actor: who(event.actor_agent_id, event.actor_kind === 'operator' ? '(operator)' : '(recovery)'),
        action: event.action,
        what: describeEvent(event, names),
      })),
    tree: treeView(view),
  };
  return redactDeep(model).value;
}
