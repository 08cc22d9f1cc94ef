#!/usr/bin/env node
// The runtime `codex-team` that `codex-team install` copies beside the server bundle
// (dist/codex-team.cjs, bundled by tools/bundle.cjs): it serves Codex's hooks, so it carries
// only the `hook` command and exits 0 whatever happens. For Codex, a hook's exit code 2 means
// "block", and a hook that could block by mistake would keep agents from ever stopping.
import { homedir } from 'node:os';
import { readAll } from './cli-io';
import { hookCommand } from './commands/hook';
import { runCommandLine } from './run-command-line';

void runCommandLine(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    homeDir: homedir(),
    cwd: process.cwd(),
    execPath: process.execPath,
    nodeVersion: process.versions.node,
    stdoutIsTerminal: process.stdout.isTTY === true,
    readStdin: () => readAll(process.stdin),
  },
  [hookCommand],
).then(
  (code) => process.exit(process.argv[2] === 'hook' ? 0 : code),
  () => process.exit(0),
);
