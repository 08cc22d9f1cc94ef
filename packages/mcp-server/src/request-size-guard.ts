import { Transform, type TransformCallback } from 'node:stream';

/** What is kept of a line that was too long: enough to find its JSON-RPC id and method. */
export interface OversizedLine {
  bytes: number;
  /** The first bytes of the line. */
  head: string;
  /** The last bytes of the line, without the newline. */
  tail: string;
}

const KEEP_BYTES = 512;
const NEWLINE = 0x0a;

/**
 * Sits between stdin and the SDK's stdio transport and passes newline-delimited messages through
 * whole, except those longer than `maxLineBytes`, which it drops and reports. The SDK transport
 * closes the whole session when its read buffer overflows, and a closed session cannot be
 * reopened by Codex, so an oversized request must be refused before it gets there.
 */
export class RequestSizeGuard extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding: { bytes: number; head: Buffer; tail: Buffer } | null = null;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onOversized: (line: OversizedLine) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.addToLine(chunk.subarray(start, end));
      if (newline === -1) break;
      this.endLine();
      start = newline + 1;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A last line without newline is never a complete message for the transport either.
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = null;
    callback();
  }

  private addToLine(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.discarding !== null) {
      this.discarding.bytes += piece.length;
      this.discarding.tail = lastBytes(Buffer.concat([this.discarding.tail, piece]));
      return;
    }
    if (this.pendingBytes + piece.length <= this.maxLineBytes) {
      this.pending.push(piece);
      this.pendingBytes += piece.length;
      return;
    }
    const held = Buffer.concat([...this.pending, piece]);
    this.discarding = { bytes: held.length, head: held.subarray(0, KEEP_BYTES), tail: lastBytes(held) };
    this.pending = [];
    this.pendingBytes = 0;
  }

  private endLine(): void {
    if (this.discarding !== null) {
      const { bytes, head, tail } = this.discarding;
      this.discarding = null;
      this.onOversized({ bytes, head: head.toString('utf8'), tail: tail.toString('utf8') });
      return;
    }
    this.pending.push(Buffer.from([NEWLINE]));
    this.push(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

function lastBytes(buffer: Buffer): Buffer {
  return buffer.length <= KEEP_BYTES ? buffer : Buffer.from(buffer.subarray(buffer.length - KEEP_BYTES));
}

const ID = String.raw`("(?:[^"\\]|\\.){0,200}"|-?\d{1,20})`;

/**
 * The JSON-RPC id of an oversized request, found at the start (`{"jsonrpc":"2.0","id":...`) or,
 * as the SDK client writes it, at the end (`...,"jsonrpc":"2.0","id":7}`); null when not found.
 */
export function oversizedRequestId(line: OversizedLine): string | number | null {
  const match =
    new RegExp(String.raw`"id"\s*:\s*${ID}\s*\}\s*$`).exec(line.tail) ??
    new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${ID}`).exec(line.head);
  if (match === null || match[1] === undefined) return null;
  try {
    const id: unknown = JSON.parse(match[1]);
    return typeof id === 'string' || typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

/** The tool an oversized tools/call names, when its head shows one. */
export function oversizedToolName(line: OversizedLine): string | null {
  if (!/"method"\s*:\s*"tools\/call"/.test(line.head)) return null;
  return /"name"\s*:\s*"([A-Za-z0-9_-]{1,64})"/.exec(line.head)?.[1] ?? '';
}
