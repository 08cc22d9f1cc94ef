import {
  BRIEF_EXCERPT_CHARS,
  TaskStatusSchema,
  agentRef,
  cutText,
  teamRef,
  type Brief,
  type Profile,
} from '@codex-team/contracts';
import { earlyStopVerdict } from '@codex-team/policy-engine';
import type { Actor, BriefFacts, TeamStore } from '@codex-team/store';

/** Own artifacts a brief points at (the newest); the others are in team_artifact_list. */
const BRIEF_OWN_ARTIFACTS = 5;

const call = (tool: string, args: Record<string, unknown>): string =>
  Object.keys(args).length === 0 ? tool : `${tool} ${JSON.stringify(args)}`;

/** The team in a few lines: agents, claims in flight (lead), recovery since the previous session, the end in sight. */
function stateLines(facts: BriefFacts, isLead: boolean, profile: Profile): string[] {
  const lines: string[] = [];
  const names = new Map(facts.agents.map((agent) => [agent.id, agent.name] as const));
  const others = facts.agents.filter((agent) => agent.id !== facts.agent.id);
  if (others.length > 0) lines.push(`agents: ${others.map((agent) => `${agent.name} (${agent.id}) ${agent.role} ${agent.state}`).join(', ')}`);
  if (isLead && facts.in_flight.length > 0) {
    lines.push(
      `in flight: ${facts.in_flight
        .map((claim) => `${claim.task_id} ${names.get(claim.owner_agent_id) ?? claim.owner_agent_id} fence ${claim.fence} until ${claim.lease_expires_at ?? '-'}`)
        .join('; ')}`,
    );
  }
  for (const event of facts.recovery) lines.push(`since your last session: ${event.action} ${event.subject_id ?? ''}: ${event.reason}`);
  if (facts.consensus_at !== null) lines.push(`consensus declared at ${facts.consensus_at}: no new claims`);
  if (isLead && facts.team.state === 'active') {
    const verdict = earlyStopVerdict(profile, facts.tasks_by_status, facts.consensus_at);
    if (verdict.verdict === 'stop') lines.push(`ready to finalize: ${verdict.reason}`);
  }
  if (facts.team.state !== 'active') lines.push('the team is finalized: nothing more to do');
  return lines;
}

/** What to read next, each as the call that reads it and why. */
function readNext(facts: BriefFacts, isLead: boolean): string[] {
  const next: string[] = [];
  for (const claim of facts.claims) {
    next.push(`${call('team_task_list', { task_id: claim.task_id })}: the work order of your claim "${claim.title}"`);
  }
  if (facts.unread.count > 0) next.push(`team_inbox: your ${facts.unread.count} unread messages, oldest first (ack what you handle)`);
  if (facts.checkpoint !== null) {
    next.push(
      `${call('team_artifact_read', { artifact_id: facts.checkpoint.artifact_id })}: checkpoint ${facts.checkpoint.number}, the team's work up to seq ${facts.checkpoint.upto_seq}`,
    );
  }
  for (const artifact of facts.my_artifacts.slice(0, BRIEF_OWN_ARTIFACTS)) {
    next.push(`${call('team_artifact_read', { artifact_id: artifact.id })}: your ${artifact.name} v${artifact.version}`);
  }
  if (facts.team.state === 'active') {
    if (isLead) next.push('team_status: agents and whom to spawn');
    else if (facts.claims.length === 0) next.push('team_task_next: claim your next task');
  }
  return next;
}

/**
 * The brief of one agent from what the store read: the smallest text that lets a fresh thread go
 * on as it. Pure; reading it changed nothing (unread messages stay unread).
 */
export function renderBrief(facts: BriefFacts, profile: Profile): Brief {
  const isLead = facts.team.lead_agent_id === facts.agent.id;
  const counts: Record<string, number> = {};
  for (const status of TaskStatusSchema.options) if (facts.tasks_by_status[status] > 0) counts[status] = facts.tasks_by_status[status];
  return {
    me: agentRef(facts.agent),
    team: teamRef(facts.team),
    objective: facts.team.objective,
    claims: facts.claims,
    unread: {
      count: facts.unread.count,
      oldest: facts.unread.oldest.map((message) => ({
        id: message.id,
        ...(message.from_agent_id === null ? {} : { from_agent_id: message.from_agent_id }),
        excerpt: cutText(message.body, BRIEF_EXCERPT_CHARS, 'team_inbox'),
      })),
    },
    tasks_by_status: counts,
    state: stateLines(facts, isLead, profile),
    read_next: readNext(facts, isLead),
    as_of_seq: facts.as_of_seq,
  };
}

/** The caller's brief: one read of the store, worded by renderBrief under the team's profile. */
export async function briefOf(store: TeamStore, actor: Actor, profileOf: (team: { profile: string }) => Profile): Promise<Brief> {
  const facts = await store.readBrief(actor);
  return renderBrief(facts, profileOf(facts.team));
}
