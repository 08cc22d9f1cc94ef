import { BufferSink, type CliIo } from '../cli-io';
import { runCli } from '../run-cli';

/** A CliIo whose output is kept in memory. */
export type BufferedIo = CliIo & { stdout: BufferSink; stderr: BufferSink };

/**
 * The io of a command run in-process by a spec: output kept in memory, home and working folder
 * `dir`, no environment, not a terminal; `extra` overrides any of it.
 */
export function bufferedIo(dir: string, extra: Partial<CliIo> = {}): BufferedIo {
  return {
    stdout: new BufferSink(),
    stderr: new BufferSink(),
    env: {},
    homeDir: dir,
    cwd: dir,
    execPath: process.execPath,
    nodeVersion: process.versions.node,
    stdoutIsTerminal: false,
    ...extra,
  } as BufferedIo;
}

/** Runs one `codex-team` command line in-process with bufferedIo: its exit status and what it wrote. */
export async function runBuffered(argv: readonly string[], dir: string, extra: Partial<CliIo> = {}): Promise<{ code: number; out: string; err: string }> {
  const io = bufferedIo(dir, extra);
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text(), err: io.stderr.text() };
}
