import fc from 'fast-check';
import { containsSecret, redactDeep, redactSecrets } from './redact-secrets';

/** Realistic-looking secrets of every kind the redactor knows; fake values, right shapes. */
const PLANTED_SECRETS: Record<string, string> = {
  openai: 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  anthropic: 'sk-ant-api03-AbCdEf0123456789GhIjKlMn',
  github: 'ghp_0123456789abcdefABCDEF0123456789abcd',
  githubPat: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
  aws: 'AKIAIOSFODNN7EXAMPLE',
  slack: 'xoxb-1234567890-0987654321-AbCdEfGhIjKl',
  google: 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q',
  stripe: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ticket: 'join_abcdefghijklmnopqrstuvwxyz234567',
  privateKeyBody: 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0',
};

const PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----\n${PLANTED_SECRETS['privateKeyBody']}\nAbCd==\n-----END RSA PRIVATE KEY-----`;

describe('redactSecrets', () => {
  it.each(Object.entries(PLANTED_SECRETS).filter(([name]) => name !== 'privateKeyBody'))(
    'masks a %s token wherever it sits in text',
    (_name, secret) => {
      const out = redactSecrets(`before ${secret} after\nnext line`);
      expect(out.text).not.toContain(secret);
      expect(out.text).toMatch(/^before \[REDACTED:[a-z-]+\] after\nnext line$/);
      expect(out.count).toBe(1);
    },
  );

  it('masks a whole private key block, and an unterminated one to the end of the text', () => {
    const out = redactSecrets(`key:\n${PRIVATE_KEY}\nend`);
    expect(out.text).toBe('key:\n[REDACTED:private-key]\nend');
    const cut = redactSecrets(`oops -----BEGIN OPENSSH PRIVATE KEY-----\n${PLANTED_SECRETS['privateKeyBody']}`);
    expect(cut.text).toBe('oops [REDACTED:private-key]');
  });

  it('keeps the key name of an assignment and masks only its value', () => {
    expect(redactSecrets('DATABASE_PASSWORD=hunter2hunter2').text).toBe('DATABASE_PASSWORD=[REDACTED:password]');
    expect(redactSecrets('{"api_key": "q8w7e6r5t4y3u2i1"}').text).toBe('{"api_key": "[REDACTED:secret]"}');
    expect(redactSecrets('Authorization: Bearer abcdefghijklmnop0123456789').text).toBe(
      'Authorization: Bearer [REDACTED:authorization]',
    );
    expect(redactSecrets('postgres://app:s3cr3t-pw@db:5432/x').text).toBe('postgres://app:[REDACTED:password]@db:5432/x');
  });

  it('leaves ordinary text, numbers and profile fields alone', () => {
    for (const text of [
      'hard_tokens: 16000000',
      'token budget reached: 2000 of 1000 tokens used',
      'password: required',
      'secret: ${MY_SECRET}',
      'task tk_22222223 done; fence 3; artifact af_2222222a',
      'the tokenizer splits words',
      'sk-short',
    ]) {
      expect(redactSecrets(text)).toEqual({ text, count: 0, kinds: [] });
    }
  });

  it('is idempotent: redacting twice changes nothing more', () => {
    const once = redactSecrets(`a ${PLANTED_SECRETS['openai']} b token=${PLANTED_SECRETS['stripe']}`).text;
    expect(redactSecrets(once)).toEqual({ text: once, count: 0, kinds: [] });
  });

  it('never lets a planted secret survive, whatever surrounds it (property)', () => {
    const secrets = [...Object.values(PLANTED_SECRETS).filter((s) => s !== PLANTED_SECRETS['privateKeyBody']), PRIVATE_KEY];
    const filler = fc.string({ unit: fc.constantFrom(' ', '\n', 'a', 'Z', '0', ':', '=', '"', ',', '.', '-', '_', '/'), maxLength: 40 });
    fc.assert(
      fc.property(filler, fc.constantFrom(...secrets), filler, (before, secret, after) => {
        const out = redactSecrets(`${before} ${secret} ${after}`);
        expect(out.text).not.toContain(secret);
        expect(out.text).not.toContain(PLANTED_SECRETS['privateKeyBody']);
        expect(out.count).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 1_000, seed: 20_261_124 },
    );
  });

  it('handles a megabyte of text in linear time', () => {
    const big = `${'lorem ipsum token: '.repeat(40_000)}${PLANTED_SECRETS['github']}`;
    const out = redactSecrets(big);
    expect(out.text.endsWith('[REDACTED:github-token]')).toBe(true);
  });
});

// Secrets of the kinds the hardening review found surviving, joined from parts at run time so no
// literal credential sits in the repository. None is real.
const part = (...parts: string[]): string => parts.join('');
const BODY36 = 'Q7szhEHuc1ngyyzJesud0x9KpLm3RtVw8bNa';
const AWS_SECRET = part('wJalrXUtnFEMI/K7MDENG', '/bPxRfiCYzq3Xa9L2mKEY');

describe('redactSecrets on the kinds that used to survive', () => {
  it.each([
    ['an AWS secret key in a credentials CSV line', `ci-user,,${part('AKIA', 'Q3ZT7RKXW2MN4P5L')},${AWS_SECRET},https://1.signin.aws.amazon.com/console`, AWS_SECRET],
    ['a URL password holding a raw @', 'postgres://app:pa55@word@db.internal:5432/x', 'pa55@word'],
    ['a URL password with an empty user', 'redis://:Zq8vR2mKx9LpT4wN@cache:6379/0', 'Zq8vR2mKx9LpT4wN'],
    ['an npm token', `//registry.npmjs.org/:_authToken=${part('npm', '_', BODY36)}`, part('npm', '_', BODY36)],
    ['a GitHub token', `rotate ${part('gh', 'p_', BODY36)}`, part('gh', 'p_', BODY36)],
  ])('masks %s', (_name, text, secret) => {
    const out = redactSecrets(text).text;
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED:');
  });

  it('keeps the user and host of a URL whose password it masks', () => {
    expect(redactSecrets('redis://:Zq8vR2mKx9LpT4wN@cache:6379/0').text).toBe('redis://:[REDACTED:password]@cache:6379/0');
    expect(redactSecrets('postgres://app:pa55@word@db:5432/x').text).toBe('postgres://app:[REDACTED:password]@db:5432/x');
  });
});

describe('redactSecrets on paths', () => {
  it('masks a random segment inside a path, and a secret that only looks like one', () => {
    const key = 'Zq8vR2mKx9LpT4wNb7Yc3Hd6Jf1Gs5Qe';
    expect(redactSecrets(`/srv/keys/${key}/config`).text).toBe('/srv/keys/[REDACTED:random-secret]/config');
    expect(redactSecrets(`/srv/${key}/and/${key}/config`)).toEqual({
      text: '/srv/[REDACTED:random-secret]/and/[REDACTED:random-secret]/config',
      count: 2,
      kinds: ['random-secret'],
    });
    // A base64 run with one separator is no path of plain folders.
    expect(redactSecrets(`k=/${key}`).count).toBe(1);
  });
});

describe('redactSecrets on everyday text', () => {
  it.each([
    'tokenizer=cl100k_base',
    'PWD=/home/runner/work/app',
    'credential.helper=osxkeychain',
    'api_key_env=OPENAI_API_KEY',
    'Token refresh-handler-implementation',
    'Basic configuration/installation/guide',
    'sk-learn-compatible-estimator',
    'git checkout 9fceb02d0ae598e95dc970b74767f19372d61af8',
    'class OAuth2AuthorizedClientService implements AuthorizedClientRepository',
    'secret = secrets.token_urlsafe(32)',
    // Paths with a random folder name (mkdtemp's suffix, a team id) are paths, not secrets.
    'the log file /tmp/stdio-x8Kq2LmZ/plain-file/server.log cannot be written',
    '{"db":"/tmp/codex-team-e2e-myDOcA/home/team.db"}',
    'see ~/.codex-team/runs/tm_62uzzc3qciu3v5jm/implementer-2.log',
  ])('leaves %j alone', (text) => {
    expect(redactSecrets(text)).toEqual({ text, count: 0, kinds: [] });
  });
});

describe('redactDeep', () => {
  it('masks strings at any depth, keeps skipped keys, and counts kinds', () => {
    const input = {
      body: `use ${PLANTED_SECRETS['openai']}`,
      ticket: PLANTED_SECRETS['ticket'],
      nested: [{ note: `aws ${PLANTED_SECRETS['aws']}` }, 3, null, true],
    };
    const out = redactDeep(input, ['ticket']);
    expect(out.value).toEqual({
      body: 'use [REDACTED:openai-key]',
      ticket: PLANTED_SECRETS['ticket'],
      nested: [{ note: 'aws [REDACTED:aws-access-key]' }, 3, null, true],
    });
    expect(out.count).toBe(2);
    expect(out.kinds).toEqual(['aws-access-key', 'openai-key']);
    expect(containsSecret(JSON.stringify(out.value))).toBe(true);
    expect(containsSecret(JSON.stringify(redactDeep(input).value))).toBe(false);
  });

  it('keeps a key named __proto__ as a key, never as the prototype of the copy', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "body": "x"}') as Record<string, unknown>;
    const out = redactDeep(input).value;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'body']);
  });
});
