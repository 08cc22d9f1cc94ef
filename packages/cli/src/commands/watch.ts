import { WATCH_EXIT, watchExitStatus, watchFrameJson, watchFrameText } from '../team-view/render-watch';
import { TEAM_SOURCE_DETAILS, TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { flagOption, wholeOption, type Command } from './command';

const DEFAULT_INTERVAL_MS = 1_000;

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

/**
 * `codex-team watch [TEAM]`: a live view of a team's agents, its DAG's progress and recent events,
 * redrawn every interval until the team ends (its outcome is the exit status, WATCH_EXIT), Ctrl-C
 * (130) or `--iterations` frames (0).
 */
export const watchCommand: Command = {
  name: 'watch',
  summary: "Live view of a team's agents, DAG progress and recent events, until the team ends",
  synopsis: '[TEAM] [--interval MS] [--iterations N | --once] [--db PATH|URL] [--json]',
  details: [
    ...TEAM_SOURCE_DETAILS,
    `--interval MS    refresh period (default ${DEFAULT_INTERVAL_MS}, at least 100)`,
    '--iterations N   stop after N frames (default: until the team ends or Ctrl-C); --once is --iterations 1',
    'With --json every frame is one line of JSON. On a terminal the view redraws in place and fits its size.',
    `Exit status once the team has ended: ${WATCH_EXIT.finalizedDone} finalized with every task done, ` +
      `${WATCH_EXIT.finalizedUnfinished} finalized with tasks failed, cancelled or unfinished;`,
    '0 after --iterations frames; 130 on Ctrl-C; 1 when the store cannot be read.',
  ],
  options: { ...TEAM_SOURCE_OPTIONS, interval: { type: 'string' }, iterations: { type: 'string' }, once: { type: 'boolean' } },
  allowPositionals: true,
  maxPositionals: 1,
  run(args, io) {
    const interval = wholeOption(args.values, 'interval', 100) ?? DEFAULT_INTERVAL_MS;
    const iterations = flagOption(args.values, 'once') ? 1 : wholeOption(args.values, 'iterations', 1);
    const json = flagOption(args.values, 'json');
    const redraw = io.stdoutIsTerminal && !json;
    return withTeamSource(args.values, io, async (source) => {
      // Follow one team even if a newer one starts while watching.
      const teamId = (await source.team(args.positionals[0])).id;
      for (let frame = 1; io.signal?.aborted !== true; frame += 1) {
        await source.refresh();
        const view = await source.view(teamId);
        if (json) {
          io.stdout.write(`${JSON.stringify(watchFrameJson(view))}\n`);
        } else {
          if (redraw) io.stdout.control({ kind: 'clear-screen' });
          else if (frame > 1) io.stdout.write('\n');
          io.stdout.write(watchFrameText(view, interval, redraw ? io.terminalSize?.() : undefined));
        }
        const ended = watchExitStatus(view.snapshot);
        if (ended !== null) return ended;
        if (iterations !== undefined && frame >= iterations) break;
        await pause(interval, io.signal);
      }
      return 0;
    });
  },
};
