import { existsSync, readFileSync } from 'node:fs';

/**
 * Fake secrets with real shapes, one per place a test plants them, so a leak names its source.
 * None of them is a live credential.
 */
export const PLANTED = {
  objective: 'sk-proj-Objective0123456789abcdefABCDEF',
  title: 'ghp_TitleToken0123456789abcdefABCDEFghij',
  description: 'AKIAIOSFODNN7DESCRIP',
  progress: 'xoxb-1234567890-progress-AbCdEfGhIjKl',
  result: 'eyJhbGciOiJIUzI1NiJ9.eyJyZXN1bHQiOiJ5ZXMifQ.c2lnbmF0dXJlLXJlc3VsdA',
  body: 'sk-ant-api03-MessageBody0123456789abcdef',
  idempotency: 'sk_live_Idempotency0123456789ab',
  privateKeyBody: 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNmPrivateKeyBody',
  password: 'Sup3rS3cretDbPassw0rd',
  reason: 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3nReason',
  summary: 'github_pat_11ABCDEFG0123456789_summaryabcdefghij',
  // The kinds the hardening review found surviving, joined from parts so no literal credential
  // sits in the repository (none is real).
  awsCsvSecret: ['wJalrXUtnFEMI/K7MDENG', '/bPxRfiCYzq3Xa9L2mKEY'].join(''),
  urlAtPassword: ['p4ss', '@', 'w0rd-Q9'].join(''),
  redisPassword: ['Zq8vR2mK', 'x9LpT4wN'].join(''),
  npmToken: ['npm', '_', 'Q7szhEHuc1ngyyzJesud0x9KpLm3RtVw8bNa'].join(''),
} as const;

/** An artifact holding a private key and a credential assignment. */
export const PLANTED_ARTIFACT = [
  '# deploy notes',
  '-----BEGIN RSA PRIVATE KEY-----',
  PLANTED.privateKeyBody,
  'AbCdEf==',
  '-----END RSA PRIVATE KEY-----',
  `DATABASE_PASSWORD=${PLANTED.password}`,
  'User name,Password,Access key ID,Secret access key',
  `deploy-bot,,${['AKIA', 'Q3ZT7RKXW2MN4P5L'].join('')},${PLANTED.awsCsvSecret}`,
].join('\n');

/** The planted secrets found in `text`, by place. */
export function secretsIn(text: string): string[] {
  return Object.entries(PLANTED)
    .filter(([, secret]) => text.includes(secret))
    .map(([place]) => place);
}

/**
 * The raw bytes of a SQLite store and its WAL and shared-memory files, as text. Read only after
 * every process using it has closed: SQLite files are never touched while open.
 */
export function rawStoreText(dbPath: string): string {
  return ['', '-wal', '-shm']
    .map((suffix) => `${dbPath}${suffix}`)
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString('latin1'))
    .join('\n');
}
