/**
 * What a secret looks like by its structure, without any keyword around it: the shape tests the
 * redaction rules (secret-rules.ts) use to tell a random credential from an ordinary word,
 * identifier, path, hash or id. Pure and linear in the length of the text.
 */

/** Shannon entropy of the characters of `text`, in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

type CharClass = 'upper' | 'lower' | 'digit' | 'other';

function classOf(char: string): CharClass {
  if (char >= 'A' && char <= 'Z') return 'upper';
  if (char >= 'a' && char <= 'z') return 'lower';
  if (char >= '0' && char <= '9') return 'digit';
  return 'other';
}

interface Composition {
  upper: number;
  lower: number;
  digit: number;
  other: number;
  /** How often two neighbours are of different classes, per character. */
  switchRate: number;
}

function composition(text: string): Composition {
  const counts: Record<CharClass, number> = { upper: 0, lower: 0, digit: 0, other: 0 };
  let switches = 0;
  let previous: CharClass | null = null;
  for (const char of text) {
    const kind = classOf(char);
    counts[kind] += 1;
    if (previous !== null && previous !== kind) switches += 1;
    previous = kind;
  }
  return { ...counts, switchRate: text.length < 2 ? 0 : switches / (text.length - 1) };
}

function longestAlnumRun(text: string): number {
  let longest = 0;
  for (const run of text.split(/[^A-Za-z0-9]+/)) longest = Math.max(longest, run.length);
  return longest;
}

const HEX_ONLY = /^(?:0x)?[0-9a-f]+$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const VOWELS = /[aeiouy]/i;

/**
 * True when `text` reads as words: split at case and digit changes (`Base64UrlEncoder` is Base, 64,
 * Url, Encoder), its letter pieces are long on average and most of its letters sit in pronounceable
 * pieces of three letters or more (a vowel, no four consonants in a row). Random base62 splits into
 * letter pieces of about two characters, few of them pronounceable.
 */
export function looksLikeWords(text: string): boolean {
  const pieces = text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? [];
  if (pieces.length === 0) return false;
  const letters = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const spoken = pieces
    .filter((piece) => piece.length >= 3 && VOWELS.test(piece) && !/[b-df-hj-np-tv-xz]{4}/i.test(piece))
    .reduce((sum, piece) => sum + piece.length, 0);
  return (letters / pieces.length >= 3.5 && spoken / letters >= 0.6) || looksLikeSeparatedWords(text);
}

// One word of a kebab- or snake-case name: `fence`, `Url`, `HTTP`, `K8s`, `v2`, `559`.
const NAME_PART = /^(?:[A-Za-z][a-z]*|[A-Z]+|\d+|[A-Za-z]{1,3}\d+[a-z]{0,2})$/;

/** `K8s-token-key-fence`, `IO_json_id_559_audit`: three or more short parts, each one a plain word. */
function looksLikeSeparatedWords(text: string): boolean {
  const parts = text.split(/[-_./]+/).filter((part) => part !== '');
  return parts.length >= 3 && parts.every((part) => part.length <= 16 && NAME_PART.test(part));
}

/**
 * True when `token` (a run of base64/base62 characters, 20 or more) looks machine-random: letters
 * mixed with digits or with both cases, a high character entropy, and no reading as words (see
 * looksLikeWords: camelCase identifiers, paths, snake_case names). Hex-only strings (commit ids,
 * checksums, addresses) and UUIDs are ids, not secrets, and never match here.
 */
export function looksRandom(token: string, minLength = 20): boolean {
  const body = token.replace(/^[=_-]+|[=_-]+$/g, '');
  if (body.length < minLength) return false;
  if (HEX_ONLY.test(body) || UUID.test(body)) return false;
  const mix = composition(body);
  const cases = (mix.upper > 0 ? 1 : 0) + (mix.lower > 0 ? 1 : 0);
  if (cases === 0 || (mix.digit === 0 && cases === 1)) return false;
  // One letter case only (base36): accept when digits are a real share of it, as in random output,
  // and a long unbroken run (a pod name such as web-7d4b9c8f6d-x2k9p is words and short hashes).
  if (cases === 1 && (mix.digit < body.length / 8 || longestAlnumRun(body) < 24)) return false;
  // n random characters have an entropy close to log2(n) bits, or to log2 of the alphabet size
  // when it is smaller; repetitive text (aaaa1111) falls well below.
  const floor = Math.min(3.6, Math.log2(body.length) - 1.2);
  // Words are told apart by case changes; a one-case string was judged by its digits above.
  return shannonEntropy(body) >= floor && (cases === 1 || !looksLikeWords(body));
}

/**
 * A shorter random-looking body after a known prefix (`sk-`, `glpat-`): digits among letters or both
 * cases, and not words, so a hyphenated phrase such as `learn-compatible-estimator` is no key.
 */
export function looksRandomBody(body: string): boolean {
  const mix = composition(body);
  const cases = (mix.upper > 0 ? 1 : 0) + (mix.lower > 0 ? 1 : 0);
  if (cases === 0 || (mix.digit === 0 && cases === 1)) return false;
  return shannonEntropy(body) >= 3 && !looksLikeWords(body);
}

const PLACEHOLDER =
  /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\{\{.*\}\}|\{\{.*\}\}|<[^>]*>|%[sd]|\*+|x{3,}|X{3,}|\.{3,}|…|(?:your|my)[_-].*|.*[_-]here|true|false|null|nil|none|undefined|required|optional|example|changeme|redacted|secret|password|token|empty|string|env|default|unset|hidden|masked)$/i;

/** `${VAR}`, `<password>`, `changeme`, `***`, `true`: a value that stands for a secret without being one. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** An environment variable's name (`OPENAI_API_KEY`), which names a secret without holding it. */
export function isEnvVarName(value: string): boolean {
  return /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value);
}

/** A file path or a plain URL path: `/home/runner/work/app`, `./secrets.env`, `~/.npmrc`, `C:\x`. */
export function isPathLike(value: string): boolean {
  return /^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value) || (/^[\w.-]+(?:\/[\w.-]+)+\/?$/.test(value) && !looksRandom(value));
}

/** A number, a version or a size: `8080`, `1.2.3`, `30s`, `16MiB`. */
export function isNumberLike(value: string): boolean {
  return /^[+-]?\d+(?:[.,:]\d+)*(?:[a-zA-Z]{0,3})$/.test(value);
}

/**
 * What a value assigned to a password-ish key must look like to be masked: long enough, not a
 * placeholder, a variable, a path or a number. Passwords are chosen by people, so no randomness is
 * asked of them (`hunter2hunter2` is masked).
 */
export function looksLikePassword(value: string): boolean {
  if (value.length < 6) return false;
  return !isPlaceholder(value) && !isEnvVarName(value) && !isPathLike(value) && !isNumberLike(value);
}

/** A call or a member path (`secrets.token_urlsafe(32)`, `process.env.API_KEY`): code, not a value. */
export function isCodeExpression(value: string): boolean {
  return value.includes('(') || /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value);
}

/**
 * What a value assigned to a token-, secret- or key-ish key must look like to be masked: a
 * password-like value that is also machine-like (a digit among letters, or random by shape), so
 * `token_type=bearer` or `secret_name=prod-db-creds` stay as they are. Callers also rule out code
 * (isCodeExpression) where the value is not quoted.
 */
export function looksLikeKeyValue(value: string): boolean {
  if (!looksLikePassword(value) || value.length < 8) return false;
  if (looksRandom(value, 16)) return true;
  const mix = composition(value);
  return mix.digit > 0 && mix.upper + mix.lower > 0 && mix.switchRate >= 0.15 && !/^[a-z]+(?:[-_.][a-z0-9]+)*$/.test(value);
}
