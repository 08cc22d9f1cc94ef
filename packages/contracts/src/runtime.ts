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

/** The wall clock; only process edges (the binaries, the CLI, benchmarks) use it, tests inject a FakeClock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for lease and TTL tests. */
export class FakeClock implements Clock {
  private current: number;
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}

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

// The same 32 characters in ASCII order, so that sequential ids also sort by creation.
const SORTED_BASE32 = '234567abcdefghijklmnopqrstuvwxyz';

/** Ids such as `tk_` + 16 base32 characters (80 random bits): unguessable and collision-free enough. */
export class RandomIdGenerator implements IdGenerator {
  next(prefix: IdPrefix): string {
    return `${prefix}_${toBase32(randomBytes(10))}`;
  }
}

/** Deterministic ids (`tk_22222223`, ...) for tests and golden fixtures; they sort by creation. */
export class SequentialIdGenerator implements IdGenerator {
  private counter = 0;
  next(prefix: IdPrefix): string {
    this.counter += 1;
    let n = this.counter;
    let suffix = '';
    for (let i = 0; i < 8; i += 1) {
      suffix = SORTED_BASE32[n & 31] + suffix;
      n >>>= 5;
    }
    return `${prefix}_${suffix}`;
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
