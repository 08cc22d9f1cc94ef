import {
  isCodeExpression,
  isEnvVarName,
  isNumberLike,
  isPathLike,
  isPlaceholder,
  looksLikeKeyValue,
  looksLikePassword,
  looksRandom,
  looksRandomBody,
} from './secret-shape';

/** What a masked secret is replaced with: `[REDACTED:<kind>]`. */
export const REDACTED_PREFIX = '[REDACTED:';

/** The mask of one secret of `kind`. */
export const mask = (kind: string): string => `${REDACTED_PREFIX}${kind}]`;

/**
 * One redaction rule. `pattern` is global and linear-time (no nested quantifiers). A rule either
 * masks its whole match (when `accept`, if given, agrees), or computes the replacement itself with
 * `replace` (returning the match unchanged when it finds nothing to mask).
 */
export interface SecretRule {
  kind: string;
  pattern: RegExp;
  /** Literal substrings of which the text must hold one for the rule to run: a cheap prefilter. */
  hints?: readonly string[];
  accept?: (match: string) => boolean;
  replace?: (match: string, groups: readonly (string | undefined)[]) => string;
}

/**
 * Provider formats: a fixed prefix or structure that only a credential has. One line per format,
 * most from the formats the providers document (and that gitleaks and secretlint also detect).
 */
const PROVIDER_RULES: readonly SecretRule[] = [
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[0-9A-Z]{16}\b/g },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})/g, hints: ['gh', 'github_pat_'] },
  {
    kind: 'gitlab-token',
    pattern: /\bgl(?:pat|dt|ptt|rt|soat|cbt|imt|agent|oas|ft|wt|ffct)-[A-Za-z0-9_-]{20,255}/g,
    hints: ['gl'],
  },
  { kind: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, hints: ['npm_'] },
  { kind: 'pypi-token', pattern: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/g, hints: ['pypi-'] },
  { kind: 'slack-token', pattern: /\bxox[abposrce]-[A-Za-z0-9-]{10,255}/g, hints: ['xox'] },
  { kind: 'slack-token', pattern: /\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{32,}/g, hints: ['xapp-'] },
  {
    kind: 'slack-webhook',
    pattern: /\bhooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,}/g,
    hints: ['hooks.slack.com'],
  },
  { kind: 'stripe-key', pattern: /\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{16,255}/g, hints: ['k_live_', 'k_test_', 'k_prod_'] },
  { kind: 'stripe-key', pattern: /\bwhsec_[A-Za-z0-9+/=]{24,}/g, hints: ['whsec_'] },
  { kind: 'anthropic-key', pattern: /\bsk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{20,255}/g, hints: ['sk-ant-'] },
  { kind: 'openai-key', pattern: /\bsk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,255}/g, hints: ['sk-'] },
  {
    // Legacy and unprefixed `sk-` keys; a hyphenated phrase such as sk-learn-compatible-estimator is no key.
    kind: 'openai-key',
    pattern: /\bsk-[A-Za-z0-9_-]{20,255}/g,
    hints: ['sk-'],
    accept: (match) => looksRandomBody(match.slice(3)),
  },
  { kind: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g, hints: ['AIza'] },
  { kind: 'google-oauth-secret', pattern: /\bGOCSPX-[A-Za-z0-9_-]{28}/g, hints: ['GOCSPX-'] },
  { kind: 'google-oauth-token', pattern: /\bya29\.[0-9A-Za-z_-]{20,}/g, hints: ['ya29.'] },
  { kind: 'google-oauth-token', pattern: /(?<![A-Za-z0-9])1\/\/0[0-9A-Za-z_-]{30,}/g, hints: ['1//0'] },
  { kind: 'azure-client-secret', pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g, hints: ['Q~'] },
  { kind: 'sendgrid-key', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g, hints: ['SG.'] },
  { kind: 'twilio-key', pattern: /\bSK[0-9a-fA-F]{32}\b/g, hints: ['SK'] },
  { kind: 'mailgun-key', pattern: /\bkey-[0-9a-f]{32}\b/g, hints: ['key-'] },
  { kind: 'mailchimp-key', pattern: /\b[0-9a-f]{32}-us\d{1,2}\b/g, hints: ['-us'] },
  { kind: 'shopify-token', pattern: /\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b/g, hints: ['shp'] },
  { kind: 'huggingface-token', pattern: /\bhf_[A-Za-z0-9]{30,40}\b/g, hints: ['hf_'], accept: (match) => looksRandomBody(match.slice(3)) },
  {
    kind: 'discord-token',
    pattern: /\b[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}\b/g,
    accept: (match) => looksRandomBody(match.slice(0, match.indexOf('.'))),
  },
  {
    kind: 'discord-webhook',
    pattern: /\bdiscord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{60,}/g,
    hints: ['discord'],
  },
  { kind: 'telegram-token', pattern: /(?<!\d)\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/g, hints: [':AA'] },
  { kind: 'digitalocean-token', pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/g, hints: ['_v1_'] },
  { kind: 'databricks-token', pattern: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g, hints: ['dapi'] },
  { kind: 'doppler-token', pattern: /\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}\b/g, hints: ['dp.'] },
  { kind: 'vault-token', pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/g, hints: ['hvs.', 'hvb.', 'hvr.'] },
  { kind: 'terraform-token', pattern: /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}/g, hints: ['.atlasv1.'] },
  { kind: 'linear-key', pattern: /\blin_(?:api|oauth)_[A-Za-z0-9]{40}\b/g, hints: ['lin_'] },
  { kind: 'docker-token', pattern: /\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}/g, hints: ['dckr_'] },
  { kind: 'figma-token', pattern: /\bfig[dur]_[A-Za-z0-9_-]{40,}/g, hints: ['fig'] },
  { kind: 'grafana-token', pattern: /\b(?:glc_eyJ[A-Za-z0-9+/=_-]{30,}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})/g, hints: ['glc_', 'glsa_'] },
  { kind: 'sentry-token', pattern: /\bsntry[su]_[A-Za-z0-9+/=_-]{30,}/g, hints: ['sntry'] },
  { kind: 'newrelic-key', pattern: /\bNR(?:AK|AA|II)-[A-Z0-9]{27}\b/g, hints: ['NR'] },
  { kind: 'atlassian-token', pattern: /\bATATT3[A-Za-z0-9_=-]{100,}/g, hints: ['ATATT3'] },
  { kind: 'postman-key', pattern: /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/g, hints: ['PMAK-'] },
  { kind: 'supabase-key', pattern: /\b(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,})/g, hints: ['sbp_', 'sb_secret_'] },
  { kind: 'groq-key', pattern: /\bgsk_[A-Za-z0-9]{48,}/g, hints: ['gsk_'] },
  { kind: 'xai-key', pattern: /\bxai-[A-Za-z0-9]{60,}/g, hints: ['xai-'] },
  { kind: 'replicate-token', pattern: /\br8_[A-Za-z0-9]{37}\b/g, hints: ['r8_'] },
  { kind: 'perplexity-key', pattern: /\bpplx-[A-Za-z0-9]{40,}/g, hints: ['pplx-'] },
  { kind: 'age-secret-key', pattern: /\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b/g, hints: ['AGE-SECRET-KEY-'] },
  { kind: 'onepassword-token', pattern: /\bops_eyJ[A-Za-z0-9+/=_-]{100,}/g, hints: ['ops_'] },
  { kind: 'alibaba-key', pattern: /\bLTAI[A-Za-z0-9]{20}\b/g, hints: ['LTAI'] },
  { kind: 'heroku-key', pattern: /\bHRKU-AA[0-9a-zA-Z_-]{58}\b/g, hints: ['HRKU-'] },
  { kind: 'square-token', pattern: /\bsq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}/g, hints: ['sq0'] },
  { kind: 'facebook-token', pattern: /\bEAA[BCGI][A-Za-z0-9]{80,}/g, hints: ['EAA'] },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, hints: ['eyJ'] },
  // codex-team's own join and resume tickets, wherever they are quoted.
  { kind: 'ticket', pattern: /\b(?:join|resume)_[a-z2-7]{32,64}\b/g, hints: ['join_', 'resume_'] },
];

const PRIVATE_KEY_RULE: SecretRule = {
  kind: 'private-key',
  pattern: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  hints: ['-----BEGIN'],
};

/** The words a key (`DATABASE_PASSWORD`, `clientSecret`, `x-api-key`) is made of, lower-cased. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

const PASSWORD_WORDS = new Set(['password', 'passwd', 'passphrase', 'passcode']);
const SHORT_PASSWORD_WORDS = new Set(['pass', 'pwd', 'pw']);
const SECRET_WORDS = new Set(['secret', 'token', 'apikey', 'credential', 'credentials', 'auth', 'authtoken', 'accesstoken', 'sig', 'cookie']);
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'signing', 'encryption', 'master', 'account', 'client', 'app', 'auth',
  'license', 'service', 'storage', 'subscription', 'webhook', 'session', 'shared', 'consumer', 'sas', 'primary', 'secondary',
]);

const CREDENTIAL_HINT = /pass|pw|secret|token|key|auth|credential|sig|cookie/i;

/** What a key announces: a password, another kind of secret, or nothing. */
export function keyKind(key: string): 'password' | 'secret' | null {
  // Most keys of a text name no credential: a cheap look before splitting the key into words.
  if (!CREDENTIAL_HINT.test(key)) return null;
  const words = keyWords(key);
  const last = words.at(-1);
  const previous = words.at(-2);
  if (last === undefined) return null;
  if (PASSWORD_WORDS.has(last)) return 'password';
  // `PWD` alone is the shell's working directory; `DB_PWD` is a password.
  if (SHORT_PASSWORD_WORDS.has(last) && previous !== undefined) return 'password';
  if (SECRET_WORDS.has(last)) return 'secret';
  if (last === 'key' && previous !== undefined && KEY_QUALIFIERS.has(previous)) return 'secret';
  return null;
}

const hasDigitOrSymbol = (value: string): boolean => /[0-9]|[^A-Za-z0-9\s]/.test(value);

/**
 * Whether `value`, assigned to a key of `kind`, is a secret to mask. A quoted value is a literal; a
 * bare one may be code (`password = userinfo.slice(1)`), so it must not read as code, and a bare
 * password needs a digit or a symbol (`password = userInput` names a variable).
 */
function assignedSecret(kind: 'password' | 'secret', value: string, quoted: boolean): boolean {
  if (value.startsWith(REDACTED_PREFIX)) return false;
  if (!quoted && isCodeExpression(value)) return false;
  if (kind === 'password') return looksLikePassword(value) && (quoted || hasDigitOrSymbol(value));
  return looksLikeKeyValue(value);
}

const trimValue = (value: string): string => value.replace(/[)\]}>.,;:!?]+$/, '');

/**
 * Context rules: a secret announced by what surrounds it. They run after the provider formats, so
 * a provider token in an assignment is already masked with its own kind.
 */
const CONTEXT_RULES: readonly SecretRule[] = [
  {
    // scheme://user:password@host: the userinfo ends at the LAST @ before the host, so a raw @ (or
    // # or ?) in the password is masked too; an empty user (redis://:pw@host) is no exception.
    kind: 'url-credentials',
    pattern: /\b([a-z][a-z0-9+.-]{1,30}:\/\/)([^\s/"'<>`]{1,1024})/gi,
    hints: ['://'],
    replace: (match, [scheme = '', authority = '']) => {
      const at = authority.lastIndexOf('@');
      if (at <= 0 || !/^[A-Za-z0-9.-]*(?::\d*)?(?:[?#].*)?$/.test(authority.slice(at + 1))) return match;
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(':');
      const user = userinfo.slice(0, Math.max(colon, 0));
      if (colon === -1 || /[?#]/.test(user)) return match;
      const password = userinfo.slice(colon + 1);
      if (password === '' || password.startsWith(REDACTED_PREFIX) || isPlaceholder(password)) return match;
      return `${scheme}${user}:${mask('password')}${authority.slice(at)}`;
    },
  },
  {
    // Authorization / Proxy-Authorization headers: after a scheme, any credential; with no scheme,
    // one that looks like a key (so `authorization: CallAuthorization` in code stays).
    kind: 'authorization',
    pattern: /\b((?:Proxy-)?Authorization["']?\s*[:=]\s*["']?)(?:(Bearer|Basic|Token|Digest|Bot|Negotiate|AWS4-HMAC-SHA256)(\s+))?([^\s"',;]{8,4096})/gi,
    hints: ['uthorization', 'UTHORIZATION'],
    replace: (match, [head = '', scheme, space = '', credential = '']) => {
      if (credential.startsWith(REDACTED_PREFIX) || isPlaceholder(credential) || credential.startsWith('${')) return match;
      if (scheme === undefined && !(looksLikeKeyValue(credential) && !isCodeExpression(credential))) return match;
      return `${head}${scheme ?? ''}${space}${mask('authorization')}`;
    },
  },
  {
    // A bare scheme and credential (`Bearer <token>`): masked only when the credential looks like one.
    kind: 'bearer-token',
    pattern: /\b(Bearer|Token|Bot)(\s+)([A-Za-z0-9._~+/=-]{16,4096})/g,
    hints: ['Bearer', 'Token', 'Bot'],
    replace: (match, [scheme = '', space = '', credential = '']) =>
      looksRandom(credential, 16) || /^eyJ/.test(credential) ? `${scheme}${space}${mask('bearer-token')}` : match,
  },
  {
    kind: 'basic-auth',
    pattern: /\b(Basic)(\s+)([A-Za-z0-9+/]{8,4096}={0,2})(?![A-Za-z0-9+/=])/g,
    hints: ['Basic'],
    replace: (match, [scheme = '', space = '', credential = '']) =>
      isBasicCredential(credential) ? `${scheme}${space}${mask('basic-auth')}` : match,
  },
  {
    // curl -u user:password, and the like.
    kind: 'password',
    pattern: /(\s-u\s+|--user[= ])([^\s:'"]{1,256}):([^\s'"]{1,256})/g,
    hints: ['-u ', '--user'],
    replace: (match, [flag = '', user = '', password = '']) =>
      looksLikePassword(trimValue(password)) && hasDigitOrSymbol(trimValue(password))
        ? `${flag}${user}:${mask('password')}${password.slice(trimValue(password).length)}`
        : match,
  },
  {
    // key = value, key: value, "key": "value", key => value, --key=value, in code, config and prose.
    kind: 'assigned-secret',
    pattern: /(?<![A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_.-]{0,127})(["']?\s*(?::=|=>|[:=])\s*)(?:(["'`])([^"'`\n]{1,1024})\3|([^\s"'`,;&]{1,1024}))/g,
    replace: (match, [key = '', separator = '', quote, quoted, bare]) => {
      const kind = keyKind(key);
      if (kind === null) return match;
      const raw = quoted ?? trimValue(bare ?? '');
      if (!assignedSecret(kind, raw, quote !== undefined)) return match;
      const masked = mask(kind === 'password' ? 'password' : 'secret');
      if (quote !== undefined) return `${key}${separator}${quote}${masked}${quote}`;
      return `${key}${separator}${masked}${(bare ?? '').slice(raw.length)}`;
    },
  },
  {
    // Prose: "the password is Tr0ub4dor&3", "password hunter2!", ".netrc: password s3cr3t", "--token abc".
    kind: 'phrased-secret',
    pattern: /\b(pass(?:word|phrase|wd|code)|api[ _-]?key|access[ _-]token|token|secret)((?:\s+(?:is|was|of)|\s*[=:])?\s+)(["']?)([^\s"']{6,1024})/gi,
    replace: (match, [word = '', separator = '', quote = '', value = '']) => {
      const raw = trimValue(value);
      if (raw.startsWith(REDACTED_PREFIX)) return match;
      const password = /^pass/i.test(word);
      const secret = password
        ? looksLikePassword(raw) && hasDigitOrSymbol(raw) && !isEnvVarName(raw) && !isNumberLike(raw) && !isPathLike(raw)
        : looksLikeKeyValue(raw) && (quote !== '' || !isCodeExpression(raw));
      return secret ? `${word}${separator}${quote}${mask(password ? 'password' : 'secret')}${value.slice(raw.length)}` : match;
    },
  },
];

/** A Basic credential: base64 of `user:password` in printable text, or a random-looking blob. */
function isBasicCredential(credential: string): boolean {
  try {
    if (/^[\x20-\x7e]+:[\x20-\x7e]+$/.test(atob(credential))) return true;
  } catch {
    // Not base64 at all: judged by its shape alone.
  }
  return looksRandom(credential, 16);
}

// Base64 runs that are checksums or public material by their context: SRI and go.sum hashes, data
// URIs, SSH public keys.
const NOT_SECRET_BEFORE = /(?:sha(?:1|256|384|512)-|;base64,|\bh1:|(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d{3}|sk-ssh-ed25519@openssh\.com) )$/;

/**
 * The last resort, with no keyword and no known prefix: a run of 20 or more base64 characters that
 * is random by shape (an AWS secret key in a credentials CSV, a bare API key); `=` only as base64
 * padding, so `KEY=value` is two runs. Public PEM blocks
 * (certificates, public keys), SRI hashes and data URIs are left as they are.
 */
export const RANDOM_TOKEN_PATTERN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,4096}={0,2}(?![A-Za-z0-9+/=_-])/g;

/**
 * The segments of a candidate that is a file path: it starts at a `/` (or right after `~` or `.`)
 * and has two or more separators (`/tmp/stdio-x8Kq2L/plain-file/server`, `~/.codex-team/runs/x`).
 * Null for anything else.
 */
function pathSegments(text: string, candidate: string, offset: number): string[] | null {
  const rooted = candidate.startsWith('/') || text[offset - 1] === '~' || text[offset - 1] === '.';
  const segments = candidate.split('/');
  return rooted && segments.length >= 3 ? segments : null;
}

/**
 * Whether a path segment is random: a part of it between `-`, `_` and `.` is. A word with a random
 * suffix (mkdtemp's `codex-team-e2e-myDOcA`) or a team id is a folder name; a key is one long part.
 */
function isRandomSegment(segment: string): boolean {
  return segment.split(/[-_.]/).some((part) => looksRandom(part, 16));
}

/**
 * The candidate at `offset` of `text` with its random secret masked, and how many were: the whole
 * run, or in a file path only its random segments, since a random folder name lifts the whole
 * run's entropy but a secret in a path is one segment. Null when nothing in it is a secret.
 */
export function maskRandomSecretAt(text: string, candidate: string, offset: number, publicBlocks: readonly [number, number][]): { masked: string; count: number } | null {
  if (!looksRandom(candidate) || /^sha(?:1|256|384|512)-/.test(candidate)) return null;
  if (NOT_SECRET_BEFORE.test(text.slice(Math.max(0, offset - 40), offset))) return null;
  if (publicBlocks.some(([start, end]) => offset >= start && offset < end)) return null;
  const segments = pathSegments(text, candidate, offset);
  if (segments === null) return { masked: mask('random-secret'), count: 1 };
  let count = 0;
  const masked = segments.map((segment) => {
    if (!isRandomSegment(segment)) return segment;
    count += 1;
    return mask('random-secret');
  });
  return count === 0 ? null : { masked: masked.join('/'), count };
}

/** Where `text` holds public PEM blocks (certificates, public keys), as [start, end) ranges. */
export function publicPemBlocks(text: string): [number, number][] {
  if (!text.includes('-----BEGIN')) return [];
  const blocks: [number, number][] = [];
  for (const found of text.matchAll(/-----BEGIN ((?:[A-Z0-9]+ )*(?:CERTIFICATE|PUBLIC KEY|CERTIFICATE REQUEST|X509 CRL))-----[\s\S]*?-----END \1-----/g)) {
    blocks.push([found.index, found.index + found[0].length]);
  }
  return blocks;
}

/** Every rule, in the order they run: private key blocks, provider formats, then context. */
export const SECRET_RULES: readonly SecretRule[] = [PRIVATE_KEY_RULE, ...PROVIDER_RULES, ...CONTEXT_RULES];
