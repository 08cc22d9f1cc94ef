import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TOOL_NAMES } from '@codex-team/contracts';
import { BIN_PATH } from './testing/stdio-process';

// The official MCP Inspector in CLI mode: a client we did not write, speaking to the built binary.
const INSPECTOR = resolve(__dirname, '..', '..', '..', 'node_modules', '.bin', 'mcp-inspector');

interface InspectorRun {
  status: number | null;
  stdout: string;
  serverLogs: Record<string, unknown>[];
}

function inspect(dbPath: string, args: string[]): InspectorRun {
  // The server's JSON logs arrive on the inspector's stderr, beside the inspector's own warnings.
  const run = spawnSync(INSPECTOR, ['--cli', process.execPath, BIN_PATH, '--db', dbPath, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const serverLogs = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['name'] === 'codex-team-mcp');
  return { status: run.status, stdout: run.stdout, serverLogs };
}

describe('codex-team-mcp and the MCP Inspector CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'codex-team-inspector-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers tools/list with every catalog tool, and the session ends exactly once', () => {
    const run = inspect(join(dir, 'team.db'), ['--method', 'tools/list']);
    expect(run.status).toBe(0);
    const listed = JSON.parse(run.stdout) as { tools: { name: string; inputSchema: unknown; outputSchema?: unknown }[] };
    expect(listed.tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
    for (const tool of listed.tools) expect(tool.outputSchema).toBeDefined();
    expect(run.serverLogs.filter((line) => line['msg'] === 'session ended')).toHaveLength(1);
  });

  it('runs a tools/call and returns structured content, and a refused call as an error result', () => {
    const dbPath = join(dir, 'team.db');
    const started = inspect(dbPath, ['--method', 'tools/call', '--tool-name', 'team_start', '--tool-arg', 'name=inspected']);
    expect(started.status).toBe(0);
    const result = JSON.parse(started.stdout) as { structuredContent: { team: { name: string; state: string } } };
    expect(result.structuredContent.team).toMatchObject({ name: 'inspected', state: 'active' });

    const refused = inspect(dbPath, ['--method', 'tools/call', '--tool-name', 'team_status']);
    const error = JSON.parse(refused.stdout) as { isError: boolean; content: { text: string }[] };
    expect(error.isError).toBe(true);
    expect(JSON.parse(error.content[0]?.text ?? '{}')).toMatchObject({ error: { code: 'NOT_BOUND' } });
  });
});
