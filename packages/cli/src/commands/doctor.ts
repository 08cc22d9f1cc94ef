import { DEFAULT_SERVER_NAME, checkServerName, resolveCodexHome, resolveDbPath } from '../codex/codex-paths';
import { readShippedSkill } from '../codex/package-assets';
import { runDoctorChecks, type DoctorCheck } from '../doctor/doctor-checks';
import { flagOption, stringOption, type Command } from './command';

function renderText(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((check) => check.name.length));
  const lines = checks.flatMap((check) => [
    `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(width)}  ${check.detail}`,
    ...(check.ok || check.fix === undefined ? [] : [`      ${' '.repeat(width)}  fix: ${check.fix}`]),
  ]);
  const failed = checks.filter((check) => !check.ok).length;
  lines.push(failed === 0 ? 'all checks passed' : `${failed} of ${checks.length} checks failed`);
  return `${lines.join('\n')}\n`;
}

/** `codex-team doctor`: check that everything codex-team needs with Codex is in place. */
export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check Node, SQLite, the store and the Codex setup; say what to fix',
  synopsis: '[--codex-home DIR] [--db PATH] [--name NAME] [--json]',
  details: [
    '--codex-home DIR  Codex home to check (default: $CODEX_HOME, else ~/.codex)',
    '--db PATH         store to check (default: the one the Codex entry names, else ~/.codex-team/team.db)',
    `--name NAME       MCP server name (default: ${DEFAULT_SERVER_NAME})`,
    '--json            print {"ok", "checks": [{name, ok, detail, fix}]} instead of text',
    'Reads only: the store is opened read-only, and the codex binary found on the PATH is asked its version.',
    'Exits 1 when any check fails.',
  ],
  options: {
    'codex-home': { type: 'string' },
    db: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const dbFlag = stringOption(args.values, 'db');
    const checks = await runDoctorChecks({
      codexHome: resolveCodexHome(stringOption(args.values, 'codex-home'), io),
      serverName: checkServerName(stringOption(args.values, 'name') ?? DEFAULT_SERVER_NAME),
      dbPath: dbFlag === undefined ? undefined : resolveDbPath(dbFlag, io),
      defaultDbPath: resolveDbPath(undefined, io),
      nodeVersion: io.nodeVersion,
      shippedSkill: readShippedSkill(),
      pathEnv: io.env['PATH'],
    });
    const ok = checks.every((check) => check.ok);
    io.stdout.write(flagOption(args.values, 'json') ? `${JSON.stringify({ ok, checks }, null, 2)}\n` : renderText(checks));
    return ok ? 0 : 1;
  },
};
