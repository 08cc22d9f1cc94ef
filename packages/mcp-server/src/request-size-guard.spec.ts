import { PassThrough } from 'node:stream';
import { RequestSizeGuard, oversizedRequestId, oversizedToolName, type OversizedLine } from './request-size-guard';

async function run(max: number, chunks: string[]): Promise<{ passed: string; oversized: OversizedLine[] }> {
  const oversized: OversizedLine[] = [];
  const guard = new RequestSizeGuard(max, (line) => oversized.push(line));
  const out: Buffer[] = [];
  guard.on('data', (chunk: Buffer) => out.push(chunk));
  const source = new PassThrough();
  source.pipe(guard);
  for (const chunk of chunks) source.write(chunk);
  source.end();
  await new Promise((resolve) => guard.on('end', resolve));
  return { passed: Buffer.concat(out).toString('utf8'), oversized };
}

describe('RequestSizeGuard', () => {
  it('passes whole lines through however the input is chunked', async () => {
    const { passed, oversized } = await run(20, ['{"a"', ':1}\n{"b":2}\n{"c', '":3}\n']);
    expect(passed).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    expect(oversized).toEqual([]);
  });

  it('drops a line longer than the limit, reports its size, head and tail, and keeps the next lines', async () => {
    const long = `{"method":"tools/call","params":{"name":"team_send","arguments":{"body":"${'x'.repeat(5000)}"}},"jsonrpc":"2.0","id":7}`;
    const { passed, oversized } = await run(1000, ['{"ok":1}\n', long.slice(0, 3000), long.slice(3000) + '\n{"ok":2}\n']);
    expect(passed).toBe('{"ok":1}\n{"ok":2}\n');
    expect(oversized).toHaveLength(1);
    const line = oversized[0]!;
    expect(line.bytes).toBe(long.length);
    expect(oversizedRequestId(line)).toBe(7);
    expect(oversizedToolName(line)).toBe('team_send');
  });

  it('finds ids at the start of a line and ignores lines that are not tool calls', () => {
    const line = { bytes: 10, head: '{"jsonrpc":"2.0","id":"r-1","method":"ping","params":{"x":"', tail: 'xxx"}}' };
    expect(oversizedRequestId(line)).toBe('r-1');
    expect(oversizedToolName(line)).toBeNull();
    expect(oversizedRequestId({ bytes: 1, head: 'garbage', tail: 'garbage' })).toBeNull();
  });

  it('drops an unterminated last line', async () => {
    const { passed } = await run(100, ['{"a":1}\n{"b"']);
    expect(passed).toBe('{"a":1}\n');
  });
});
