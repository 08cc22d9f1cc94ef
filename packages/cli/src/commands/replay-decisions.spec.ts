import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthzDecision } from '@codex-team/contracts';
import { FakeClock, SequentialIdGenerator } from '@codex-team/contracts/testing';
import { openSqliteTeamStore, type AuthzDecisionInput } from '@codex-team/store';
import { runBuffered } from '../testing/buffered-io';
import { SEEDED_SECRET, seedTeam, type SeededTeam } from '../testing/seed-team';

let dir: string;
let db: string;
let seeded: SeededTeam;

function decision(overrides: Partial<AuthzDecisionInput>): AuthzDecisionInput {
  return {
    teamId: null,
    agentId: null,
    role: null,
    tool: 'team_status',
    action: 'read',
    profile: null,
    rule: 'identity:unbound',
    matched: [],
    decision: 'deny',
    reason: 'not bound',
    step: 'identity',
    outcome: 'NOT_BOUND',
    ...overrides,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-cli-decisions-'));
  db = join(dir, 'team.db');
  seeded = await seedTeam(db);
  const store = await openSqliteTeamStore({ path: db, clock: new FakeClock(), ids: new SequentialIdGenerator() });
  try {
    const status = await store.getStatus({ teamId: seeded.teamId, agentId: (await store.readTeam(seeded.teamId)).team.lead_agent_id });
    const rev = status.agents.find((agent) => agent.name === 'rev');
    await store.recordAuthzDecision(
      decision({ teamId: seeded.teamId, agentId: rev?.id ?? null, role: 'reviewer', tool: 'team_spawn', action: 'spawn', profile: 'reviewer', rule: 'default-deny', step: 'permission', outcome: 'DENIED', reason: `asked with ${SEEDED_SECRET}` }),
    );
    await store.recordAuthzDecision(decision({ teamId: seeded.teamId, agentId: rev?.id ?? null, role: 'reviewer', decision: 'allow', rule: 'teammate.allow(team_status)', step: 'permission', outcome: 'ok', reason: 'allowed' }));
    await store.recordAuthzDecision(decision({}));
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: string[]) => runBuffered(argv, dir);

describe('codex-team replay --decisions', () => {
  it("prints the team's authorization decisions in order, with the rule and outcome of each, secrets masked", async () => {
    const text = await run(['replay', '--db', db, '--decisions']);
    expect(text.code).toBe(0);
    const lines = text.out.split('\n').filter((line) => /^\d/.test(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/rev\s+reviewer\s+team_spawn:spawn\s+deny\s+default-deny\s+DENIED/);
    expect(lines[1]).toMatch(/rev\s+reviewer\s+team_status:read\s+allow\s+teammate\.allow\(team_status\)\s+ok/);
    const json = JSON.parse((await run(['replay', '--db', db, '--decisions', '--json'])).out) as AuthzDecision[];
    expect(json.map((d) => [d.tool, d.decision])).toEqual([
      ['team_spawn', 'deny'],
      ['team_status', 'allow'],
    ]);
    expect(JSON.stringify(json)).not.toContain(SEEDED_SECRET);
    const paged = JSON.parse((await run(['replay', '--db', db, '--decisions', '--json', '--after', String(json[0]?.seq), '--limit', '1'])).out) as AuthzDecision[];
    expect(paged.map((d) => d.tool)).toEqual(['team_status']);
  });
});
