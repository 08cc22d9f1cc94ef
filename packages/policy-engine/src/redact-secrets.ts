/**
 * Secret redaction: the one engine that decides what a secret looks like. Every text an agent
 * sends is masked with it before it is stored (when the team's profile has
 * guardrails.redact_secrets), and tool answers, logs, the CLI and the HTML report go through it on
 * the way out. It detects secrets by structure, not by a keyword alone: private key blocks, the
 * documented formats of common providers, credentials in URLs and headers, values assigned to
 * credential keys when the value itself looks like one, and, with no context at all, random-looking
 * runs of base64 (see secret-rules.ts and secret-shape.ts; docs/security.md says how to add a rule).
 * Every pattern is linear-time, so a 1 MiB artifact cannot stall the server.
 */
import {
  RANDOM_TOKEN_PATTERN,
  SECRET_RULES,
  mask,
  maskRandomSecretAt,
  publicPemBlocks,
  type SecretRule,
} from './secret-rules';

export { REDACTED_PREFIX } from './secret-rules';

export interface Redaction {
  text: string;
  /** How many secrets were masked. */
  count: number;
  /** Their kinds, for logs (never the secrets themselves). */
  kinds: string[];
}

const applies = (rule: SecretRule, text: string): boolean => rule.hints === undefined || rule.hints.some((hint) => text.includes(hint));

/** Masks every secret found in `text`. Pure and idempotent: masked text has nothing left to mask. */
export function redactSecrets(text: string): Redaction {
  let out = text;
  let count = 0;
  const kinds = new Set<string>();
  const masked = (kind: string, n = 1): void => {
    count += n;
    kinds.add(kind);
  };
  for (const rule of SECRET_RULES) {
    if (!applies(rule, out)) continue;
    out = out.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
      if (rule.replace !== undefined) {
        // replace() passes the groups, then the offset and the whole string: keep the groups only.
        const groups = rest.slice(0, -2) as (string | undefined)[];
        const replaced = rule.replace(match, groups);
        if (replaced !== match) masked(rule.kind);
        return replaced;
      }
      if (rule.accept !== undefined && !rule.accept(match)) return match;
      masked(rule.kind);
      return mask(rule.kind);
    });
  }
  const publicBlocks = publicPemBlocks(out);
  out = out.replace(RANDOM_TOKEN_PATTERN, (candidate: string, offset: number, whole: string) => {
    const found = maskRandomSecretAt(whole, candidate, offset, publicBlocks);
    if (found === null) return candidate;
    masked('random-secret', found.count);
    return found.masked;
  });
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
      // fromEntries defines own properties: a key named __proto__ stays a key, never a prototype.
      return Object.fromEntries(
        Object.entries(node as Record<string, unknown>).map(([key, child]) => [key, skipKeys.includes(key) ? child : walk(child)]),
      );
    }
    return node;
  };
  const redacted = walk(value) as T;
  return { value: redacted, count, kinds: [...kinds].sort() };
}
