import { TeamError } from '@codex-team/contracts';

/** What `codex-team install` registers under `[mcp_servers.<name>]`. */
export interface McpServerEntry {
  /** Absolute path of the program Codex runs: the Node binary that ran `install`. */
  command: string;
  /** The absolute path of `codex-team-mcp`'s bin.js, then its flags (`--db <absolute path>`). */
  args: readonly string[];
  /** Seconds Codex waits for the server to answer `initialize` and `tools/list`. */
  startupTimeoutSec: number;
  /** Seconds Codex waits for one tool call. */
  toolTimeoutSec: number;
}

/**
 * What `codex-team install --url` registers instead: Codex connects to a running
 * `codex-team serve --http` and sends `Authorization: Bearer $<bearerTokenEnvVar>` (the variable is
 * read from the environment Codex runs in, so the token never lands in config.toml).
 */
export interface McpUrlEntry {
  url: string;
  bearerTokenEnvVar: string;
  startupTimeoutSec: number;
  toolTimeoutSec: number;
}

/** Either kind of entry `install` writes. */
export type McpEntry = McpServerEntry | McpUrlEntry;

/** Whether the entry names a server to connect to rather than a process to start. */
export function isUrlEntry(entry: McpEntry): entry is McpUrlEntry {
  return 'url' in entry;
}

/** Where a managed block sits in a config text: `[start, end)` covers its lines and final newline. */
export interface BlockLocation {
  start: number;
  end: number;
}

/** The first line of the block `install` writes for server `name`. */
export function beginMarker(name: string): string {
  return `# >>> codex-team install: [mcp_servers.${name}] >>>`;
}

/** The last line of the block `install` writes for server `name`. */
export function endMarker(name: string): string {
  return `# <<< codex-team install: [mcp_servers.${name}] <<<`;
}

/**
 * A TOML basic string. JSON's escapes (\", \\, \b, \f, \n, \r, \t, \uXXXX) are all valid TOML;
 * TOML also forbids a raw DEL, and has no escape for lone surrogates, which we refuse.
 */
export function tomlString(value: string): string {
  if (/[\uD800-\uDFFF]/u.test(value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    throw new TeamError('INVALID_INPUT', `cannot write a lone UTF-16 surrogate to TOML: ${JSON.stringify(value)}`);
  }
  return JSON.stringify(value).replace(/\u007f/g, '\\u007F');
}

/** The block's lines, without line endings. */
export function renderBlockLines(name: string, entry: McpEntry): string[] {
  return [
    beginMarker(name),
    '# Managed by `codex-team install` (rerun it to update); `codex-team uninstall` removes this block.',
    `[mcp_servers.${name}]`,
    ...(isUrlEntry(entry)
      ? [`url = ${tomlString(entry.url)}`, `bearer_token_env_var = ${tomlString(entry.bearerTokenEnvVar)}`]
      : [`command = ${tomlString(entry.command)}`, `args = [${entry.args.map(tomlString).join(', ')}]`]),
    `startup_timeout_sec = ${entry.startupTimeoutSec}`,
    `tool_timeout_sec = ${entry.toolTimeoutSec}`,
    '# The team_* tools only coordinate agents through the store. Without this, Codex asks before',
    '# every call, and refuses them outright under approval_policy = "never" (codex exec).',
    'default_tools_approval_mode = "approve"',
    '# Optional servers get about a second to start before a turn goes out without their tools;',
    '# a team thread without the team tools is useless, so every turn waits for this one.',
    'required = true',
    endMarker(name),
  ];
}

/** The line ending a file uses: CRLF when it has any, else LF (also for a new file). */
export function detectEol(text: string): '\n' | '\r\n' {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Offsets of each line start, with the line's text (no `\r\n` / `\n`). */
function lines(text: string): { start: number; next: number; body: string }[] {
  const out: { start: number; next: number; body: string }[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const next = newline === -1 ? text.length : newline + 1;
    const raw = text.slice(start, newline === -1 ? text.length : newline);
    out.push({ start, next, body: raw.endsWith('\r') ? raw.slice(0, -1) : raw });
    start = next;
  }
  return out;
}

/**
 * Finds the managed block of server `name`. Markers count only as whole lines. Throws CONFLICT
 * when a begin marker has no end marker after it, or the block appears twice: someone edited it
 * by hand and we will not guess what to keep.
 */
export function findBlock(text: string, name: string): BlockLocation | undefined {
  const begin = beginMarker(name);
  const end = endMarker(name);
  let found: BlockLocation | undefined;
  let openedAt: number | undefined;
  for (const line of lines(text)) {
    const body = line.body.trimEnd();
    if (body === begin) {
      if (openedAt !== undefined || found !== undefined) {
        throw new TeamError('CONFLICT', `config.toml has more than one "${begin}" line; remove the extra block by hand`);
      }
      openedAt = line.start;
    } else if (body === end) {
      if (openedAt === undefined) {
        throw new TeamError('CONFLICT', `config.toml has "${end}" without its begin marker; remove it by hand`);
      }
      found = { start: openedAt, end: line.next };
      openedAt = undefined;
    }
  }
  if (openedAt !== undefined) {
    throw new TeamError('CONFLICT', `config.toml has "${begin}" without its end marker; remove the block by hand`);
  }
  return found;
}

/**
 * The config text with the block for `name` written in: replaced in place when present (so a
 * rerun with the same entry gives the same bytes), else appended after one blank line, in the
 * file's own line endings. `removeBlock` undoes an append byte for byte.
 */
export function insertBlock(text: string, name: string, entry: McpEntry): string {
  const eol = detectEol(text);
  const block = renderBlockLines(name, entry).join(eol) + eol;
  const at = findBlock(text, name);
  if (at !== undefined) return text.slice(0, at.start) + block + text.slice(at.end);
  if (text === '') return block;
  // A file ending in a newline gets a blank line before the block; one without gets its last
  // line ended. Either way exactly one line ending is added, which removeBlock takes back.
  return text + eol + block;
}

/**
 * The config text without the block for `name`, or undefined when there is none. Takes back the
 * one line ending `insertBlock` added before it: the blank line, or the newline it gave a last
 * line that had none (when the block is still last).
 */
export function removeBlock(text: string, name: string): string | undefined {
  const at = findBlock(text, name);
  if (at === undefined) return undefined;
  let before = text.slice(0, at.start);
  const after = text.slice(at.end);
  const blankLineBefore = /\n\r?\n$/.test(before);
  if (before !== '' && (blankLineBefore || after === '')) {
    before = before.slice(0, before.endsWith('\r\n') ? -2 : -1);
  }
  return before + after;
}
