#!/usr/bin/env node
// The `codex-team` binary: wires the real process into runCli and nothing else.
import { homedir } from 'node:os';
import { OUTPUT_CLOSED, type TextSink } from './cli-io';
import { EXIT } from './errors';
import { runCli } from './run-cli';

// Ctrl-C asks the running command to stop (a live view ends, the demo stops its agents); a
// command that does not stop is ended shortly after, as an interrupted command would be.
const stop = new AbortController();
process.once('SIGINT', () => {
  stop.abort('interrupted');
  setTimeout(() => process.exit(EXIT.interrupted), 5_000).unref();
  // A second Ctrl-C ends at once.
  process.once('SIGINT', () => process.exit(EXIT.interrupted));
});

/**
 * A process stream that goes quiet once its reader is gone: `codex-team watch --json | head -1`
 * closes the pipe, the next write fails with EPIPE, and the command is asked to stop (exit 0,
 * nothing on stderr) instead of dying with a crash dump.
 */
function quietWhenClosed(stream: NodeJS.WriteStream): TextSink {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    closed = true;
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
      if (stream === process.stdout) stop.abort(OUTPUT_CLOSED);
      return;
    }
    stop.abort(OUTPUT_CLOSED);
  });
  return {
    write: (chunk: string) => (closed || stream.destroyed ? false : stream.write(chunk)),
  };
}

// Last resort: whatever escapes a command is still one line with a code, never a stack.
process.on('uncaughtException', (error: Error) => {
  process.stderr.write(`codex-team: INTERNAL: ${error.name}: ${error.message.split('\n')[0] ?? ''}\n`);
  process.exit(EXIT.failure);
});

void runCli(process.argv.slice(2), {
  stdout: quietWhenClosed(process.stdout),
  stderr: quietWhenClosed(process.stderr),
  env: process.env,
  homeDir: homedir(),
  cwd: process.cwd(),
  execPath: process.execPath,
  nodeVersion: process.versions.node,
  signal: stop.signal,
  stdoutIsTerminal: process.stdout.isTTY === true,
  terminalSize: () => (process.stdout.isTTY === true ? { columns: process.stdout.columns, rows: process.stdout.rows } : undefined),
}).then((code) => {
  process.exitCode = code;
});
