/**
 * The one input normaliser: every tool call's raw arguments, exactly as JSON parsing made them,
 * pass through it before the tool's schema and any handler. It refuses what a schema cannot see or
 * would let through altered:
 * - own keys named `__proto__`, `constructor` or `prototype`, at any depth. JSON.parse makes
 *   `__proto__` an ordinary own key, which the SDK's request parsing silently dropped, and which an
 *   object spread or assignment further on would turn into a prototype;
 * - lone UTF-16 surrogates in any string or key: SQLite stores text as UTF-8, which cannot hold
 *   them, so they would come back as U+FFFD, changing titles, bodies and artifact contents (and
 *   their checksums) without a word.
 * Unknown keys of any other name are refused by the tools' strict schemas.
 */

/** Keys no argument object may hold, whatever the tool. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Why the arguments were refused, naming the field (`tasks.0.title`; `(arguments)` for the root). */
export interface InputProblem {
  rule: 'input:forbidden-key' | 'input:lone-surrogate';
  field: string;
  reason: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds a lone UTF-16 surrogate (is not well-formed Unicode). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

const fieldName = (path: readonly (string | number)[]): string => (path.length === 0 ? '(arguments)' : path.join('.'));

/** A printable form of a key that may itself hold a lone surrogate. */
const printableKey = (key: string): string => JSON.stringify(key.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD'));

/**
 * The first problem of the raw arguments, depth first in key order, or null when they are clean.
 * Pure; walks every value once.
 */
export function findInputProblem(raw: unknown): InputProblem | null {
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: raw, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: (string | number)[] };
    if (typeof node === 'string') {
      if (hasLoneSurrogate(node)) {
        return {
          rule: 'input:lone-surrogate',
          field: fieldName(path),
          reason: `${fieldName(path)} holds a lone UTF-16 surrogate, which cannot be stored as text; send well-formed Unicode`,
        };
      }
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((child, index) => [index, child])
      : Object.keys(node).map((key) => [key, (node as Record<string, unknown>)[key]]);
    for (const [key] of entries) {
      if (typeof key !== 'string') continue;
      if (FORBIDDEN_KEYS.includes(key)) {
        const field = fieldName([...path, key]);
        return { rule: 'input:forbidden-key', field, reason: `${field}: the key ${JSON.stringify(key)} is not accepted anywhere in the arguments` };
      }
      if (hasLoneSurrogate(key)) {
        const field = fieldName(path);
        return {
          rule: 'input:lone-surrogate',
          field,
          reason: `${field} has a key holding a lone UTF-16 surrogate (${printableKey(key)}); send well-formed Unicode`,
        };
      }
    }
    // Reversed, so the stack pops them in order and the first problem found is the first in the text.
    for (const [key, child] of entries.reverse()) stack.push({ node: child, path: [...path, key] });
  }
  return null;
}
