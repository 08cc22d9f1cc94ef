import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

/** What is kept of a line that was too long: enough to find its JSON-RPC id and method. */
export interface OversizedLine {
  bytes: number;
  /** The first bytes of the line. */
  head: string;
  /** The last bytes of the line, without the newline. */
  tail: string;
}

/** A line that is not a JSON-RPC message, and the JSON-RPC error it is answered with. */
export interface MalformedLine {
  /** -32700 (not JSON at all, or not UTF-8) or -32600 (JSON, but no JSON-RPC message). */
  code: -32700 | -32600;
  message: string;
  /** The request's id when the line was JSON that carried one, else null (as JSON-RPC asks). */
  id: string | number | null;
}

const KEEP_BYTES = 512;
const NEWLINE = 0x0a;

/**
 * Sits between stdin and the SDK's stdio transport and passes newline-delimited messages through
 * whole, except:
 * - lines longer than `maxLineBytes`, dropped and reported to `onOversized`: the SDK transport
 *   closes the whole session when its read buffer overflows, and a closed session cannot be
 *   reopened by Codex, so an oversized request must be refused before it gets there;
 * - when `onMalformed` is given, lines that are not a JSON-RPC message (not UTF-8, not JSON, or not
 *   a request, notification or response), dropped and reported: the SDK drops them without a word,
 *   and JSON-RPC asks for a parse error (-32700) or an invalid request (-32600) answer.
 * Blank lines are skipped.
 */
export class StdinLineGuard extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding: { bytes: number; head: Buffer; tail: Buffer } | null = null;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onOversized: (line: OversizedLine) => void,
    private readonly onMalformed?: (line: MalformedLine) => void,
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
    const line = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (line.toString('latin1').trim() === '') return;
    const malformed = this.onMalformed === undefined ? null : malformedLine(line);
    if (malformed !== null) {
      this.onMalformed?.(malformed);
      return;
    }
    this.push(Buffer.concat([line, Buffer.from([NEWLINE])]));
  }
}

/** Why `line` is no JSON-RPC message, or null when it is one. */
export function malformedLine(line: Buffer): MalformedLine | null {
  if (!isUtf8(line)) return { code: -32700, message: 'Parse error: the line is not valid UTF-8', id: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.toString('utf8'));
  } catch (error) {
    return { code: -32700, message: `Parse error: ${error instanceof Error ? error.message : String(error)}`, id: null };
  }
  if (JSONRPCMessageSchema.safeParse(parsed).success) return null;
  const id = typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined;
  return {
    code: -32600,
    message: 'Invalid Request: not a JSON-RPC 2.0 request, notification or response',
    id: typeof id === 'string' || typeof id === 'number' ? id : null,
  };
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
