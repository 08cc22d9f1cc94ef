import type { OutputSink } from '../cli-io';
import { progressHeadline, renderProgress, type ProgressSnapshot } from './progress-view';

/**
 * Draws the demo's progress. On a terminal it redraws one frame in place; otherwise (a pipe, a CI
 * log) it prints a line only when the headline changes, so the log shows every step once.
 */
export class LiveView {
  private linesOnScreen = 0;
  private lastHeadline = '';

  constructor(
    private readonly out: OutputSink,
    private readonly interactive: boolean,
  ) {}

  draw(snapshot: ProgressSnapshot): void {
    if (this.interactive) {
      const frame = renderProgress(snapshot);
      this.out.control({ kind: 'rewind-lines', lines: this.linesOnScreen });
      this.out.write(`${frame.join('\n')}\n`);
      this.linesOnScreen = frame.length;
      return;
    }
    const headline = progressHeadline(snapshot);
    if (headline === this.lastHeadline) return;
    this.lastHeadline = headline;
    this.out.write(`${(snapshot.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${headline}\n`);
  }
}
