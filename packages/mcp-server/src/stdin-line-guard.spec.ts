import { PassThrough } from 'node:stream';
import { StdinLineGuard, malformedLine, oversizedRequestId, oversizedToolName, type MalformedLine, type OversizedLine } from './stdin-line-guard';

async function run(
  max: number,
  chunks: (string | Buffer)[],
  checkForm = false,
): Promise<{ passed: string; oversized: OversizedLine[]; malformed: MalformedLine[] }> {
  const oversized: OversizedLine[] = [];
  const malformed: MalformedLine[] = [];
  const guard = new StdinLineGuard(max, (line) => oversized.push(line), checkForm ? (line) => malformed.push(line) : undefined);
  const out: Buffer[] = [];
  guard.on('data', (chunk: Buffer) => out.push(chunk));
  const source = new PassThrough();
  source.pipe(guard);
  for (const chunk of chunks) source.write(chunk);
  source.end();
  await new Promise((resolve) => guard.on('end', resolve));
  return { passed: Buffer.concat(out).toString('utf8'), oversized, malformed };
}

describe('StdinLineGuard', () => {
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

  it('with a form check, drops and reports lines that are no JSON-RPC message, and keeps the rest', async () => {
    const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const { passed, malformed } = await run(
      1000,
      [`${ping}\n{not json\n`, '\n   \n', '{"jsonrpc":"2.0","id":"x7","params":{}}\n', '[1,2]\n', Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), `${ping}\n`],
      true,
    );
    expect(passed).toBe(`${ping}\n${ping}\n`);
    expect(malformed.map(({ code, id }) => ({ code, id }))).toEqual([
      { code: -32700, id: null },
      { code: -32600, id: 'x7' },
      { code: -32600, id: null },
      { code: -32700, id: null },
    ]);
  });

  it('tells a parse error from an invalid request', () => {
    expect(malformedLine(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}'))).toBeNull();
    expect(malformedLine(Buffer.from('{"jsonrpc":"2.0",'))?.code).toBe(-32700);
    expect(malformedLine(Buffer.from('{"id":3,"method":"ping"}'))).toMatchObject({ code: -32600, id: 3 });
  });
});
