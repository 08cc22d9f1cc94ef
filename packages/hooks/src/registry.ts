import {
  HOOK_EVENT_NAMES,
  HOOK_TIMEOUT_DEFAULT_S,
  type HookEventName,
  type HooksConfig,
  type Profile,
} from '@codex-team/contracts';

/** A configured command hook, ready to run. */
export interface RegisteredHook {
  /** Unique across sources: `<source>:<name>`, the name defaulting to `<Event>[group].hooks[index]`. */
  id: string;
  event: HookEventName;
  command: string;
  timeoutMs: number;
  onFailure: 'block' | 'allow';
  /** Where the command runs; null: the server's working directory. */
  cwd: string | null;
}

/** Where hooks come from besides profiles: the server's hooks file (`--hooks FILE`). */
export interface HookFileSource {
  config: HooksConfig;
  /** The file's directory: its hooks run there, so relative commands work. */
  dir: string;
}

interface CompiledGroup {
  /** null: every role. */
  matcher: RegExp | null;
  hooks: RegisteredHook[];
}

type CompiledConfig = ReadonlyMap<HookEventName, readonly CompiledGroup[]>;

function compile(source: string, config: HooksConfig, cwd: string | null): CompiledConfig {
  const compiled = new Map<HookEventName, CompiledGroup[]>();
  for (const event of HOOK_EVENT_NAMES) {
    const groups = config[event];
    if (groups === undefined || groups.length === 0) continue;
    compiled.set(
      event,
      groups.map((group, groupIndex) => ({
        matcher: group.matcher === undefined || group.matcher === '' || group.matcher === '*' ? null : new RegExp(`^(?:${group.matcher})$`),
        hooks: group.hooks.map((hook, index) => ({
          id: `${source}:${hook.name ?? `${event}[${groupIndex}].hooks[${index}]`}`,
          event,
          command: hook.command,
          timeoutMs: (hook.timeout ?? HOOK_TIMEOUT_DEFAULT_S) * 1000,
          onFailure: hook.on_failure ?? 'block',
          cwd,
        })),
      })),
    );
  }
  return compiled;
}

/** The role a matcher is tested against; null (a recovery sweep, no agent) matches only groups without a matcher. */
function matching(groups: readonly CompiledGroup[] | undefined, role: string | null): RegisteredHook[] {
  if (groups === undefined) return [];
  return groups.flatMap((group) => (group.matcher === null || (role !== null && group.matcher.test(role)) ? group.hooks : []));
}

/**
 * The hooks configured for each event: the server's hooks file (every team it serves) plus the
 * team profile's `hooks:`. Matching is by event and the acting agent's role; every matching hook
 * runs, concurrently, and their verdicts combine independently of order (combineHookRuns).
 */
export class HookRegistry {
  private readonly file: CompiledConfig;
  // Profiles are read fresh on every call (a switch applies at once); each config compiles once.
  private readonly byProfile = new WeakMap<HooksConfig, CompiledConfig>();

  constructor(file: HookFileSource | null = null) {
    this.file = file === null ? new Map() : compile('hooks-file', file.config, file.dir);
  }

  /** The hooks that run for `event` in a team under `profile` (null before team_start made one) for an agent of `role`. */
  hooksFor(event: HookEventName, profile: Profile | null, role: string | null): RegisteredHook[] {
    const fromFile = matching(this.file.get(event), role);
    const config = profile?.hooks;
    if (config === undefined || profile === null) return fromFile;
    return [...fromFile, ...matching(this.profileConfig(profile.name, config).get(event), role)];
  }

  /** Whether any hook of `event` could run for a team under `profile` (whatever the role). */
  hasHooks(event: HookEventName, profile: Profile | null): boolean {
    if (this.file.has(event)) return true;
    const config = profile?.hooks;
    return config !== undefined && profile !== null && this.profileConfig(profile.name, config).has(event);
  }

  private profileConfig(name: string, config: HooksConfig): CompiledConfig {
    let compiled = this.byProfile.get(config);
    if (compiled === undefined) {
      compiled = compile(`profile:${name}`, config, null);
      this.byProfile.set(config, compiled);
    }
    return compiled;
  }
}
