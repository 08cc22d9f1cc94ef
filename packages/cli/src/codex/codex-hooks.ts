import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { TeamError } from '@codex-team/contracts';
import { writeAtomically } from './codex-config';

/** The Codex hook events codex-team installs, with the `codex-team hook` argument of each. */
export const TEAM_HOOKS = [
  { event: 'Stop', label: 'stop', arg: 'stop' },
  { event: 'SubagentStop', label: 'subagent_stop', arg: 'subagent-stop' },
] as const;
export type TeamHookEvent = (typeof TEAM_HOOKS)[number]['event'];

/** Seconds Codex gives our hook; it answers within one, and fails open past it. */
export const HOOK_TIMEOUT_SEC = 5;

/** One command hook as hooks.json holds it. */
export interface CommandHook {
  type: 'command';
  command: string;
  timeout: number;
}

/** One of our hooks where it sits in hooks.json, with Codex's trust identity. */
export interface InstalledHook {
  event: TeamHookEvent;
  command: string;
  timeout: number;
  /** `<hooks.json path>:<event label>:<group index>:<handler index>`: the `[hooks.state."..."]` key. */
  key: string;
  /** The `trusted_hash` Codex records once the user trusts this exact hook. */
  hash: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A word for `sh -c`: single-quoted unless it is plainly safe. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command Codex runs for one of our hooks; `--name` marks which install it belongs to. */
export function hookCommandLine(options: { nodePath: string; cliBin: string; arg: string; dbPath: string; logPath: string; serverName: string }): string {
  return [options.nodePath, options.cliBin, 'hook', options.arg, '--db', options.dbPath, '--log', options.logPath, '--name', options.serverName]
    .map(shellWord)
    .join(' ');
}

/** Whether a hooks.json command is one `codex-team install --name <serverName>` wrote. */
function isOurs(command: unknown, serverName: string): boolean {
  return typeof command === 'string' && / hook (stop|subagent-stop) /.test(command) && command.endsWith(` --name ${shellWord(serverName)}`);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isObject(value)) {
    const out: Json = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical(value[key]);
    return out;
  }
  return value;
}

/**
 * The `trusted_hash` Codex (0.171) computes for a command hook: SHA-256 of the canonical JSON (keys
 * sorted, compact) of `{event_name, matcher?, hooks: [{type, command, timeout, async}]}` (Codex's
 * `command_hook_hash`; checked against a real `codex exec`, which runs the hook only with it).
 */
export function codexHookHash(eventLabel: string, hook: CommandHook, matcher?: string): string {
  const identity: Json = { event_name: eventLabel, hooks: [{ type: 'command', command: hook.command, timeout: hook.timeout, async: false }] };
  if (matcher !== undefined) identity['matcher'] = matcher;
  return `sha256:${createHash('sha256').update(JSON.stringify(canonical(identity))).digest('hex')}`;
}

/** A hooks.json parsed ({} when missing); INVALID_INPUT for a file that is not a Codex hooks file. */
export function readHooksFile(path: string): Json {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TeamError('INVALID_INPUT', `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(parsed) || (parsed['hooks'] !== undefined && !isObject(parsed['hooks']))) {
    throw new TeamError('INVALID_INPUT', `${path} is not a Codex hooks file ({"hooks": {...}})`);
  }
  return parsed;
}

function groupsOf(doc: Json, event: string): unknown[] {
  const hooks = isObject(doc['hooks']) ? doc['hooks'] : {};
  const groups = hooks[event];
  return Array.isArray(groups) ? groups : [];
}

/** Whether a matcher group holds only hooks of this install. */
function isOurGroup(group: unknown, serverName: string): boolean {
  if (!isObject(group) || !Array.isArray(group['hooks']) || group['hooks'].length === 0) return false;
  return group['hooks'].every((hook) => isObject(hook) && isOurs(hook['command'], serverName));
}

function withoutOurs(doc: Json, serverName: string): Json {
  const hooks: Json = { ...(isObject(doc['hooks']) ? doc['hooks'] : {}) };
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    const kept = groups.filter((group) => !isOurGroup(group, serverName));
    if (kept.length === 0) delete hooks[event];
    else hooks[event] = kept;
  }
  return { ...doc, hooks };
}

function writeHooksFile(path: string, doc: Json, existed: boolean): void {
  const hooks = isObject(doc['hooks']) ? doc['hooks'] : {};
  if (Object.keys(hooks).length === 0 && Object.keys(doc).length === 1) {
    if (existed) rmSync(path);
    return;
  }
  writeAtomically(path, `${JSON.stringify(doc, null, 2)}\n`);
}

/**
 * Adds our Stop and SubagentStop hooks to a hooks.json (Codex's `$CODEX_HOME/hooks.json`, or a
 * project's `.codex/hooks.json`), after the user's own: appending keeps the positions, and so the
 * trust, of every hook already there. A rerun replaces ours in place of the old ones. Other keys
 * and hooks are kept. Returns whether the file changed. Throws INVALID_INPUT for a file that is
 * not a hooks file, writing nothing.
 */
export function installHooks(path: string, serverName: string, commands: Record<TeamHookEvent, string>): boolean {
  const existed = existsSync(path);
  const before = existed ? readFileSync(path, 'utf8') : '';
  const doc = withoutOurs(readHooksFile(path), serverName);
  const hooks = doc['hooks'] as Json;
  for (const { event } of TEAM_HOOKS) {
    const group = { hooks: [{ type: 'command', command: commands[event], timeout: HOOK_TIMEOUT_SEC }] };
    hooks[event] = [...groupsOf(doc, event), group];
  }
  const next = `${JSON.stringify(doc, null, 2)}\n`;
  if (next === before) return false;
  writeHooksFile(path, doc, existed);
  return true;
}

/** Removes this install's hooks (others' and the user's stay); deletes a file left empty. */
export function uninstallHooks(path: string, serverName: string): boolean {
  if (!existsSync(path)) return false;
  const doc = readHooksFile(path);
  const ours = TEAM_HOOKS.some(({ event }) => groupsOf(doc, event).some((group) => isOurGroup(group, serverName)));
  if (!ours) return false;
  writeHooksFile(path, withoutOurs(doc, serverName), true);
  return true;
}

/** This install's hooks in a hooks.json, each with its Codex trust key and current hash. */
export function findInstalledHooks(path: string, serverName: string): InstalledHook[] {
  if (!existsSync(path)) return [];
  const doc = readHooksFile(path);
  const found: InstalledHook[] = [];
  for (const { event, label } of TEAM_HOOKS) {
    groupsOf(doc, event).forEach((group, groupIndex) => {
      if (!isObject(group) || !Array.isArray(group['hooks'])) return;
      const matcher = typeof group['matcher'] === 'string' ? group['matcher'] : undefined;
      group['hooks'].forEach((hook, handlerIndex) => {
        if (!isObject(hook) || !isOurs(hook['command'], serverName)) return;
        const command = hook['command'] as string;
        const timeout = typeof hook['timeout'] === 'number' ? hook['timeout'] : 600;
        found.push({
          event,
          command,
          timeout,
          key: `${path}:${label}:${groupIndex}:${handlerIndex}`,
          hash: codexHookHash(label, { type: 'command', command, timeout }, matcher),
        });
      });
    });
  }
  return found;
}

/** trusted: Codex runs it. untrusted: never reviewed. modified: reviewed, then changed. disabled: turned off. */
export type HookTrust = 'trusted' | 'untrusted' | 'modified' | 'disabled';

/**
 * A hook's trust as Codex sees it, from the `[hooks.state."<key>"]` table of the user's
 * config.toml (`trusted_hash`, `enabled`). Read only: codex-team never writes trust.
 */
export function hookTrust(config: Json, hook: InstalledHook): HookTrust {
  const hooks = isObject(config['hooks']) ? config['hooks'] : {};
  const states = isObject(hooks['state']) ? hooks['state'] : {};
  const state = states[hook.key];
  if (!isObject(state)) return 'untrusted';
  if (state['enabled'] === false) return 'disabled';
  const trusted = state['trusted_hash'];
  if (typeof trusted !== 'string') return 'untrusted';
  return trusted === hook.hash ? 'trusted' : 'modified';
}
