import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// Proves that lint refuses the imports ARCHITECTURE.md forbids and accepts the allowed ones, by
// linting probe files placed (virtually) inside packages with the workspace's own ESLint config.
interface Probe {
  pkg: string;
  code: string;
}
interface Message {
  ruleId: string | null;
  severity: number;
  message: string;
  fatal?: boolean;
}

const BOUNDARY_RULES = new Set([
  '@nx/enforce-module-boundaries',
  'no-restricted-imports',
  'codex-team/no-relative-package-escape',
]);

const probes = {
  contractsImportsStore: { pkg: 'contracts', code: "export { TeamStore } from '@codex-team/store';\n" },
  policyImportsHooks: { pkg: 'policy-engine', code: "export * from '@codex-team/hooks';\n" },
  schedulerImportsSqlite: { pkg: 'scheduler', code: "import Database from 'better-sqlite3';\nexport const db = Database;\n" },
  policyImportsMcpSdk: {
    pkg: 'policy-engine',
    code: "export { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';\n",
  },
  recoveryImportsPg: { pkg: 'recovery', code: "import { Pool } from 'pg';\nexport const pool = Pool;\n" },
  storeImportsPg: { pkg: 'store', code: "import { Pool } from 'pg';\nexport const pool = Pool;\n" },
  storeProductionImportsTestkit: { pkg: 'store', code: "export { postgresForTests } from '@codex-team/testkit';\n" },
  schedulerImportsMcpServer: { pkg: 'scheduler', code: "export * from '@codex-team/mcp-server';\n" },
  storeDeepImport: { pkg: 'store', code: "export { TeamError } from '@codex-team/contracts/src/errors';\n" },
  storeRelativeEscape: { pkg: 'store', code: "export { TeamError } from '../../contracts/src/errors';\n" },
  storeAllowed: {
    pkg: 'store',
    code: "import Database from 'better-sqlite3';\nexport { TeamError } from '@codex-team/contracts';\nexport { x } from './sibling';\nexport const db = Database;\n",
  },
  mcpServerAllowed: {
    pkg: 'mcp-server',
    code: "export { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';\nexport { selectNextTask } from '@codex-team/scheduler';\n",
  },
  cliImportsMcpServer: { pkg: 'cli', code: "export * from '@codex-team/mcp-server';\n" },
} satisfies Record<string, Probe>;

type ProbeName = keyof typeof probes;
const errors = new Map<ProbeName, Message[]>();

beforeAll(() => {
  const names = Object.keys(probes) as ProbeName[];
  const run = spawnSync(process.execPath, [resolve(__dirname, 'eslint/lint-probes.mjs')], {
    input: JSON.stringify(names.map((name) => probes[name])),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  if (run.status !== 0) throw new Error(`lint-probes.mjs failed (${run.status}): ${run.stderr}`);
  const results = JSON.parse(run.stdout.slice(run.stdout.indexOf('['))) as Message[][];
  names.forEach((name, i) => {
    const messages = results[i] ?? [];
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    errors.set(name, messages.filter((m) => m.severity === 2 && BOUNDARY_RULES.has(m.ruleId ?? '')));
  });
}, 120_000);

const rulesOf = (name: ProbeName): (string | null)[] => (errors.get(name) ?? []).map((m) => m.ruleId);

describe('lint package boundaries', () => {
  it('refuses contracts importing another package of ours', () => {
    expect(rulesOf('contractsImportsStore')).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses an edge between packages that the tags do not allow', () => {
    const messages = (errors.get('policyImportsHooks') ?? []).map((m) => m.message);
    expect(messages.join('\n')).toContain('A project tagged with "scope:policy-engine" can only depend on libs tagged with');
  });

  it('refuses better-sqlite3 outside the store', () => {
    expect(rulesOf('schedulerImportsSqlite')).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses the PostgreSQL driver outside the store', () => {
    expect(rulesOf('recoveryImportsPg')).toContain('@nx/enforce-module-boundaries');
    expect(errors.get('storeImportsPg')).toEqual([]);
  });

  it('refuses the test harnesses (testkit) in production code', () => {
    expect(rulesOf('storeProductionImportsTestkit')).toContain('no-restricted-imports');
  });

  it('refuses the MCP SDK outside mcp-server and cli', () => {
    expect(rulesOf('policyImportsMcpSdk')).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses any package but the cli importing mcp-server', () => {
    expect(rulesOf('schedulerImportsMcpServer')).toContain('@nx/enforce-module-boundaries');
    expect(errors.get('cliImportsMcpServer')).toEqual([]);
  });

  it('refuses deep imports into another package', () => {
    expect(rulesOf('storeDeepImport')).toContain('no-restricted-imports');
  });

  it('refuses relative imports that leave the package', () => {
    expect(rulesOf('storeRelativeEscape')).toContain('codex-team/no-relative-package-escape');
  });

  it('accepts the allowed edges', () => {
    expect(errors.get('storeAllowed')).toEqual([]);
    expect(errors.get('mcpServerAllowed')).toEqual([]);
  });
});
