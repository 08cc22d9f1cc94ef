import { TeamError } from '@codex-team/contracts';
import { BufferSink, type CliIo } from './cli-io';
import type { Command } from './commands/command';
import { runCli } from './run-cli';

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

  it('prints usage on stderr and exits 2 for an unknown command', async () => {
    const io = fakeIo();
    expect(await runCli(['frobnicate'], io, commands)).toBe(2);
    expect(io.stderr.text()).toContain('unknown command "frobnicate"');
    expect(io.stderr.text()).toContain('Usage: codex-team <command>');
    expect(io.stdout.text()).toBe('');
  });

  it('exits 2 with usage when no command is given', async () => {
    const io = fakeIo();
    expect(await runCli([], io, commands)).toBe(2);
    expect(io.stderr.text()).toContain('missing command');
  });

  it('prints the command usage on stderr and exits 2 for an unknown flag', async () => {
    const io = fakeIo();
    expect(await runCli(['echo', '--colour', 'red'], io, commands)).toBe(2);
    expect(io.stderr.text()).toContain("Unknown option '--colour'");
    expect(io.stderr.text()).toContain('Usage: codex-team echo --message TEXT [--loud]');
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

  it('refuses install with NOT_FOUND or succeeds, never crashing, and rejects a bad --name', async () => {
    const io = fakeIo();
    expect(await runCli(['install', '--codex-home', '/nonexistent/x', '--name', 'no spaces'], io)).toBe(1);
    expect(io.stderr.text()).toMatch(/^codex-team install: INVALID_INPUT: --name/);
  });
});
