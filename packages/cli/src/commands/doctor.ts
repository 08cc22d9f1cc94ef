import { resolveStoreLocation } from '../codex/codex-paths';
import { readShippedSkill } from '../codex/package-assets';
import { runDoctorChecks, type DoctorCheck } from '../doctor/doctor-checks';
import { flagOption, stringOption, type Command } from './command';
import { CODEX_TARGET_DETAILS, CODEX_TARGET_OPTIONS, codexSelection } from './codex-options';

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
  summary: "Check Node, SQLite, the store, the Codex setup, Codex's thread cap and the hooks; say what to fix",
  synopsis: '[--codex-home DIR] [--project DIR] [--name NAME] [--db PATH|URL] [--json]',
  details: [
    ...CODEX_TARGET_DETAILS,
    '--db PATH|URL     store to check: a file or a postgres:// URL (default: the one the Codex entry names,',
    '                  else ~/.codex-team/team.db)',
    '--json            print {"ok", "checks": [{name, ok, detail, fix}]} instead of text',
    "Starts the registered server as Codex would, prints Codex's teammate cap and where it comes from,",
    'and each installed hook as trusted, untrusted or modified. Reads only: the store is opened read-only',
    '(on PostgreSQL: reached, its schema read, and the role checked to insert into its tables),',
    'and the codex binary found on the PATH is asked its version. Exits 1 when any check fails.',
  ],
  options: {
    ...CODEX_TARGET_OPTIONS,
    db: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const dbFlag = stringOption(args.values, 'db');
    const { codexHome, target, serverName } = codexSelection(args.values, io);
    const checks = await runDoctorChecks({
      codexHome,
      target,
      serverName,
      dbPath: dbFlag === undefined ? undefined : resolveStoreLocation(dbFlag, io),
      defaultDbPath: resolveStoreLocation(undefined, io),
      nodeVersion: io.nodeVersion,
      skillTemplate: readShippedSkill(),
      pathEnv: io.env['PATH'],
    });
    const ok = checks.every((check) => check.ok);
    io.stdout.write(flagOption(args.values, 'json') ? `${JSON.stringify({ ok, checks }, null, 2)}\n` : renderText(checks));
    return ok ? 0 : 1;
  },
};
