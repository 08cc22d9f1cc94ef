#!/usr/bin/env node
// Sums the Jest JSON results of one run (tmp/jest/*.json, written by the test-unit and
// test-integration targets) and prints the plain line CI reads: `N passed, N failed[, N skipped]`.
// A suite that could not run at all (syntax error, missing module) counts as one failed test.
// Exits 1 when anything failed, 0 otherwise (also when no result file exists: 0 passed, 0 failed).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'tmp', 'jest'));
let passed = 0;
let failed = 0;
let skipped = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
for (const file of files) {
  try {
    const result = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    passed += result.numPassedTests ?? 0;
    failed += (result.numFailedTests ?? 0) + (result.numRuntimeErrorTestSuites ?? 0);
    skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  } catch (error) {
    process.stderr.write(`ci-summary: unreadable ${file}: ${error.message}\n`);
    failed += 1;
  }
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed > 0 ? 1 : 0;
