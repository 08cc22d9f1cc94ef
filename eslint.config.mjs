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

// Who may import whom (ARCHITECTURE.md, "Packages"): the tags each package may depend on.
const mayImport = {
  contracts: [],
  // testkit holds harnesses that several packages' tests share; only specs and testing/ folders
  // may import it (the no-restricted-imports block below).
  testkit: [],
  store: ['contracts', 'testkit'],
  'policy-engine': ['contracts'],
  hooks: ['contracts'],
  scheduler: ['contracts', 'store', 'policy-engine', 'hooks'],
  recovery: ['contracts', 'store', 'scheduler'],
  hierarchy: ['contracts', 'store', 'policy-engine', 'scheduler'],
  'mcp-server': ['contracts', 'store', 'policy-engine', 'hooks', 'scheduler', 'recovery', 'hierarchy', 'testkit'],
  cli: ['contracts', 'store', 'policy-engine', 'hooks', 'scheduler', 'recovery', 'hierarchy', 'mcp-server', 'testkit'],
};
// Third-party packages only some of ours may import: database drivers only the store.
const DRIVERS = ['better-sqlite3', 'pg', 'pg-*'];
const MCP_SDK = ['@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*'];
const mayImportDrivers = new Set(['store']);
const mayImportMcpSdk = new Set(['mcp-server', 'cli']);

const DEEP_IMPORT = {
  regex: '^@codex-team/[^/]+/.+',
  message: 'Import a package only through its public API: @codex-team/<name>, never a deep path.',
};
const TESTKIT_IMPORT = {
  regex: '^@codex-team/testkit$',
  message: 'testkit is for tests only: import it from a *.spec.ts file or a testing/ folder.',
};

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
    // Production code never loads a test harness.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.conformance.ts', '**/testing/**', 'packages/testkit/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [DEEP_IMPORT, TESTKIT_IMPORT] }] },
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
