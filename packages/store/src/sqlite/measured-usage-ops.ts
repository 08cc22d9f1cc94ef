import { TeamError, type UsageRecord } from '@codex-team/contracts';
import { usageRuling } from '@codex-team/policy-engine';
import type { MeasuredUsageInput, MeasuredUsageResult } from '../team-store';
import { findAgent, findTeam } from './access';
import { appendAudit } from './audit';
import { USAGE_COLUMNS, policyState, toUsage, type UsageRow } from './policy-ops';
import type { Op } from './transaction';
import { budgetOf } from './tree-rows';

// Usage measured from Codex's own records (docs/operator.md, "Token usage"). The server of an
// agent's Codex thread reads the thread's session rollout file and hands over each model response's
// tokens; this charges each response once (unique thread + response), to the agent and its team.

/**
 * Tokens this agent's own reports charged that its measured samples have not absorbed yet: a
 * thread's rollout covers every response from its start, so what the agent reported for the same
 * turns before its usage was measured is taken off its first measured charges, never counted twice.
 */
function unabsorbedReports(op: Op, agentId: string): number {
  const reported = op.sql.value<number>('SELECT COALESCE(SUM(charged_tokens), 0) FROM usage_samples WHERE agent_id = ? AND source IS NULL', agentId) ?? 0;
  const absorbed =
    op.sql.value<number>(
      "SELECT COALESCE(SUM(input_tokens + output_tokens - charged_tokens), 0) FROM usage_samples WHERE agent_id = ? AND source = 'measured'",
      agentId,
    ) ?? 0;
  return Math.max(0, reported - absorbed);
}

/**
 * Charges the responses of `input.codexThreadId` that were not charged yet (a response already
 * stored is skipped: a re-read rollout or a second server charges nothing) as measured samples of
 * the agent, in order. Each one's charge is its input plus output tokens, less what the agent's own
 * earlier reports already charged (unabsorbedReports); the budget lines it crosses are logged as a
 * self-report's are. One `usage.measure` event carries the new samples; nothing new, nothing written.
 * Finalized teams and retired agents are charged too: the tokens were spent.
 */
export function recordMeasuredUsage(op: Op, input: MeasuredUsageInput): MeasuredUsageResult {
  const team = findTeam(op, input.teamId);
  const agent = team === undefined ? undefined : findAgent(op, input.teamId, input.agentId);
  if (team === undefined || agent === undefined) {
    throw new TeamError('NOT_BOUND', `agent ${input.agentId} is not an agent of team ${input.teamId}`);
  }
  const known = new Set(
    op.sql
      .all<{ codex_response_id: string }>(
        'SELECT codex_response_id FROM usage_samples WHERE codex_thread_id = ? AND codex_response_id IN (SELECT value FROM json_each(?))',
        input.codexThreadId,
        JSON.stringify(input.responses.map((response) => response.response_id)),
      )
      .map((row) => row.codex_response_id),
  );
  const fresh = input.responses.filter((response) => !known.has(response.response_id));
  const seen = new Set<string>();
  const samples: UsageRecord[] = [];
  const crossed: string[] = [];
  let credit = unabsorbedReports(op, agent.id);
  const before = policyState(op, team.id).used_tokens;
  for (const response of fresh) {
    if (seen.has(response.response_id)) continue;
    seen.add(response.response_id);
    const tokens = response.input_tokens + response.output_tokens;
    const charged = Math.max(0, tokens - credit);
    credit -= tokens - charged;
    const budget = budgetOf(op, team);
    // The ruling prices input plus output: the part not absorbed, split so each stays within its bound.
    const inputPart = Math.min(charged, response.input_tokens);
    const ruling = usageRuling(budget.profile, budget.committedTokens, { input_tokens: inputPart, output_tokens: charged - inputPart });
    if (ruling.crossed !== null) {
      crossed.push(ruling.crossed);
      op.decided({ teamId: team.id, profile: team.profile, rule: ruling.rule, inputs: ruling.inputs, outcome: `crossed ${ruling.crossed}`, reason: ruling.reason });
    }
    const seq = Number(
      op.sql.run(
        `INSERT INTO usage_samples
           (team_id, agent_id, task_id, input_tokens, output_tokens, cached_input_tokens, charged_tokens, created_at,
            source, codex_thread_id, codex_response_id)
         VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 'measured', ?, ?)`,
        team.id,
        agent.id,
        response.input_tokens,
        response.output_tokens,
        response.cached_input_tokens,
        ruling.tokens,
        op.now,
        input.codexThreadId,
        response.response_id,
      ).lastInsertRowid,
    );
    op.sql.run('UPDATE teams SET used_tokens = used_tokens + ? WHERE id = ?', ruling.tokens, team.id);
    const row = op.sql.get<UsageRow>(`SELECT ${USAGE_COLUMNS} FROM usage_samples WHERE seq = ?`, seq);
    if (row === undefined) throw new TeamError('INTERNAL', 'the measured usage sample was not stored');
    samples.push(toUsage(row));
  }
  if (samples.length === 0) return { usage: [], skipped: input.responses.length };
  const charged = samples.reduce((sum, sample) => sum + sample.charged_tokens, 0);
  const measured = samples.reduce((sum, sample) => sum + sample.input_tokens + sample.output_tokens, 0);
  appendAudit(op, {
    teamId: team.id,
    actorAgentId: agent.id,
    action: 'usage.measure',
    subjectId: agent.id,
    reason:
      `measured ${measured} tokens of ${samples.length} model responses in Codex thread ${input.codexThreadId}; charged ${charged}` +
      (charged === measured ? '' : ` (${measured - charged} already charged by the agent's own reports)`) +
      (crossed.length === 0 ? '' : `; crossed the ${crossed.join(', then the ')} budget`),
    data: { usage: samples, used_tokens: before + charged, crossed: crossed.at(-1) ?? null },
  });
  return { usage: samples, skipped: input.responses.length - samples.length };
}
