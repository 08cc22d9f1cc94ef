import type { AuthzDecision, TeamId } from '@codex-team/contracts';
import { redactDeep } from '@codex-team/policy-engine';
import { canonicalJson, replayAuditTrail, verifyCheckpoints, type ReplayVerdict, type StoredCheckpoint, type TeamStoreReader } from '@codex-team/store';
import { printableEvents, treeView } from '../team-view/team-model';
import { TEAM_SOURCE_DETAILS, TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { renderDecisions } from '../team-view/render-decisions';
import { renderEvents } from '../team-view/render-text';
import { teamNames } from '../team-view/event-text';
import { flagOption, wholeOption, type Command } from './command';

/** Which parts of the rebuilt state differ from the store's. */
function differences(rebuilt: object, stored: object): string[] {
  const a = rebuilt as Record<string, unknown>;
  const b = stored as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => canonicalJson(a[key]) !== canonicalJson(b[key]));
}

/** Every checkpoint of the team, oldest first, with its state. */
async function checkpointsOf(store: TeamStoreReader, teamId: TeamId): Promise<StoredCheckpoint[]> {
  const all: StoredCheckpoint[] = [];
  for (const ref of await store.listCheckpoints(teamId)) {
    const stored = await store.readCheckpoint(teamId, ref.number);
    if (stored !== null) all.push(stored);
  }
  return all;
}

/** The text of a checkpoint verdict: one line, then a line per checkpoint that fails. */
function checkpointLines(verdict: ReplayVerdict): string {
  if (verdict.from_checkpoint === null) return 'no checkpoint yet: nothing to replay from but the first event\n';
  const { number, upto_seq, later_events, digest } = verdict.from_checkpoint;
  const head =
    digest === verdict.full_digest
      ? `replaying checkpoint ${number} (seq <= ${upto_seq}) and the ${later_events} events after it gives the same state digest as replaying all ${verdict.events} events (${digest.slice(0, 12)})`
      : `replaying checkpoint ${number} and the ${later_events} events after it DIFFERS from replaying all ${verdict.events} events (${digest.slice(0, 12)} vs ${verdict.full_digest.slice(0, 12)})`;
  const bad = verdict.checkpoints
    .filter((c) => !(c.state_checksum_ok && c.archive_ok && c.state_ok))
    .map((c) => `checkpoint ${c.number} (seq <= ${c.upto_seq}) FAILS:${c.state_checksum_ok ? '' : ' state checksum'}${c.archive_ok ? '' : ' archived events changed'}${c.state_ok ? '' : ' state differs from the replay'}`);
  const ok = verdict.checkpoints.length - bad.length;
  return [head, `${ok} of ${verdict.checkpoints.length} checkpoints verified (state checksum, archive checksum, state)`, ...bad].join('\n') + '\n';
}

const DECISION_PAGE = 10_000;

/**
 * `codex-team replay [TEAM]`: the team's audit trail in order (secrets masked); with --verify,
 * rebuilds the team's state from it and compares it with the store; with --decisions, the
 * authorization decision of every call of the team instead, in the order they were made.
 */
export const replayCommand: Command = {
  name: 'replay',
  summary: "Print a team's audit events in order; --verify rebuilds the state from them",
  synopsis: '[TEAM] [--after SEQ] [--limit N] [--verify | --decisions] [--db PATH|URL] [--json]',
  details: [
    ...TEAM_SOURCE_DETAILS,
    '--after SEQ      only events after this sequence number',
    '--limit N        at most N events',
    '--verify         rebuild the state from every event and compare it with the store, and check every checkpoint:',
    '                 its checksums, its state, and that replaying the latest one and the events after it gives the',
    '                 same state digest as replaying every event (exit 1 if anything differs)',
    '--decisions      every call\'s authorization decision (allowed or refused, rule and outcome) instead of events',
  ],
  options: {
    ...TEAM_SOURCE_OPTIONS,
    after: { type: 'string' },
    limit: { type: 'string' },
    verify: { type: 'boolean' },
    decisions: { type: 'boolean' },
  },
  allowPositionals: true,
  maxPositionals: 1,
  run(args, io) {
    const after = wholeOption(args.values, 'after') ?? 0;
    const limit = wholeOption(args.values, 'limit');
    const json = flagOption(args.values, 'json');
    return withTeamSource(args.values, io, async (source) => {
      const verify = flagOption(args.values, 'verify');
      // --verify compares what is stored; everything printed is masked (TeamSource.view).
      const view = verify ? await source.rawView(args.positionals[0]) : await source.view(args.positionals[0]);
      const { snapshot, events, now } = view;
      if (flagOption(args.values, 'decisions')) {
        const decisions: AuthzDecision[] = [];
        for (let seq = after; decisions.length < (limit ?? Number.MAX_SAFE_INTEGER); ) {
          const page = await source.store.listAuthzDecisions({ teamId: snapshot.team.id, afterSeq: seq, limit: DECISION_PAGE });
          decisions.push(...page);
          if (page.length < DECISION_PAGE) break;
          seq = page[page.length - 1]?.seq ?? seq;
        }
        const printable = redactDeep(decisions.slice(0, limit ?? Number.MAX_SAFE_INTEGER)).value;
        io.stdout.write(json ? `${JSON.stringify(printable, null, 2)}\n` : renderDecisions(printable, snapshot.agents));
        return 0;
      }
      if (verify) {
        const diff = differences(replayAuditTrail(events, { now }), snapshot);
        const checkpoints = verifyCheckpoints(events, await checkpointsOf(source.store, snapshot.team.id));
        const ok = diff.length === 0 && checkpoints.ok;
        const verdict = { team_id: snapshot.team.id, events: events.length, matches: diff.length === 0, differs_in: diff, checkpoints, ok };
        io.stdout.write(
          json
            ? `${JSON.stringify(verdict, null, 2)}\n`
            : (diff.length === 0
                ? `replaying ${events.length} events rebuilds the store's state of team ${snapshot.team.name} exactly ` +
                  `(${snapshot.agents.length} agents, ${snapshot.tasks.length} tasks, ${snapshot.messages.length} messages, ` +
                  `${snapshot.artifacts.length} artifacts, ${snapshot.usage.length} usage samples)\n`
                : `replay DIFFERS from the store in: ${diff.join(', ')}\n`) + checkpointLines(checkpoints),
        );
        return ok ? 0 : 1;
      }
      const page = events.filter((event) => event.seq > after).slice(0, limit ?? Number.MAX_SAFE_INTEGER);
      const printable = printableEvents(page);
      // A team of a tree is shown in it first: where its delegated work went and came from.
      const tree = treeView(view);
      const header = tree.length === 0 ? '' : `team tree:\n${tree.map((line) => `  ${line}`).join('\n')}\n\n`;
      io.stdout.write(json ? `${JSON.stringify(printable, null, 2)}\n` : `${header}${renderEvents(printable, teamNames(snapshot))}`);
      return 0;
    });
  },
};
