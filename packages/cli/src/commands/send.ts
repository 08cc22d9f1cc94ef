import { UsageError } from '../errors';
import { flagOption, requiredPositional, stringOption, type Command } from './command';
import { OPERATOR_STORE_DETAILS, OPERATOR_STORE_OPTIONS, withOperatorTeam } from './operator-store';

/** `codex-team send TEAM --to NAME|lead|* MESSAGE`: a message from the operator, read with team_inbox. */
export const sendCommand: Command = {
  name: 'send',
  summary: 'Send a message to an agent, the lead or everyone of a team, as the operator',
  synopsis: 'TEAM --to NAME|lead|* MESSAGE [--idempotency-key KEY] [--db PATH|URL] [--json]',
  details: [
    'TEAM             a team id or name (an active team)',
    '--to WHO         an agent name or id, `lead`, or `*` for every agent',
    'MESSAGE          the text; agents read it with team_inbox, marked as from the operator',
    '--idempotency-key KEY  a retry with the same key and message is stored once',
    ...OPERATOR_STORE_DETAILS,
  ],
  options: { ...OPERATOR_STORE_OPTIONS, to: { type: 'string' }, 'idempotency-key': { type: 'string' } },
  allowPositionals: true,
  maxPositionals: 2,
  run(args, io) {
    const ref = requiredPositional(args, 0, 'a team id or name');
    const body = requiredPositional(args, 1, 'the message');
    const to = stringOption(args.values, 'to');
    if (to === undefined || to === '') throw new UsageError('give --to NAME, --to lead or --to "*"');
    const key = stringOption(args.values, 'idempotency-key');
    return withOperatorTeam(args.values, io, ref, async (store, team) => {
      const sent = await store.operatorSend(team.id, { to, body, ...(key === undefined ? {} : { idempotencyKey: key }) });
      io.stdout.write(
        flagOption(args.values, 'json')
          ? `${JSON.stringify(sent, null, 2)}\n`
          : `${sent.duplicate ? 'already sent' : 'sent'} ${sent.message.id} to ${to === '*' ? 'every agent' : to} of team ${team.name}\n`,
      );
      return 0;
    });
  },
};
