import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// Proves that lint refuses the imports ARCHITECTURE.md forbids and accepts the allowed ones, by
// linting probe files placed (virtually) inside packages with the workspace's own ESLint config.
interface Probe {
  pkg: string;
  code: string;
  /** The probe's file name inside the package's src/. @default '__lint_probe__.ts' */
  file?: string;
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
  // hooks and scheduler sit side by side: neither imports the other (policy-engine -> hooks would
  // also be a cycle, now that hooks reads the policy engine's redactor).
  schedulerImportsHooks: { pkg: 'scheduler', code: "export * from '@codex-team/hooks';\n" },
  schedulerImportsSqlite: { pkg: 'scheduler', code: "import Database from 'better-sqlite3';\nexport const db = Database;\n" },
  policyImportsMcpSdk: {
    pkg: 'policy-engine',
    code: "export { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';\n",
  },
  recoveryImportsPg: { pkg: 'recovery', code: "import { Pool } from 'pg';\nexport const pool = Pool;\n" },
  storeImportsPg: { pkg: 'store', code: "import { Pool } from 'pg';\nexport const pool = Pool;\n" },
  storeProductionImportsTestkit: { pkg: 'store', code: "export { postgresForTests } from '@codex-team/testkit';\n" },
  storeSpecImportsTestkit: { pkg: 'store', file: '__lint_probe__.spec.ts', code: "export { postgresForTests } from '@codex-team/testkit';\n" },
  storeHarnessImportsTestkit: { pkg: 'store', file: 'testing/__lint_probe__.ts', code: "export { postgresForTests } from '@codex-team/testkit';\n" },
  testkitImportsContracts: { pkg: 'testkit', code: "export { TeamError } from '@codex-team/contracts';\n" },
  schedulerImportsMcpServer: { pkg: 'scheduler', code: "export * from '@codex-team/mcp-server';\n" },
  storeImportsMcpServer: { pkg: 'store', code: "export { createServer } from '@codex-team/mcp-server';\n" },
  policyImportsStore: { pkg: 'policy-engine', code: "export { openSqliteTeamStore } from '@codex-team/store';\n" },
  schedulerImportsStore: { pkg: 'scheduler', code: "export { openSqliteTeamStore } from '@codex-team/store';\n" },
  recoveryImportsMcpServer: { pkg: 'recovery', code: "export { createServer } from '@codex-team/mcp-server';\n" },
  hooksImportsStore: { pkg: 'hooks', code: "export { openSqliteTeamStore } from '@codex-team/store';\n" },
  hooksImportsScheduler: { pkg: 'hooks', code: "export { CLAIM_ORDER } from '@codex-team/scheduler';\n" },
  hooksAllowed: {
    pkg: 'hooks',
    code: "export { TeamError } from '@codex-team/contracts';\nexport { redactDeep } from '@codex-team/policy-engine';\n",
  },
  productionImportsTesting: { pkg: 'store', code: "export { FakeClock } from '@codex-team/contracts/testing';\n" },
  specImportsTesting: { pkg: 'store', file: '__lint_probe__.spec.ts', code: "export { FakeClock } from '@codex-team/contracts/testing';\n" },
  harnessImportsTesting: { pkg: 'mcp-server', file: 'testing/__lint_probe__.ts', code: "export { FakeClock } from '@codex-team/contracts/testing';\n" },
  storeDeepImport: { pkg: 'store', code: "export { TeamError } from '@codex-team/contracts/src/errors';\n" },
  storeRelativeEscape: { pkg: 'store', code: "export { TeamError } from '../../contracts/src/errors';\n" },
  storeAllowed: {
    pkg: 'store',
    code:
      "import Database from 'better-sqlite3';\nexport { TeamError } from '@codex-team/contracts';\n" +
      "export { admissionRuling } from '@codex-team/policy-engine';\nexport { CLAIM_ORDER } from '@codex-team/scheduler';\n" +
      "export { x } from './sibling';\nexport const db = Database;\n",
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
    const messages = (errors.get('schedulerImportsHooks') ?? []).map((m) => m.message);
    expect(messages.join('\n')).toContain('A project tagged with "scope:scheduler" can only depend on libs tagged with');
  });

  it('refuses better-sqlite3 outside the store', () => {
    expect(rulesOf('schedulerImportsSqlite')).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses the PostgreSQL driver outside the store', () => {
    expect(rulesOf('recoveryImportsPg')).toContain('@nx/enforce-module-boundaries');
    expect(errors.get('storeImportsPg')).toEqual([]);
  });

  it('refuses testkit importing any package of ours', () => {
    expect(rulesOf('testkitImportsContracts')).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses the MCP SDK outside mcp-server and cli', () => {
    expect(rulesOf('policyImportsMcpSdk')).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses any package but the cli importing mcp-server', () => {
    expect(rulesOf('schedulerImportsMcpServer')).toContain('@nx/enforce-module-boundaries');
    expect(errors.get('cliImportsMcpServer')).toEqual([]);
  });

  it('refuses every edge up the layers: the store, policy engine, scheduler and recovery never import above themselves', () => {
    expect(rulesOf('storeImportsMcpServer')).toContain('@nx/enforce-module-boundaries');
    expect(rulesOf('policyImportsStore')).toContain('@nx/enforce-module-boundaries');
    expect(rulesOf('schedulerImportsStore')).toContain('@nx/enforce-module-boundaries');
    expect(rulesOf('recoveryImportsMcpServer')).toContain('@nx/enforce-module-boundaries');
    expect(rulesOf('hooksImportsStore')).toContain('@nx/enforce-module-boundaries');
    expect(rulesOf('hooksImportsScheduler')).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses a testing entry or testkit in production code, and allows both in specs and test harnesses', () => {
    for (const [production, spec, harness] of [
      ['productionImportsTesting', 'specImportsTesting', 'harnessImportsTesting'],
      ['storeProductionImportsTestkit', 'storeSpecImportsTestkit', 'storeHarnessImportsTestkit'],
    ] as const) {
      expect(rulesOf(production)).toContain('no-restricted-imports');
      expect(errors.get(spec)).toEqual([]);
      expect(errors.get(harness)).toEqual([]);
    }
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
    expect(errors.get('hooksAllowed')).toEqual([]);
  });
});
