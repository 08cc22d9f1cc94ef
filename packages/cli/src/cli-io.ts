/** Where a command writes text; `process.stdout` fits, and so does a test's buffer. */
export interface TextSink {
  write(chunk: string): unknown;
}

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
  /** Aborted when the user interrupts (SIGINT); long-running commands stop cleanly on it. */
  signal?: AbortSignal;
  /** Whether stdout is a terminal, so live views may redraw in place (`process.stdout.isTTY`). */
  stdoutIsTerminal: boolean;
  /** All of stdin as text, for commands that read it (`hook`); undefined: no stdin. */
  readStdin?: () => Promise<string>;
}

/** Reads a stream to its end as UTF-8 text. */
export async function readAll(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
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
