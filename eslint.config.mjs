// Lint for the whole workspace (ESLint 9 flat config). Package boundaries are stated once here, as
// Nx project tags (see each project.json) plus @nx/enforce-module-boundaries; a violation is an error.
import { readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const require = createRequire(import.meta.url);
const noRelativePackageEscape = require('./tools/eslint/no-relative-package-escape.cjs');
const root = dirname(fileURLToPath(import.meta.url));

// Who may import whom (ARCHITECTURE.md, "Packages"): the layers from the bottom up, each package
// importing only packages below it. The pure decision packages sit below the store, which applies
// their rules inside its transactions; nothing imports a package above itself.
const mayImport = {
  contracts: [],
  'policy-engine': ['contracts'],
  hooks: ['contracts', 'policy-engine'],
  scheduler: ['contracts', 'policy-engine'],
  hierarchy: ['contracts', 'policy-engine', 'scheduler'],
  store: ['contracts', 'policy-engine', 'hooks', 'scheduler', 'hierarchy', 'testkit'],
  recovery: ['contracts', 'policy-engine', 'scheduler', 'store'],
  'mcp-server': ['contracts', 'policy-engine', 'hooks', 'scheduler', 'hierarchy', 'store', 'recovery', 'testkit'],
  cli: ['contracts', 'policy-engine', 'hooks', 'scheduler', 'hierarchy', 'store', 'recovery', 'mcp-server', 'testkit'],
  // testkit is no layer: the test harnesses several packages' tests share (a throwaway PostgreSQL
  // cluster). It imports none of ours, and only specs and testing/ folders may import it
  // (TESTKIT_IMPORT below), like a package's own testing entry.
  testkit: [],
};

// A package's public API is its index; test doubles and harnesses are a separate `testing` entry
// (`@codex-team/<name>/testing`) and the testkit package, which only specs, conformance suites and
// other test harnesses use.
const DEEP_IMPORT = {
  regex: '^@codex-team/[^/]+/(?!testing$).+',
  message: 'Import a package only through its public API: @codex-team/<name>, never a deep path.',
};
const TESTING_ENTRY = {
  regex: '^@codex-team/[^/]+/testing$',
  message: 'Production code never imports a testing entry (test doubles and harnesses): only specs and test harnesses do.',
};
const TESTKIT_IMPORT = {
  regex: '^@codex-team/testkit$',
  message: 'testkit is for tests only: import it from a *.spec.ts file or a testing/ folder.',
};
const TEST_FILES = ['**/*.spec.ts', '**/*.conformance.ts', '**/testing/**', 'tools/**'];
// Third-party packages only some of ours may import: database drivers only the store.
const DRIVERS = ['better-sqlite3', 'pg', 'pg-*'];
const MCP_SDK = ['@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*'];
const mayImportDrivers = new Set(['store']);
const mayImportMcpSdk = new Set(['mcp-server', 'cli']);

const depConstraints = Object.entries(mayImport).map(([name, allowed]) => ({
  sourceTag: `scope:${name}`,
  onlyDependOnLibsWithTags: allowed.map((dep) => `scope:${dep}`),
  bannedExternalImports: [
    ...(mayImportDrivers.has(name) ? [] : DRIVERS),
    ...(mayImportMcpSdk.has(name) ? [] : MCP_SDK),
  ],
}));
depConstraints.push({
  // workspace-tools (tools/) tests the workspace itself and ships nothing.
  sourceTag: 'scope:workspace-tools',
  onlyDependOnLibsWithTags: ['*'],
});

// Type-aware linting reads each package's own lib and spec tsconfigs.
const packages = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'project.json')),
);
const typeAwareProjects = [
  ...packages.map((name) => ({
    files: [`packages/${name}/**/*.ts`],
    project: [`packages/${name}/tsconfig.json`, `packages/${name}/tsconfig.spec.json`],
  })),
  { files: ['tools/**/*.ts'], project: ['tools/tsconfig.spec.json'] },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'tmp/**', '.nx/**'] },
  ...nx.configs['flat/base'],
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { tsconfigRootDir: root } },
  },
  ...typeAwareProjects.map(({ files, project }) => ({
    files,
    languageOptions: { parserOptions: { project, tsconfigRootDir: root } },
  })),
  {
    files: ['**/*.ts'],
    plugins: { 'codex-team': { rules: { 'no-relative-package-escape': noRelativePackageEscape } } },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          checkDynamicDependenciesExceptions: [],
          depConstraints,
        },
      ],
      'codex-team/no-relative-package-escape': 'error',
      'no-restricted-imports': ['error', { patterns: [DEEP_IMPORT] }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Production code never loads a test double or harness.
    files: ['**/*.ts'],
    ignores: TEST_FILES,
    rules: { 'no-restricted-imports': ['error', { patterns: [DEEP_IMPORT, TESTING_ENTRY, TESTKIT_IMPORT] }] },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { process: 'readonly', console: 'readonly' } },
  },
);
