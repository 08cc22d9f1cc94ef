import { systemClock } from '@codex-team/contracts';
import { conditionOf } from '../team-view/team-model';
import { TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { STORE_OPTION_DETAIL } from '../team-view/store-engine';
import { table } from '../team-view/render-text';
import { flagOption, type Command } from './command';

function age(now: number, at: string): string {
  const s = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** `codex-team teams`: every team of the store, newest first, with its condition and lead. */
export const teamsCommand: Command = {
  name: 'teams',
  summary: 'List the teams: state (active, orphaned, finalized, cancelled), lead, age, where started, parent',
  synopsis: '[--db PATH|URL] [--json]',
  details: [
    STORE_OPTION_DETAIL,
    '--json           print JSON instead of text',
    'orphaned: active, but its lead is lost (its session ended and did not resume); finalize or cancel it.',
    'The store is opened read-only.',
  ],
  options: TEAM_SOURCE_OPTIONS,
  run(args, io) {
    return withTeamSource(args.values, io, async (source) => {
      const now = systemClock.now();
      const rows = [];
      for (const team of await source.teams()) {
        const { agents } = await source.store.readTeam(team.id);
        const lead = agents.find((agent) => agent.id === team.lead_agent_id);
        rows.push({
          id: team.id,
          name: team.name,
          state: conditionOf(team, agents, now),
          lead: lead === undefined ? null : { id: lead.id, name: lead.name, state: lead.state, last_seen_at: lead.last_seen_at },
          created_at: team.created_at,
          finalized_at: team.finalized_at,
          cwd: team.cwd ?? null,
          repo: team.repo ?? null,
          parent_team_id: team.parent_team_id ?? null,
        });
      }
      if (flagOption(args.values, 'json')) {
        io.stdout.write(`${JSON.stringify({ teams: rows }, null, 2)}\n`);
        return 0;
      }
      if (rows.length === 0) {
        io.stdout.write(`no team in ${source.location.shown} yet\n`);
        return 0;
      }
      const cells = rows.map((row) => [
        row.name,
        row.id,
        row.state,
        row.lead === null ? '-' : `${row.lead.name} (${row.lead.state})`,
        age(now, row.created_at),
        row.repo ?? row.cwd ?? '-',
        row.parent_team_id ?? '-',
      ]);
      io.stdout.write(`${table(['name', 'id', 'state', 'lead', 'age', 'repo/cwd', 'parent'], cells)}\n`);
      return 0;
    });
  },
};
