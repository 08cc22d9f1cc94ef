// Lints probe sources as if they were files inside packages, with the workspace's ESLint config, and
// prints the messages as JSON. Input (stdin): [{ "pkg": "store", "code": "...", "file"?: "x.spec.ts" }, ...]. Used by
// tools/lint-boundaries.spec.ts, which runs it in a child process because Jest's module sandbox
// cannot load the ESM flat config. Nothing is written into the packages: other lint and typecheck
// tasks may be reading them at the same time.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import devkit from '@nx/devkit';
import { ESLint } from 'eslint';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const probes = JSON.parse(readFileSync(0, 'utf8'));

try {
  // @nx/enforce-module-boundaries reads Nx's cached project graph and skips itself without one.
  devkit.readCachedProjectGraph();
} catch {
  await devkit.createProjectGraphAsync({ exitOnError: false });
}

const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfig: {
    // The boundary rules need no type information, and a probe is in no tsconfig program.
    languageOptions: { parserOptions: { project: null, projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
});

const results = [];
for (const { pkg, code, file } of probes) {
  const filePath = resolve(repoRoot, 'packages', pkg, 'src', file ?? '__lint_probe__.ts');
  const [result] = await eslint.lintText(code, { filePath });
  results.push(result.messages.map(({ ruleId, severity, message, fatal }) => ({ ruleId, severity, message, fatal })));
}
process.stdout.write(JSON.stringify(results));
