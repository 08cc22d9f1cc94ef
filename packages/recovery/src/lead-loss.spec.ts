import { leadLoss, teamCondition, type LeadFacts } from './lead-loss';

const GRACE = 15_000;
const lead = (state: LeadFacts['state'], lastSeenAt: number | null, principalAgentId: string | null = null): LeadFacts => ({
  state,
  lastSeenAt,
  createdAt: 0,
  principalAgentId,
});

describe('a lost lead and the team it leaves orphaned', () => {
  it('loses a lead that is retired or gone, or whose session ended and did not resume within the grace period', () => {
    expect(leadLoss(undefined, 100_000, GRACE)).toBe('it is retired');
    expect(leadLoss(lead('retired', 1_000), 100_000, GRACE)).toBe('it is retired');
    expect(leadLoss(lead('disconnected', 80_000), 100_000, GRACE)).toMatch(/^its session ended 20000 ms ago and it did not resume within 15000 ms$/);
    expect(leadLoss(lead('disconnected', 90_000), 100_000, GRACE)).toBeNull();
    // A connected lead, however quiet, is the user's own session thinking.
    expect(leadLoss(lead('active', 0), 10_000_000, GRACE)).toBeNull();
    // A lead another agent plays lives as long as that agent.
    expect(leadLoss(lead('disconnected', 0, 'ag_parent'), 100_000, GRACE)).toBeNull();
  });

  it('calls an open team orphaned only when its lead is lost, and a closed one finalized or cancelled', () => {
    expect(teamCondition({ state: 'active' }, lead('active', 0), 100_000, GRACE)).toBe('active');
    expect(teamCondition({ state: 'active' }, lead('disconnected', 0), 100_000, GRACE)).toBe('orphaned');
    expect(teamCondition({ state: 'finalized' }, lead('disconnected', 0), 100_000, GRACE)).toBe('finalized');
    expect(teamCondition({ state: 'finalized', cancelled_at: '2026-01-01T00:00:00.000Z' }, undefined, 100_000, GRACE)).toBe('cancelled');
  });
});
