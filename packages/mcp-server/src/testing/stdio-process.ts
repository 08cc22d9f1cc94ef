import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { collectJsonLines } from '@codex-team/contracts/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolCaller } from './tool-caller';

/** The bundled binary (the package's bin entry); process tests run what ships, so build first. */
export const BIN_PATH = join(__dirname, '..', '..', 'dist', 'codex-team-mcp.cjs');

/** One codex-team-mcp child process with an SDK client on its stdio, as Codex runs it per agent thread. */
export interface StdioAgent {
  caller: ToolCaller;
  pid: number;
  /** Parsed JSON log lines the process wrote to stderr so far. */
  readonly logs: Record<string, unknown>[];
  /** Settles when the child process has closed. */
  readonly exited: Promise<void>;
  /** Ends the session the way Codex does when its thread ends: closes stdin (SIGTERM after 2 s). */
  close(): Promise<void>;
}

const live = new Set<StdioAgent>();

/** Spawns `node dist/codex-team-mcp.cjs --db <dbPath> ...extraArgs` and connects a client that has listed the tools. */
export async function spawnStdioAgent(
  dbPath: string,
  extraArgs: string[] = [],
  /**
   * listTools: false skips tools/list, whose output schemas the SDK client compiles (0.2-0.5 s of
   * CPU per client): for tests that start hundreds of servers. Outputs are then not checked by the
   * SDK against the advertised schemas.
   */
  options: {
    listTools?: boolean;
    /**
     * A command that runs the server as its last arguments (it must exec them, keeping the pid), e.g.
     * `unshare ... sh -c '...; exec "$@"' sh`. @default none: node runs the server directly
     */
    launcher?: readonly string[];
    /** Variables added to the environment the SDK gives a server (getDefaultEnvironment), as Codex's `[mcp_servers.<name>.env]` does. */
    env?: Readonly<Record<string, string>>;
  } = {},
): Promise<StdioAgent> {
  if (!existsSync(BIN_PATH)) throw new Error(`${BIN_PATH} is missing: run nx run mcp-server:build first`);
  const [launcher, ...launcherArgs] = options.launcher ?? [];
  const server = [BIN_PATH, '--db', dbPath, ...extraArgs];
  const transport = new StdioClientTransport({
    command: launcher ?? process.execPath,
    args: launcher === undefined ? server : [...launcherArgs, process.execPath, ...server],
    stderr: 'pipe',
    ...(options.env === undefined ? {} : { env: { ...getDefaultEnvironment(), ...options.env } }),
  });
  const logs = collectJsonLines(transport.stderr);
  // The SDK Protocol chains this handler when the client connects; it runs once the child has closed.
  const exited = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  const client = new Client({ name: 'stdio-spec', version: '1.0.0' });
  await client.connect(transport);
  if (options.listTools !== false) await client.listTools();
  const pid = transport.pid;
  if (pid === null) throw new Error('the server process did not start');
  const agent: StdioAgent = {
    caller: new ToolCaller(client),
    pid,
    logs,
    exited,
    close: async () => {
      live.delete(agent);
      await client.close();
    },
  };
  live.add(agent);
  return agent;
}

/** Closes every child still running; call it from afterEach/afterAll. */
export async function closeAllStdioAgents(): Promise<void> {
  const agents = [...live];
  live.clear();
  await Promise.all(
    agents.map(async (agent) => {
      await agent.close().catch(() => undefined);
      try {
        process.kill(agent.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }),
  );
}

/** Waits until `check` holds, polling; for conditions another process makes true. */
export async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
