import { TeamError } from '@codex-team/contracts';
import { readFileSync } from 'node:fs';
import { BufferSink, OUTPUT_CLOSED, type CliIo } from './cli-io';
import type { Command } from './commands/command';
import { runCli } from './run-cli';
import { terminalSafe } from './terminal-text';

function fakeIo(): CliIo & { stdout: BufferSink; stderr: BufferSink } {
  return {
    stdout: new BufferSink(),
    stderr: new BufferSink(),
    env: {},
    homeDir: '/home/nobody',
    cwd: '/work',
    execPath: '/usr/bin/node',
    nodeVersion: '20.20.0',
    stdoutIsTerminal: false,
  };
}

const echo: Command = {
  name: 'echo',
  summary: 'Print the message',
  synopsis: '--message TEXT [--loud]',
  details: ['--message TEXT  what to print'],
  options: { message: { type: 'string' }, loud: { type: 'boolean' } },
  run(args, io) {
    const text = String(args.values['message'] ?? '');
    io.stdout.write(`${args.values['loud'] === true ? text.toUpperCase() : text}\n`);
    return Promise.resolve(0);
  },
};

const failing: Command = {
  name: 'fail',
  summary: 'Always refuses',
  synopsis: '',
  details: [],
  options: {},
  run() {
    throw new TeamError('CONFLICT', 'something is in the way');
  },
};

const commands = [echo, failing];

describe('runCli', () => {
  it('runs the named command with its parsed options', async () => {
    const io = fakeIo();
    expect(await runCli(['echo', '--message', 'hi', '--loud'], io, commands)).toBe(0);
    expect(io.stdout.text()).toBe('HI\n');
    expect(io.stderr.text()).toBe('');
  });

  it('answers an unknown command with one USAGE line on stderr and exit 2', async () => {
    const io = fakeIo();
    expect(await runCli(['frobnicate'], io, commands)).toBe(2);
    expect(io.stderr.text()).toBe('codex-team: USAGE: unknown command "frobnicate" (run codex-team --help for the list)\n');
    expect(io.stdout.text()).toBe('');
  });

  it('exits 2 with one line when no command is given', async () => {
    const io = fakeIo();
    expect(await runCli([], io, commands)).toBe(2);
    expect(io.stderr.text()).toBe('codex-team: USAGE: missing command (run codex-team --help for the list)\n');
  });

  it('answers an unknown flag with one USAGE line naming it and exit 2', async () => {
    const io = fakeIo();
    expect(await runCli(['echo', '--colour', 'red'], io, commands)).toBe(2);
    expect(io.stderr.text()).toBe("codex-team echo: USAGE: Unknown option '--colour' (run codex-team echo --help)\n");
  });

  it('answers a value that looks like a flag with one USAGE line and exit 2', async () => {
    const io = fakeIo();
    expect(await runCli(['echo', '--message', '-3'], io, commands)).toBe(2);
    expect(io.stderr.text()).toBe("codex-team echo: USAGE: Option '--message' argument is ambiguous (run codex-team echo --help)\n");
  });

  it('exits 2 for a positional argument a command does not take', async () => {
    expect(await runCli(['echo', 'stray'], fakeIo(), commands)).toBe(2);
  });

  it('prints help on stdout and exits 0', async () => {
    const top = fakeIo();
    expect(await runCli(['--help'], top, commands)).toBe(0);
    expect(top.stdout.text()).toMatch(/echo\s+Print the message/);
    const sub = fakeIo();
    expect(await runCli(['echo', '--help'], sub, commands)).toBe(0);
    expect(sub.stdout.text()).toContain('--message TEXT  what to print');
    const viaHelp = fakeIo();
    expect(await runCli(['help', 'echo'], viaHelp, commands)).toBe(0);
    expect(viaHelp.stdout.text()).toBe(sub.stdout.text());
  });

  it('reports a refused command with its stable code on stderr and exits 1', async () => {
    const io = fakeIo();
    expect(await runCli(['fail'], io, commands)).toBe(1);
    expect(io.stderr.text()).toBe('codex-team fail: CONFLICT: something is in the way\n');
  });

  it('lists the real commands in its default table', async () => {
    const io = fakeIo();
    await runCli(['--help'], io);
    for (const name of ['install', 'uninstall', 'doctor']) expect(io.stdout.text()).toContain(`  ${name} `);
  });

  it('rejects a bad install --name as a usage error, never crashing', async () => {
    const io = fakeIo();
    expect(await runCli(['install', '--codex-home', '/nonexistent/x', '--name', 'no spaces'], io)).toBe(2);
    expect(io.stderr.text()).toBe('codex-team install: USAGE: --name must be 1-32 letters, digits, "_" or "-", got "no spaces"\n');
  });

  it('prints its version', async () => {
    const io = fakeIo();
    expect(await runCli(['--version'], io, commands)).toBe(0);
    expect(io.stdout.text()).toMatch(/^codex-team \d+\.\d+\.\d+\n$/);
  });

  it('refuses more positional arguments than a command takes', async () => {
    const one: Command = { ...echo, name: 'one', allowPositionals: true, maxPositionals: 1 };
    const io = fakeIo();
    expect(await runCli(['one', 'a', 'b'], io, [one])).toBe(2);
    expect(io.stderr.text()).toBe('codex-team one: USAGE: unexpected argument "b" (run codex-team one --help)\n');
  });

  it('reports a file system error as FILE_ACCESS naming the path and the cause, in one line', async () => {
    const io = fakeIo();
    const reading: Command = { ...echo, name: 'read', run: () => Promise.resolve(readFileSync('/nonexistent/codex-team/file').length) };
    expect(await runCli(['read'], io, [reading])).toBe(1);
    expect(io.stderr.text()).toBe('codex-team read: FILE_ACCESS: cannot open /nonexistent/codex-team/file: no such file or folder (ENOENT)\n');
  });

  it('reports an unexpected error as INTERNAL in one line with no stack, unless CODEX_TEAM_DEBUG is set', async () => {
    const boom: Command = { ...echo, name: 'boom', run: () => Promise.reject(new TypeError('cannot read x\nof undefined')) };
    const io = fakeIo();
    expect(await runCli(['boom'], io, [boom])).toBe(1);
    expect(io.stderr.text()).toBe('codex-team boom: INTERNAL: TypeError: cannot read x (run with CODEX_TEAM_DEBUG=1 for details)\n');
    const debug = { ...fakeIo(), env: { CODEX_TEAM_DEBUG: '1' } };
    await runCli(['boom'], debug, [boom]);
    expect(debug.stderr.text()).toMatch(/\n {4}at /);
  });

  it('exits 130 with an INTERRUPTED line when the user interrupts, whatever the command returns', async () => {
    const controller = new AbortController();
    const waiting: Command = {
      ...echo,
      name: 'wait',
      run: (_args, io) => new Promise((resolve) => io.signal?.addEventListener('abort', () => resolve(0))),
    };
    const io = { ...fakeIo(), signal: controller.signal };
    const running = runCli(['wait'], io, [waiting]);
    controller.abort('interrupted');
    expect(await running).toBe(130);
    expect(io.stderr.text()).toBe('codex-team wait: INTERRUPTED: stopped by Ctrl-C (SIGINT)\n');
  });

  it('exits 143 with an INTERRUPTED line on SIGTERM; a server that stopped as asked keeps its own status', async () => {
    const stopping = (name: string, runsUntilStopped: boolean): Command => ({
      ...echo,
      name,
      runsUntilStopped,
      run: (_args, io) => new Promise((resolve) => io.signal?.addEventListener('abort', () => resolve(0))),
    });
    for (const [name, server, exit, stderr] of [
      ['wait', false, 143, 'codex-team wait: INTERRUPTED: stopped by SIGTERM\n'],
      ['serve', true, 0, ''],
    ] as const) {
      const controller = new AbortController();
      const io = { ...fakeIo(), signal: controller.signal };
      const running = runCli([name], io, [stopping(name, server)]);
      controller.abort('SIGTERM');
      expect(await running).toBe(exit);
      expect(io.stderr.text()).toBe(stderr);
    }
    // A server that throws rather than return after the stop request ends as any command would: interrupted.
    const controller = new AbortController();
    const failing: Command = { ...echo, name: 'serve', runsUntilStopped: true, run: () => Promise.reject(new Error('boom')) };
    const io = { ...fakeIo(), signal: controller.signal };
    controller.abort('SIGINT');
    expect(await runCli(['serve'], io, [failing])).toBe(130);
    expect(io.stderr.text()).toBe('codex-team serve: INTERRUPTED: stopped by Ctrl-C (SIGINT)\n');
  });

  it('ends quietly with 0 when its reader closed the output early', async () => {
    const controller = new AbortController();
    const failing: Command = { ...echo, name: 'late', run: () => Promise.reject(new Error('write EPIPE')) };
    const io = { ...fakeIo(), signal: controller.signal };
    controller.abort(OUTPUT_CLOSED);
    expect(await runCli(['late'], io, [failing])).toBe(0);
    expect(io.stderr.text()).toBe('');
  });

  it('shows control characters and escape sequences escaped in everything it prints, errors included', async () => {
    const hostile = '\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u009b1m\r\u202eevil';
    const io = fakeIo();
    await runCli(['echo', '--message', hostile], io, commands);
    expect(io.stdout.text()).toBe('\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[31mred\\u009b1m\\u000d\\u202eevil\n');
    const refused: Command = { ...echo, name: 'refuse', run: () => Promise.reject(new TeamError('NOT_FOUND', `no team "${hostile}"`)) };
    const err = fakeIo();
    await runCli(['refuse'], err, [refused]);
    expect(terminalSafe(err.stderr.text())).toBe(err.stderr.text());
    expect(err.stderr.text()).toContain('\\u001b]0;pwned');
    expect(err.stderr.text().split('\n')).toHaveLength(2);
  });
});
