/**
 * Secret redaction: the one place that decides what a secret looks like. Message bodies, artifact
 * contents and every other text an agent sends are masked with it before they are stored (when the
 * team's profile has guardrails.redact_secrets), and logs and replay output always go through it.
 * Patterns are linear-time (no nested quantifiers), so a 1 MiB artifact cannot stall the server.
 */

/** What a masked secret is replaced with: `[REDACTED:<kind>]`. */
export const REDACTED_PREFIX = '[REDACTED:';

interface SecretPattern {
  kind: string;
  pattern: RegExp;
  /** Replacement for a match; the default masks the whole match. */
  replace?: (match: string, ...groups: string[]) => string;
}

const mask = (kind: string): string => `${REDACTED_PREFIX}${kind}]`;

// Words that, before "=" or ":", announce a credential ("API_KEY=...", "password: ...").
const SECRET_KEY =
  String.raw`[A-Za-z0-9_.-]*(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|pwd|credential|private[_-]?key|access[_-]?key|authorization)[A-Za-z0-9_.-]*`;

/** Values after a credential key that are clearly not secrets: numbers, booleans, placeholders. */
function looksLikeSecretValue(value: string): boolean {
  if (value.length < 8) return false;
  if (/^\d+$/.test(value)) return false;
  if (/^(?:true|false|null|none|undefined|required|optional|example|changeme)$/i.test(value)) return false;
  if (value.startsWith(REDACTED_PREFIX) || /^(?:\$\{?[A-Z_]+\}?|<[^>]*>)$/.test(value)) return false;
  return true;
}

// Order matters: specific token formats first, then the generic "key = value" rule.
const PATTERNS: readonly SecretPattern[] = [
  {
    kind: 'private-key',
    pattern: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  { kind: 'openai-key', pattern: /\bsk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{20,}/g },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'stripe-key', pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'ticket', pattern: /\b(?:join|resume)_[a-z2-7]{32,64}\b/g },
  {
    kind: 'bearer-token',
    pattern: /\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/=-]{16,})/g,
    replace: (_match, scheme, space) => `${scheme}${space}${mask('bearer-token')}`,
  },
  {
    kind: 'url-credentials',
    pattern: /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s:/@]{1,256}):([^\s/@]{1,256})@/gi,
    replace: (_match, scheme, user) => `${scheme}${user}:${mask('password')}@`,
  },
  {
    kind: 'assigned-secret',
    pattern: new RegExp(String.raw`\b(${SECRET_KEY})(["']?\s*[:=]\s*)(["']?)([^\s"',;]{1,4096})`, 'gi'),
    replace: (match, key, separator, quote, value) =>
      looksLikeSecretValue(value) ? `${key}${separator}${quote}${mask('secret')}` : match,
  },
];

export interface Redaction {
  text: string;
  /** How many secrets were masked. */
  count: number;
  /** Their kinds, for logs (never the secrets themselves). */
  kinds: string[];
}

/** Masks every secret found in `text`. Pure. */
export function redactSecrets(text: string): Redaction {
  let out = text;
  let count = 0;
  const kinds = new Set<string>();
  for (const { kind, pattern, replace } of PATTERNS) {
    out = out.replace(pattern, (match: string, ...rest: unknown[]) => {
      const groups = rest.filter((part): part is string => typeof part === 'string');
      const replaced = replace === undefined ? mask(kind) : replace(match, ...groups);
      if (replaced !== match) {
        count += 1;
        kinds.add(kind);
      }
      return replaced;
    });
  }
  return { text: out, count, kinds: [...kinds].sort() };
}

/** True when `text` holds something redactSecrets would mask. */
export function containsSecret(text: string): boolean {
  return redactSecrets(text).count > 0;
}

export interface DeepRedaction<T> {
  value: T;
  count: number;
  kinds: string[];
}

/**
 * Masks secrets in every string of a JSON-like value (objects, arrays, strings), returning a copy.
 * Keys listed in `skipKeys` keep their values (tickets: they are credentials for codex-team itself,
 * hashed before storage and never logged). Keys are not redacted, only values.
 */
export function redactDeep<T>(value: T, skipKeys: readonly string[] = []): DeepRedaction<T> {
  let count = 0;
  const kinds = new Set<string>();
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const r = redactSecrets(node);
      count += r.count;
      r.kinds.forEach((kind) => kinds.add(kind));
      return r.text;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
        out[key] = skipKeys.includes(key) ? child : walk(child);
      }
      return out;
    }
    return node;
  };
  const redacted = walk(value) as T;
  return { value: redacted, count, kinds: [...kinds].sort() };
}
