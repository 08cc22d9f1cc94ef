import { randomBytes } from 'node:crypto';
import type { IdPrefix } from './entities';

/** Source of time for everything that decides on it; tests inject a fake one. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Source of server-made ids; tests inject a deterministic one. */
export interface IdGenerator {
  /** A fresh id such as `tk_abcdefgh...` for the given prefix. */
  next(prefix: IdPrefix): string;
}

/** The wall clock; only process edges (the binaries, the CLI, benchmarks) use it, tests inject a fake one (`@codex-team/contracts/testing`). */
export const systemClock: Clock = { now: () => Date.now() };

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lowercase base32 of the given bytes, 5 bits per character. */
export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** Ids such as `tk_` + 16 base32 characters (80 random bits): unguessable and collision-free enough. */
export class RandomIdGenerator implements IdGenerator {
  next(prefix: IdPrefix): string {
    return `${prefix}_${toBase32(randomBytes(10))}`;
  }
}

/**
 * A small deterministic pseudo-random source (mulberry32): numbers in [0, 1) from a 32-bit seed.
 * For tests and benchmarks that must build the same DAG or kill schedule again from their seed.
 */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
