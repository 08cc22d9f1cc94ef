import type { AuthzDecision } from '@codex-team/contracts';
import { redactDeep } from '@codex-team/policy-engine';
import { replayAuditTrail } from '@codex-team/store';
import { printableEvents, treeView } from '../team-view/team-model';
import { TEAM_SOURCE_DETAILS, TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { renderDecisions } from '../team-view/render-decisions';
import { renderEvents } from '../team-view/render-text';
import { teamNames } from '../team-view/event-text';
import { flagOption, wholeOption, type Command } from './command';

/** JSON with object keys sorted: equal data gives equal text, whatever the key order or realm. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, node: unknown) =>
    node !== null && typeof node === 'object' && !Array.isArray(node)
      ? Object.fromEntries(Object.entries(node as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : node,
  );
}

/** Which parts of the rebuilt state differ from the store's. */
function differences(rebuilt: object, stored: object): string[] {
  const a = rebuilt as Record<string, unknown>;
  const b = stored as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => canonical(a[key]) !== canonical(b[key]));
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
  synopsis: '[TEAM] [--after SEQ] [--limit N] [--verify | --decisions] [--db PATH] [--json]',
  details: [
    ...TEAM_SOURCE_DETAILS,
    '--after SEQ      only events after this sequence number',
    '--limit N        at most N events',
    '--verify         rebuild the state from every event and compare it with the store (exit 1 if they differ)',
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
        const verdict = { team_id: snapshot.team.id, events: events.length, matches: diff.length === 0, differs_in: diff };
        io.stdout.write(
          json
            ? `${JSON.stringify(verdict, null, 2)}\n`
            : diff.length === 0
              ? `replaying ${events.length} events rebuilds the store's state of team ${snapshot.team.name} exactly ` +
                `(${snapshot.agents.length} agents, ${snapshot.tasks.length} tasks, ${snapshot.messages.length} messages, ` +
                `${snapshot.artifacts.length} artifacts, ${snapshot.usage.length} usage samples)\n`
              : `replay DIFFERS from the store in: ${diff.join(', ')}\n`,
        );
        return diff.length === 0 ? 0 : 1;
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
