/**
 * Collects the JSON log lines a child process writes to `stream` (its stderr), parsed, into the
 * returned array as they arrive; a line that is not JSON is kept as `{ msg, unparsed: true }`, so a
 * stack trace or a Node warning still shows in what a test asserts on.
 */
export function collectJsonLines(stream: { on(event: 'data', listener: (chunk: Buffer) => void): unknown } | null | undefined): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line, unparsed: true });
      }
    }
  });
  return lines;
}
