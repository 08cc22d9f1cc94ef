#!/usr/bin/env node
// The `codex-team` binary: wires the real process into runCli and nothing else.
import { homedir } from 'node:os';
import { OUTPUT_CLOSED, readAll, type TextSink } from './cli-io';
import { EXIT } from './errors';
import { runCli } from './run-cli';

// Ctrl-C (SIGINT), or SIGTERM from a service manager, asks the running command to stop (a live
// view ends, the demo stops its agents, `serve` ends every session as a disconnect); a command that
// does not stop is ended shortly after, as an interrupted command would be. The abort's reason is
// the signal's name.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  const exitCode = signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
  process.once(signal, () => {
    stop.abort(signal);
    setTimeout(() => process.exit(exitCode), 5_000).unref();
    // A second one ends at once.
    process.once(signal, () => process.exit(exitCode));
  });
}

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

if (process.argv[2] === 'serve') {
  // A long-running server outlives an unexpected error: a dead server cuts every agent off.
  const report = (kind: string) => (error: unknown) =>
    process.stderr.write(`${JSON.stringify({ level: 50, msg: `${kind}; still serving`, err: String(error instanceof Error ? (error.stack ?? error) : error) })}\n`);
  process.on('uncaughtException', report('uncaught exception'));
  process.on('unhandledRejection', report('unhandled rejection'));
} else {
  // Last resort: whatever escapes a command is still one line with a code, never a stack.
  process.on('uncaughtException', (error: Error) => {
    process.stderr.write(`codex-team: INTERNAL: ${error.name}: ${error.message.split('\n')[0] ?? ''}\n`);
    process.exit(EXIT.failure);
  });
}

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
  readStdin: () => readAll(process.stdin),
}).then((code) => {
  process.exitCode = code;
});
