import { TeamError } from '@codex-team/contracts';
import { watchFrameJson, watchFrameText } from '../team-view/render-watch';
import { TEAM_SOURCE_DETAILS, TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { flagOption, stringOption, type Command } from './command';

const DEFAULT_INTERVAL_MS = 1_000;
/** Clear the screen and home the cursor: a live view redraws in place on a terminal. */
const CLEAR = '\u001b[2J\u001b[H';

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function positive(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new TeamError('INVALID_INPUT', `${flag} must be a whole number of at least ${min}`);
  return Number(value);
}

/**
 * `codex-team watch [TEAM]`: a live view of a team's agents, its DAG's progress and recent events,
 * redrawn every interval until Ctrl-C (which ends it cleanly, exit 0) or `--iterations` frames.
 */
export const watchCommand: Command = {
  name: 'watch',
  summary: "Live view of a team's agents, DAG progress and recent events, refreshing until Ctrl-C",
  synopsis: '[TEAM] [--interval MS] [--iterations N | --once] [--db PATH] [--json]',
  details: [
    ...TEAM_SOURCE_DETAILS,
    `--interval MS    refresh period (default ${DEFAULT_INTERVAL_MS}, at least 100)`,
    '--iterations N   stop after N frames (default: until Ctrl-C); --once is --iterations 1',
    'With --json every frame is one line of JSON.',
  ],
  options: { ...TEAM_SOURCE_OPTIONS, interval: { type: 'string' }, iterations: { type: 'string' }, once: { type: 'boolean' } },
  allowPositionals: true,
  run(args, io) {
    const interval = positive(stringOption(args.values, 'interval'), '--interval', 100) ?? DEFAULT_INTERVAL_MS;
    const iterations = flagOption(args.values, 'once') ? 1 : positive(stringOption(args.values, 'iterations'), '--iterations', 1);
    const json = flagOption(args.values, 'json');
    const redraw = io.stdoutIsTerminal && !json;
    return withTeamSource(args.values, io, async (source) => {
      // Follow one team even if a newer one starts while watching.
      const teamId = (await source.team(args.positionals[0])).id;
      for (let frame = 1; io.signal?.aborted !== true; frame += 1) {
        const view = await source.view(teamId);
        if (json) io.stdout.write(`${JSON.stringify(watchFrameJson(view))}\n`);
        else io.stdout.write(`${redraw ? CLEAR : frame > 1 ? '\n' : ''}${watchFrameText(view, interval)}`);
        if (iterations !== undefined && frame >= iterations) break;
        await pause(interval, io.signal);
      }
      if (io.signal?.aborted === true && !json) io.stdout.write('\nstopped\n');
      return 0;
    });
  },
};
