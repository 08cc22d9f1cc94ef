import { createHash, randomBytes } from 'node:crypto';
import { toBase32 } from '@codex-team/contracts';

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
