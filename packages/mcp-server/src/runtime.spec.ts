import { TicketSchema, TeamIdSchema, TaskIdSchema } from '@codex-team/contracts';
import { RandomIdGenerator, TicketIssuer, hashTicket } from './runtime';

describe('runtime', () => {
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

  it('makes random ids of 16 base32 characters that the entity schemas accept', () => {
    const ids = new RandomIdGenerator();
    const team = ids.next('tm');
    expect(team).toMatch(/^tm_[a-z2-7]{16}$/);
    expect(TeamIdSchema.safeParse(team).success).toBe(true);
    expect(TaskIdSchema.safeParse(ids.next('tk')).success).toBe(true);
    expect(ids.next('tk')).not.toBe(ids.next('tk'));
  });
});
