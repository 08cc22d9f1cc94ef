#!/usr/bin/env node
// The `codex-team` binary: wires the real process into runCli and nothing else.
import { homedir } from 'node:os';
import { readAll } from './cli-io';
import { runCli } from './run-cli';

// Ctrl-C asks the running command to stop (a live view ends cleanly); a command that does not
// listen for it is ended shortly after, as an interrupted command would be.
const interrupted = new AbortController();
process.once('SIGINT', () => {
  interrupted.abort();
  setTimeout(() => process.exit(130), 2_000).unref();
});

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
  readStdin: () => readAll(process.stdin),
}).then((code) => {
  process.exitCode = code;
});
