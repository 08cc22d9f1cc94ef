#!/usr/bin/env node
// The `codex-team` binary: wires the real process into runCli and nothing else.
import { homedir } from 'node:os';
import { runCli } from './run-cli';

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  homeDir: homedir(),
  cwd: process.cwd(),
  execPath: process.execPath,
  nodeVersion: process.versions.node,
  stdoutIsTerminal: process.stdout.isTTY === true,
}).then((code) => {
  process.exitCode = code;
});
