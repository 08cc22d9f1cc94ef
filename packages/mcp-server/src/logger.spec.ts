import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type LoggerOptions } from 'pino';
import { LOG_FILE_ROTATE_BYTES, createLogger, loggerOptions } from './logger';
import { PLANTED, secretsIn } from './testing/planted-secrets';

function capture(options: LoggerOptions): { logger: pino.Logger; text: () => string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino(options, sink), text: () => lines.join('') };
}

function logEverything(logger: pino.Logger): void {
  logger.info({ tool: 'team_send', detail: { note: `key ${PLANTED.body}`, list: [PLANTED.title] } }, `message with ${PLANTED.objective}`);
  logger.error({ err: new Error(`upstream refused ${PLANTED.result}`) }, 'tool call failed unexpectedly');
  logger.warn(new Error(`bare error with ${PLANTED.summary}`));
  logger.info({ ticket: 'join_abcdefghijklmnopqrstuvwxyz234567', nested: { resume_ticket: 'resume_abcdefghijklmnopqrstuvwxyz234567' } }, 'bound');
}

describe('the server logger', () => {
  it('masks secrets in fields, nested values, error messages and stacks, messages, and tickets', () => {
    const { logger, text } = capture(loggerOptions('info'));
    logEverything(logger);
    const out = text();
    expect(secretsIn(out)).toEqual([]);
    expect(out).not.toMatch(/(join|resume)_[a-z2-7]{32}/);
    const lines = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ tool: 'team_send', msg: 'message with [REDACTED:openai-key]' });
    expect(lines[1]?.['err']).toMatchObject({ type: 'Error', message: 'upstream refused [REDACTED:jwt]' });
    expect(String((lines[1]?.['err'] as { stack: string }).stack)).toContain('upstream refused [REDACTED:jwt]');
    expect(lines[2]).toMatchObject({ msg: 'bare error with [REDACTED:github-token]' });
  });

  it('control: a logger without these settings would have written them', () => {
    const { logger, text } = capture({ level: 'info' });
    logEverything(logger);
    expect(secretsIn(text())).toEqual(expect.arrayContaining(['objective', 'body', 'title', 'result', 'summary']));
  });

  it('moves a log file past 10 MiB to PATH.1 when a server opens it, and appends to a smaller one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-team-logfile-'));
    try {
      const file = join(dir, 'server.log');
      writeFileSync(file, 'older\n');
      createLogger('info', file).info('small file kept');
      expect(readFileSync(file, 'utf8')).toMatch(/^older\n.*small file kept/s);
      expect(existsSync(`${file}.1`)).toBe(false);

      truncateSync(file, LOG_FILE_ROTATE_BYTES);
      createLogger('info', file).info('after the move');
      expect(statSync(`${file}.1`).size).toBe(LOG_FILE_ROTATE_BYTES);
      expect(readFileSync(file, 'utf8')).toMatch(/^\{.*after the move.*\}\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
