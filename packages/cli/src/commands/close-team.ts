import { flagOption, requiredPositional, stringOption, type Command } from './command';
import { OPERATOR_STORE_DETAILS, OPERATOR_STORE_OPTIONS, withOperatorTeam } from './operator-store';

function closeCommand(cancel: boolean): Command {
  const verb = cancel ? 'cancel' : 'finalize';
  return {
    name: verb,
    summary: cancel
      ? 'Cancel an active team as the operator: its open tasks cancelled, its agents told'
      : 'Finalize an active team as the operator (refused while work is open, unless --force)',
    synopsis: `TEAM${cancel ? '' : ' [--force]'} [--reason TEXT] [--db PATH|URL] [--json]`,
    details: [
      'TEAM             a team id or name',
      ...(cancel
        ? ['A cancelled team is finalized as well: writes are refused, the sweep leaves it alone; a child team', "rolls up as cancelled (its parent's delegated tasks fail or return, as its profile says)."]
        : ['--force          cancel unfinished tasks and live child teams instead of refusing (CONFLICT)']),
      '--reason TEXT    why, recorded with the team and told to its agents',
      ...OPERATOR_STORE_DETAILS,
    ],
    options: { ...OPERATOR_STORE_OPTIONS, reason: { type: 'string' }, ...(cancel ? {} : { force: { type: 'boolean' } }) },
    allowPositionals: true,
    maxPositionals: 1,
    run(args, io) {
      const ref = requiredPositional(args, 0, 'a team id or name');
      return withOperatorTeam(args.values, io, ref, async (store, team) => {
        const result = await store.operatorClose(team.id, {
          cancel,
          force: flagOption(args.values, 'force'),
          reason: stringOption(args.values, 'reason') ?? '',
        });
        const cancelled = result.cancelled_task_ids.length;
        io.stdout.write(
          flagOption(args.values, 'json')
            ? `${JSON.stringify(result, null, 2)}\n`
            : `team ${team.name} (${team.id}) ${cancel ? 'cancelled' : 'finalized'}; ${cancelled} unfinished tasks cancelled; its agents were told\n`,
        );
        return 0;
      });
    },
  };
}

/** `codex-team finalize TEAM [--force]`: the operator finalizes a team, by the rules of team_finalize. */
export const finalizeCommand = closeCommand(false);
/** `codex-team cancel TEAM`: the operator cancels a team. */
export const cancelCommand = closeCommand(true);
