import { TicketSchema } from './tools/team-tools';
import { TicketIssuer, hashTicket } from './runtime';

describe('tickets', () => {
  it('issues join and resume tickets the contracts accept, with their sha256 as the stored hash', () => {
    const tickets = new TicketIssuer();
    for (const kind of ['join', 'resume'] as const) {
      const issued = tickets.issue(kind);
      expect(TicketSchema.parse(issued.ticket)).toMatch(new RegExp(`^${kind}_[a-z2-7]{32}$`));
      expect(issued.hash).toBe(hashTicket(issued.ticket));
      expect(issued.hash).toMatch(/^[a-f0-9]{64}$/);
    }
  });

  it('never issues the same ticket twice in a large sample', () => {
    const tickets = new TicketIssuer();
    const seen = new Set(Array.from({ length: 5_000 }, () => tickets.issue('join').ticket));
    expect(seen.size).toBe(5_000);
  });

});
