import { parse } from 'smol-toml';
import { codexThreadCapOf, mergeCodexConfigs } from './codex-thread-cap';

const toml = (text: string): Record<string, unknown> => parse(text) as Record<string, unknown>;

// Codex 0.171's caps, measured with a scripted codex exec whose sub-agents were kept busy
// (docs/codex.md): v1 `[agents] max_threads` (default 6); v2 `max_concurrent_threads_per_session`
// counts the lead (default 4, so 3), and without it `[agents] max_threads` caps v2 too.
describe('codexThreadCapOf', () => {
  it('plans with the smaller cap when the config leaves the surface to the model', () => {
    expect(codexThreadCapOf({})).toEqual({
      teammates: 3,
      surface: 'either',
      from:
        "multi-agent v2 default: 4 threads per session, lead included; v1 would allow 6, and with multi_agent_v2 unset the model's preset may pick either surface",
    });
  });

  it('reports 3 teammates for v2 with its default cap', () => {
    const reading = codexThreadCapOf(toml('[features]\nmulti_agent_v2 = true\n'));
    expect(reading.teammates).toBe(3);
    expect(reading.from).toMatch(/^multi-agent v2 default: 4 threads per session, lead included; v1 would allow 6/);
  });

  it("counts the lead in v2's max_concurrent_threads_per_session, and lets it win over max_threads", () => {
    const config = toml('[agents]\nmax_threads = 3\n[features.multi_agent_v2]\nenabled = true\nmax_concurrent_threads_per_session = 6\n');
    expect(codexThreadCapOf(config, 'v2')).toMatchObject({
      teammates: 5,
      surface: 'v2',
      from: 'multi-agent v2 max_concurrent_threads_per_session 6, lead included; pinned by install --multi-agent v2',
    });
    // Auto plans with the smaller: v1 would allow 3 here.
    expect(codexThreadCapOf(config)).toMatchObject({ teammates: 3, surface: 'either' });
  });

  it("applies [agents] max_threads to v2 when max_concurrent_threads_per_session is not set", () => {
    expect(codexThreadCapOf(toml('[features]\nmulti_agent_v2 = true\n[agents]\nmax_threads = 5\n'), 'v2')).toMatchObject({
      teammates: 5,
      from: 'multi-agent v2 under [agents] max_threads 5; pinned by install --multi-agent v2',
    });
  });

  it('takes v1 [agents] max_threads when v1 is pinned', () => {
    expect(codexThreadCapOf({}, 'v1')).toMatchObject({ teammates: 6, surface: 'v1' });
    expect(codexThreadCapOf(toml('[agents]\nmax_threads = 2\n'), 'v1')).toMatchObject({ teammates: 2, from: 'multi-agent v1 [agents] max_threads 2; pinned by install --multi-agent v1' });
  });

  it('refuses a cap setting that is not a whole number of at least 1', () => {
    expect(() => codexThreadCapOf(toml('[agents]\nmax_threads = "six"\n'))).toThrow(/^INVALID_INPUT: \[agents\] max_threads must be a whole number/);
    expect(() => codexThreadCapOf(toml('[features.multi_agent_v2]\nmax_concurrent_threads_per_session = 0\n'))).toThrow(/INVALID_INPUT/);
  });
});

describe('mergeCodexConfigs', () => {
  it("merges tables and lets a later layer's values win, as Codex layers a project's config over the user's", () => {
    const user = toml('[agents]\nmax_threads = 4\nmax_depth = 1\n[features]\nhooks = true\n');
    const project = toml('[agents]\nmax_threads = 2\n[features]\nmulti_agent_v2 = true\n');
    expect(mergeCodexConfigs([user, project])).toEqual({ agents: { max_threads: 2, max_depth: 1 }, features: { hooks: true, multi_agent_v2: true } });
    expect(codexThreadCapOf(mergeCodexConfigs([user, project]), 'v1').teammates).toBe(2);
  });
});
