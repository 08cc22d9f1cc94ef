import { wasInterrupted } from '../cli-io';
import { EXIT, UsageError } from '../errors';
import { TEAM_SOURCE_DETAILS, withTeamSource } from '../team-view/team-source';
import { UI_HOST, startUiServer } from '../ui/ui-server';
import { wholeOption, type Command } from './command';

const DEFAULT_PORT = 7420;

/**
 * `codex-team ui [TEAM]`: a live local web view of a team, the report's sections updating as the
 * store changes, on 127.0.0.1 only and read-only, until Ctrl-C.
 */
export const uiCommand: Command = {
  name: 'ui',
  summary: 'Live web view of a team on 127.0.0.1 (read-only): the report, updating as the team works',
  synopsis: '[TEAM] [--port N] [--db PATH|URL] [--profiles-dir DIR]',
  details: [
    ...TEAM_SOURCE_DETAILS.filter((line) => !line.startsWith('--json')),
    `--port N         port on ${UI_HOST} (default ${DEFAULT_PORT}; 0 picks a free one)`,
    'It listens on this machine only, answers only GET, and opens the store read-only. Ctrl-C stops it (exit 130).',
  ],
  options: { db: { type: 'string' }, 'profiles-dir': { type: 'string' }, port: { type: 'string' } },
  allowPositionals: true,
  maxPositionals: 1,
  run(args, io) {
    const port = wholeOption(args.values, 'port') ?? DEFAULT_PORT;
    if (port > 65_535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    return withTeamSource(args.values, io, async (source) => {
      const first = await source.team(args.positionals[0]);
      const ui = await startUiServer({ source, port, ...(args.positionals[0] === undefined ? {} : { team: first.id }) });
      io.stdout.write(`codex-team ui: ${ui.url} (team ${first.name}, read-only view of ${source.location.shown}; Ctrl-C to stop)\n`);
      try {
        await new Promise<void>((resolve) => {
          if (io.signal === undefined || io.signal.aborted) return resolve();
          io.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        await ui.close();
      }
      return wasInterrupted(io) ? EXIT.interrupted : EXIT.ok;
    });
  },
};
