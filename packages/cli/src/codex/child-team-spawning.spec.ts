import { parse } from 'smol-toml';
import { childTeamSpawningOf } from './child-team-spawning';

const toml = (text: string): Record<string, unknown> => parse(text) as Record<string, unknown>;

// Codex 0.171 (docs/hierarchy.md, FACTS): a v1 sub-agent gets spawn_agent only with [agents]
// max_depth >= 2; under v2 no sub-agent gets spawn tools at all.
describe('childTeamSpawningOf', () => {
  it("lets a child's lead spawn only under v1 with max_depth of 2 or more", () => {
    expect(childTeamSpawningOf(toml('[agents]\nmax_depth = 2\n'), 'v1')).toMatchObject({ childLeadSpawns: true, detail: expect.stringContaining('max_depth 2') });
    expect(childTeamSpawningOf({}, 'v1')).toMatchObject({ childLeadSpawns: false, detail: expect.stringContaining('max_depth unset (default 1)') });
  });

  it('has the lead spawn under v2, whatever max_depth says, and when the surface is left to the model', () => {
    expect(childTeamSpawningOf(toml('[agents]\nmax_depth = 3\n'), 'v2')).toMatchObject({ childLeadSpawns: false, detail: expect.stringMatching(/^multi-agent v2: only the root spawns/) });
    expect(childTeamSpawningOf(toml('[agents]\nmax_depth = 2\n'), 'either')).toMatchObject({
      childLeadSpawns: false,
      detail: expect.stringContaining("under v1 ([agents] max_depth 2) a child's lead could spawn its own"),
    });
  });
});
