import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@codex-team/contracts';
import { findBuiltinProfilesDir } from '@codex-team/policy-engine';
import { PLANTED, PLANTED_ARTIFACT, rawStoreText, secretsIn } from './testing/planted-secrets';
import { closeAllStdioAgents, spawnStdioAgent, type StdioAgent } from './testing/stdio-process';

jest.setTimeout(120_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-redaction-'));
  // A user profile that lets secrets into the store: the control that proves the scans can see them.
  const defaultYaml = readFileSync(join(findBuiltinProfilesDir(__dirname), 'default.yaml'), 'utf8');
  writeFileSync(
    join(dir, 'leaky.yaml'),
    defaultYaml.replace('name: default', 'name: leaky').replace('redact_secrets: true', 'redact_secrets: false'),
  );
});
afterEach(async () => {
  await closeAllStdioAgents();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Plants every secret in every text a lead and a teammate send, in three processes. */
async function plantedRun(
  dbPath: string,
  profile: string,
): Promise<{ replay: AuditEvent[]; logs: string; answers: string; agents: StdioAgent[] }> {
  const args = ['--profiles-dir', dir];
  const lead = await spawnStdioAgent(dbPath, args);
  const mate = await spawnStdioAgent(dbPath, args);
  const started = await lead.caller.ok('team_start', { name: 'vault', objective: `use ${PLANTED.objective}`, profile });
  const spawned = await lead.caller.ok('team_spawn', { name: 'ann', role: 'implementer' });
  await mate.caller.ok('team_join', { ticket: spawned.join_ticket });
  await lead.caller.ok('team_task_create', {
    tasks: [
      { key: 'a', title: `rotate ${PLANTED.title}`, description: `aws key ${PLANTED.description}; db postgres://app:${PLANTED.urlAtPassword}@db:5432/x` },
      { key: 'b', title: 'second', depends_on: ['a'] },
    ],
  });
  const first = await mate.caller.ok('team_task_next');
  const task = first.claim?.task.id;
  const fence = first.claim?.fence;
  await mate.caller.ok('team_task_update', { task_id: task, fence, progress: `slack ${PLANTED.progress}, cache redis://:${PLANTED.redisPassword}@cache:6379/0` });
  const artifact = await mate.caller.ok('team_artifact_publish', { name: 'deploy.md', content: PLANTED_ARTIFACT, task_id: task, fence });
  await mate.caller.ok('team_send', {
    to: started.agent.id,
    body: `token is ${PLANTED.body}; publish with ${PLANTED.npmToken}`,
    artifact_refs: [artifact.artifact.id],
    idempotency_key: PLANTED.idempotency,
  });
  await mate.caller.ok('team_task_complete', { task_id: task, fence, result: `jwt ${PLANTED.result}`, artifact_ids: [artifact.artifact.id] });
  const second = await mate.caller.ok('team_task_next');
  await mate.caller.ok('team_task_release', { task_id: second.claim?.task.id, fence: second.claim?.fence, reason: `google ${PLANTED.reason}` });
  const read = await lead.caller.ok('team_artifact_read', { artifact_id: artifact.artifact.id });
  expect(read.content.startsWith('# deploy notes')).toBe(true);
  // Every answer that shows the team's texts back.
  const answers = JSON.stringify([
    read,
    await lead.caller.ok('team_status'),
    await lead.caller.ok('team_task_list'),
    await lead.caller.ok('team_inbox'),
    await lead.caller.ok('team_run_summary'),
  ]);
  await lead.caller.ok('team_finalize', { summary: `pat ${PLANTED.summary}`, force: true });
  const replay = ((await lead.caller.ok('team_run_summary', { log: 'audit', limit: 1_000  })).log!).events;
  const agents = [lead, mate];
  for (const agent of agents) {
    await agent.close();
    await agent.exited;
  }
  const logs = agents.flatMap((agent) => agent.logs.map((line) => JSON.stringify(line))).join('\n');
  return { replay, logs, answers, agents };
}

describe('secret redaction over stdio (built binary)', () => {
  it('lets no planted secret survive in the store file, the tool answers, the logs or the replay output', async () => {
    const dbPath = join(dir, 'redacted.db');
    const { replay, logs, answers } = await plantedRun(dbPath, 'default');
    expect(secretsIn(rawStoreText(dbPath))).toEqual([]);
    expect(secretsIn(answers)).toEqual([]);
    expect(secretsIn(logs)).toEqual([]);
    expect(secretsIn(JSON.stringify(replay))).toEqual([]);
    // What was masked is still recognisable, and the logs say that masking happened.
    expect(JSON.stringify(replay)).toContain('[REDACTED:openai-key]');
    expect(logs).toContain('secrets masked in tool input');
  });

  it('control: with redact_secrets off the same run stores the secrets, and the scan finds them, but replay output stays masked', async () => {
    const dbPath = join(dir, 'leaky.db');
    const { replay, logs } = await plantedRun(dbPath, 'leaky');
    expect(secretsIn(rawStoreText(dbPath))).toEqual(
      expect.arrayContaining(['title', 'body', 'privateKeyBody', 'password', 'summary', 'awsCsvSecret', 'urlAtPassword', 'redisPassword', 'npmToken']),
    );
    expect(secretsIn(JSON.stringify(replay))).toEqual([]);
    expect(secretsIn(logs)).toEqual([]);
  });
});
