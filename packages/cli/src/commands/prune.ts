import { UsageError } from '../errors';
import { flagOption, stringOption, type Command } from './command';
import { OPERATOR_STORE_DETAILS, OPERATOR_STORE_OPTIONS, withWritableStore } from './operator-store';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `45s`, `2w` in milliseconds; a UsageError naming the value otherwise. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text);
  const unit = match?.[2] === undefined ? undefined : UNIT_MS[match[2]];
  if (match === null || unit === undefined || !Number.isSafeInteger(Number(match[1]) * unit)) {
    throw new UsageError(`--older-than must be a whole number and a unit s, m, h, d or w (e.g. 30d), got ${JSON.stringify(text)}`);
  }
  return Number(match[1]) * unit;
}

/** `codex-team prune --older-than D [--dry-run]`: removes finalized and cancelled teams, never an active one. */
export const pruneCommand: Command = {
  name: 'prune',
  summary: 'Remove finalized and cancelled teams older than a duration, with all their rows',
  synopsis: '--older-than DURATION [--dry-run] [--db PATH|URL] [--json]',
  details: [
    '--older-than D   finalized at least this long ago: 45s, 90m, 12h, 30d, 2w',
    '--dry-run        list what would be removed, remove nothing',
    'Whole team trees only, each finalized throughout; an active team (or a tree holding one) is never removed.',
    ...OPERATOR_STORE_DETAILS,
  ],
  options: { ...OPERATOR_STORE_OPTIONS, 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' } },
  run(args, io) {
    const olderThan = stringOption(args.values, 'older-than');
    if (olderThan === undefined) throw new UsageError('give --older-than DURATION (e.g. 30d)');
    const ms = parseDuration(olderThan);
    const dryRun = flagOption(args.values, 'dry-run');
    return withWritableStore(args.values, io, async (store) => {
      const pruned = await store.pruneTeams({ finalizedBefore: Date.now() - ms, dryRun });
      if (flagOption(args.values, 'json')) {
        io.stdout.write(`${JSON.stringify(pruned, null, 2)}\n`);
        return 0;
      }
      const lines = pruned.roots.map((root) => `  ${root.id}  ${root.name}  finalized ${root.finalized_at}`);
      const head = `${dryRun ? 'would remove' : 'removed'} ${pruned.team_ids.length} teams (${pruned.roots.length} trees)`;
      io.stdout.write(`${[head, ...lines].join('\n')}\n`);
      return 0;
    });
  },
};
