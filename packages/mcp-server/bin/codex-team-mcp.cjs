#!/usr/bin/env node
// `codex-team-mcp` as npm links it into node_modules/.bin: committed and executable in git for the
// same reasons as packages/cli/bin/codex-team.cjs. The server itself is the build's bundle;
// `codex-team install` copies that bundle into a runtime folder of its own and never points here.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'codex-team-mcp.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('codex-team-mcp: NOT_FOUND: the server is not built yet: run `npm run build` in the codex-team checkout\n');
  process.exit(1);
}
require(bundle);
