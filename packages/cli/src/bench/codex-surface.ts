import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TeamError } from '@codex-team/contracts';
import { tomlString } from '../codex/config-block';
import { runCodexExec, writeScriptedProviderConfig } from '../testing/codex-exec';
import { ScriptedResponses, answerOnly } from '../testing/scripted-responses';

/**
 * The most bytes of tool schemas codex-team may put on every model turn of every agent: its
 * `mcp__team` namespace as Codex renders it (names, descriptions and input schemas), for the whole
 * surface, the tools other features add included. Checked by the tool-surface bench and by
 * e2e/tool-surface-budget.int.spec.ts against a real Codex.
 */
export const TOOL_SURFACE_BUDGET_BYTES = 9_000;

/**
 * Bytes of that budget kept free for what branches in flight add to the surface: rebalancing's
 * size estimate on each new task (`estimate_min`, about 60 bytes). It spends from this when it
 * lands; the surface this build sends must stay within the budget less what is still reserved.
 */
export const TOOL_SURFACE_RESERVED_BYTES = 100;

/** What Codex sends the model of one MCP server's tools, in bytes of its JSON. */
export interface CodexToolSurface {
  /** The whole `mcp__<server>` namespace entry of the request's `tools`. */
  bytes: number;
  /** Each tool's entry, in the order Codex sent them. */
  tools: { name: string; bytes: number }[];
  /** The namespace as Codex sent it. */
  namespace: Record<string, unknown>;
}

/** How to start the server Codex talks to: `node <args...>`. */
export interface ServerUnderTest {
  label: string;
  /** Arguments after `node`: the server's bin.js, then its flags (`--db` is added). */
  args: readonly string[];
}

type Json = Record<string, unknown>;

/** The `{"type": "namespace", "name": name, "tools": [...]}` entry of a Responses request body. */
export function namespaceOf(body: Json, name: string): Json | undefined {
  const tools = Array.isArray(body['tools']) ? (body['tools'] as unknown[]) : [];
  return tools.find((tool): tool is Json => typeof tool === 'object' && tool !== null && (tool as Json)['type'] === 'namespace' && (tool as Json)['name'] === name);
}

/** Bytes of a namespace and of each of its tools, as JSON (what the request carries). */
export function surfaceOf(namespace: Json): CodexToolSurface {
  const tools = Array.isArray(namespace['tools']) ? (namespace['tools'] as Json[]) : [];
  return {
    bytes: Buffer.byteLength(JSON.stringify(namespace)),
    tools: tools.map((tool) => ({ name: String(tool['name']), bytes: Buffer.byteLength(JSON.stringify(tool)) })),
    namespace,
  };
}

/**
 * Runs a real `codex exec` (the @openai/codex of the workspace) with a scripted model that answers
 * at once, the server registered as `[mcp_servers.team]`, and measures the `mcp__team` namespace of
 * the first model request: exactly what every turn of every agent carries of our tools.
 */
export async function measureCodexToolSurface(server: ServerUnderTest, workDir: string): Promise<CodexToolSurface> {
  const root = join(workDir, `surface-${server.label.replace(/[^a-z0-9]+/gi, '-')}`);
  const homeDir = join(root, 'home');
  const codexHome = join(homeDir, '.codex');
  mkdirSync(homeDir, { recursive: true });
  const responses = await ScriptedResponses.start(() => answerOnly('done'));
  try {
    const config = writeScriptedProviderConfig(codexHome, responses.baseUrl);
    const args = [...server.args, '--db', join(root, 'team.db')];
    appendFileSync(
      config,
      ['[mcp_servers.team]', `command = ${tomlString(process.execPath)}`, `args = [${args.map(tomlString).join(', ')}]`, ''].join('\n'),
    );
    const run = await runCodexExec({ codexHome, homeDir, cwd: homeDir, prompt: 'measure the tools', timeoutMs: 60_000 });
    const first = responses.requests[0];
    const namespace = first === undefined ? undefined : namespaceOf(first.body, 'mcp__team');
    if (namespace === undefined) {
      throw new TeamError('INTERNAL', `codex sent no mcp__team tools for ${server.label} (exit ${String(run.exitCode)}): ${run.stderr.slice(-500)}`);
    }
    return surfaceOf(namespace);
  } finally {
    await responses.close();
  }
}
