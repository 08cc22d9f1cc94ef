#!/usr/bin/env node
// `codex-team` as npm links it into node_modules/.bin. This file is committed, and executable in
// git, because npm links workspace bins at `npm ci`, before anything is built, and a build that
// rewrites its output would drop an executable bit: the CLI itself is the build's dist/bin.js.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bin = join(__dirname, '..', 'dist', 'bin.js');
if (!existsSync(bin)) {
  process.stderr.write('codex-team: NOT_FOUND: the CLI is not built yet: run `npm run build` in the codex-team checkout\n');
  process.exit(1);
}
require(bin);
