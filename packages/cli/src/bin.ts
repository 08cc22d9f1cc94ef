#!/usr/bin/env node
// The `codex-team` binary: wires the real process into runCli and nothing else.
import { homedir } from 'node:os';
import { runCli } from './run-cli';

// Ctrl-C asks the running command to stop (a live view ends cleanly); a command that does not
// listen for it is ended shortly after, as an interrupted command would be.
// SIGTERM (what a service manager sends to `codex-team serve`) asks the same.
const interrupted = new AbortController();
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    interrupted.abort();
    setTimeout(() => process.exit(code), 2_000).unref();
  });
}
// A long-running server outlives an unexpected error: a dead server cuts every agent off.
if (process.argv[2] === 'serve') {
  const report = (kind: string) => (error: unknown) =>
    process.stderr.write(`${JSON.stringify({ level: 50, msg: `${kind}; still serving`, err: String(error instanceof Error ? (error.stack ?? error) : error) })}\n`);
  process.on('uncaughtException', report('uncaught exception'));
  process.on('unhandledRejection', report('unhandled rejection'));
}

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  homeDir: homedir(),
  cwd: process.cwd(),
  execPath: process.execPath,
  nodeVersion: process.versions.node,
  signal: interrupted.signal,
  stdoutIsTerminal: process.stdout.isTTY === true,
}).then((code) => {
  process.exitCode = code;
});
