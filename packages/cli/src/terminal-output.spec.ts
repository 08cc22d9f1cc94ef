import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBuffered } from './testing/buffered-io';
import { terminalSafe } from './terminal-text';
import { HOSTILE_TEXT, seedEndedTeam } from './testing/seed-team';

/** What must never reach a terminal raw: C0 but tab/newline, DEL, C1, line separators, bidi controls. */
function unsafeCharacters(text: string): string[] {
  return [...text].filter((char) => {
    const code = char.charCodeAt(0);
    return (
      (code < 0x20 && code !== 0x09 && code !== 0x0a) ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x2028 ||
      code === 0x2029 ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069)
    );
  });
}

let dir: string;
let db: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-team-terminal-'));
  db = join(dir, 'team.db');
  await seedEndedTeam(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: string[], terminal = false) => runBuffered(argv, dir, { stdoutIsTerminal: terminal, terminalSize: () => ({ columns: 200, rows: 60 }) });

describe('terminalSafe', () => {
  it('shows escape sequences and control characters escaped, JSON-style, and keeps tabs, newlines and ordinary text', () => {
    expect(terminalSafe('\u001b]0;title\u0007\u001b[2J\u001b[31mred\u001b[0m')).toBe('\\u001b]0;title\\u0007\\u001b[2J\\u001b[31mred\\u001b[0m');
    expect(terminalSafe('a\u009b1mb\u009dc\u007f\r\u202eevil\u2066x\u2028y')).toBe('a\\u009b1mb\\u009dc\\u007f\\u000d\\u202eevil\\u2066x\\u2028y');
    expect(terminalSafe('tab\there\nnext line: naïve 日本 🚀')).toBe('tab\there\nnext line: naïve 日本 🚀');
    expect(terminalSafe(terminalSafe(HOSTILE_TEXT))).toBe(terminalSafe(HOSTILE_TEXT));
  });
});

describe('every text the CLI prints from the store passes the terminal sanitiser', () => {
  it.each([
    ['status', ['status']],
    ['tasks', ['tasks']],
    ['replay', ['replay']],
    ['watch', ['watch', '--once']],
    ['report --json', ['report', '--json']],
    ['status --json', ['status', '--json']],
    ['tasks --json', ['tasks', '--json']],
    ['replay --json', ['replay', '--json']],
    ['watch --json', ['watch', '--once', '--json']],
  ])('%s shows the agent\'s escape sequences escaped', async (_label, argv) => {
    const { code, out, err } = await run([...argv, '--db', db]);
    expect(err).toBe('');
    expect([0, 3]).toContain(code);
    expect(unsafeCharacters(out)).toEqual([]);
    expect(out).toContain('\\u001b]0;pwned\\u0007');
  });

  it('keeps JSON output valid and faithful: the parsed text is exactly what the agent wrote', async () => {
    const tasks = JSON.parse((await run(['tasks', '--db', db, '--json'])).out) as { tasks: { title: string }[] };
    expect(tasks.tasks.map((task) => task.title)).toContain(`Build the CLI ${HOSTILE_TEXT}`);
    const report = JSON.parse((await run(['report', '--db', db, '--json'])).out) as { messages: { body: string }[] };
    expect(report.messages.map((message) => message.body)).toContain(`parser done; see parser.md ${HOSTILE_TEXT}`);
  });

  it('on a terminal, sends only its own redraw sequence raw', async () => {
    const { out } = await run(['watch', '--once', '--db', db], true);
    expect(out.startsWith('\u001b[2J\u001b[H')).toBe(true);
    expect(unsafeCharacters(out.slice('\u001b[2J\u001b[H'.length))).toEqual([]);
  });

  it('shows them escaped in the HTML report too, HTML-escaped', async () => {
    await run(['report', '--db', db, '--html', 'hostile.html']);
    const html = readFileSync(join(dir, 'hostile.html'), 'utf8');
    expect(unsafeCharacters(html)).toEqual([]);
    expect(html).toContain('Build the CLI \\u001b]0;pwned\\u0007\\u001b[2J');
    expect(html).not.toContain('<script');
  });
});
