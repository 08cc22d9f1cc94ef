import { terminalSafe } from './terminal-text';

/** Where a command writes text; `process.stdout` fits, and so does a test's buffer. */
export interface TextSink {
  write(chunk: string): unknown;
}

/** The only raw control sequences the CLI itself sends to a terminal. */
export type TerminalControl = { kind: 'clear-screen' } | { kind: 'rewind-lines'; lines: number };

function controlSequence(control: TerminalControl): string {
  switch (control.kind) {
    case 'clear-screen':
      return '\u001b[2J\u001b[H';
    case 'rewind-lines':
      // Move to the first line of the previous frame and clear everything below it.
      return control.lines > 0 ? `\u001b[${Math.floor(control.lines)}F\u001b[J` : '';
  }
}

/**
 * What commands write to: every text goes through `terminalSafe`, so nothing read from the store
 * (or typed by a user) can send escape sequences to the operator's terminal; the CLI's own
 * redraws go through `control`, which sends only the sequences listed in TerminalControl.
 */
export class OutputSink implements TextSink {
  constructor(private readonly sink: TextSink) {}

  write(text: string): true {
    this.sink.write(terminalSafe(text));
    return true;
  }

  control(control: TerminalControl): void {
    this.sink.write(controlSequence(control));
  }
}

/** Why `CliIo.signal` was aborted when the CLI's own process aborted it. */
export const OUTPUT_CLOSED = 'output-closed';

/**
 * Everything a command may read from or write to its surroundings. Commands never touch
 * `process` or `console` themselves, so tests drive them with buffers and a fake environment.
 */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory (`os.homedir()` in the real binary). */
  homeDir: string;
  /** Relative paths given on the command line resolve against this directory. */
  cwd: string;
  /** The Node binary running the CLI (`process.execPath`); `install` registers it as the server's command. */
  execPath: string;
  /** The running Node version without the `v` (`process.versions.node`). */
  nodeVersion: string;
  /**
   * Aborted when the user interrupts (SIGINT: exit 130), or with reason OUTPUT_CLOSED when the
   * reader of stdout went away (a pipe closed early: the command ends quietly). Long-running
   * commands stop cleanly on it.
   */
  signal?: AbortSignal;
  /** Whether stdout is a terminal, so live views may redraw in place (`process.stdout.isTTY`). */
  stdoutIsTerminal: boolean;
  /** The terminal's size now, when stdout is one (`process.stdout.columns` / `rows`). */
  terminalSize?: () => { columns: number; rows: number } | undefined;
  /** All of stdin as text, for commands that read it (`hook`); undefined: no stdin. */
  readStdin?: () => Promise<string>;
}

/** Reads a stream to its end as UTF-8 text. */
export async function readAll(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** What a command is given: CliIo whose stdout and stderr sanitise what is written. */
export interface CommandIo extends CliIo {
  stdout: OutputSink;
  stderr: OutputSink;
}

/** Whether `io.signal` was aborted because the user interrupted (not because output closed). */
export function wasInterrupted(io: Pick<CliIo, 'signal'>): boolean {
  return io.signal?.aborted === true && io.signal.reason !== OUTPUT_CLOSED;
}

/** A TextSink that keeps what was written, for tests and for commands that post-process output. */
export class BufferSink implements TextSink {
  private readonly chunks: string[] = [];

  write(chunk: string): true {
    this.chunks.push(chunk);
    return true;
  }

  text(): string {
    return this.chunks.join('');
  }
}
