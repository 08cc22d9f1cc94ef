import { createHash, randomBytes } from 'node:crypto';
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

/** The two kinds of ticket: a teammate's one-use join ticket, an agent's resume ticket. */
export type TicketKind = 'join' | 'resume';

/** A freshly issued ticket: the plain text goes to the caller once, only `hash` is stored. */
export interface IssuedTicket {
  ticket: string;
  hash: string;
}

/** The stored form of a ticket: sha256 hex of its text. */
export function hashTicket(ticket: string): string {
  return createHash('sha256').update(ticket, 'utf8').digest('hex');
}

/**
 * Issues join and resume tickets: the kind, an underscore and 32 base32 characters of crypto
 * randomness (160 bits), matching the contracts' TicketSchema.
 */
export class TicketIssuer {
  issue(kind: TicketKind): IssuedTicket {
    const ticket = `${kind}_${toBase32(randomBytes(20))}`;
    return { ticket, hash: hashTicket(ticket) };
  }
}
