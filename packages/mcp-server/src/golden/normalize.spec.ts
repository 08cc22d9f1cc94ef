import { conform, Normalizer } from './normalize';

const START = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(START + ms).toISOString();
const event = (seq: number, action: string, extra: Record<string, unknown> = {}) => ({
  seq,
  team_id: 'tm_aaaaaaaa',
  at: at(1_000),
  actor_agent_id: 'ag_bbbbbbbb',
  action,
  decision: 'allow',
  reason: `did ${action}`,
  data: {},
  ...extra,
});

describe('golden fixture normalisation', () => {
  it('replaces ids, tickets and times by stable placeholders', () => {
    const n = new Normalizer(START);
    expect(
      n.value({
        team: 'tm_zzzzzzzz',
        agents: ['ag_qqqqqqqq', 'ag_pppppppp', 'ag_qqqqqqqq'],
        ticket: 'join_abcdefghijklmnopqrstuvwxyz234567',
        text: `task tk_cccccccc leased until ${at(61_000)}`,
      }),
    ).toEqual({
      team: '<tm#1>',
      agents: ['<ag#1>', '<ag#2>', '<ag#1>'],
      ticket: '<join-ticket#1>',
      text: 'task <tk#1> leased until <T+61000>',
    });
  });

  it('is unchanged by a later feature that makes more ids or records its own audit events', () => {
    const baseline = [event(1, 'team.start'), event(2, 'task.create', { subject_id: 'tk_dddddddd' })];
    const later = [
      event(1, 'team.start'),
      event(2, 'permission.decide', { subject_id: 'tk_eeeeeeee' }),
      event(3, 'task.create', { subject_id: 'tk_dddddddd' }),
    ];
    const expected = new Normalizer(START).value(baseline);
    expect(conform(expected, new Normalizer(START).value(later))).toEqual(expected);
    expect(new Normalizer(START).value(later)).toHaveLength(2);
  });

  it('accepts fields a later feature adds, and catches changed, missing or extra values', () => {
    const expected = { task: { id: '<tk#1>', status: 'done' }, list: [1, 2] };
    expect(conform(expected, { task: { id: '<tk#1>', status: 'done', mode: 'plan' }, list: [1, 2] })).toEqual(expected);
    expect(conform(expected, { task: { id: '<tk#1>', status: 'failed' }, list: [1, 2] })).not.toEqual(expected);
    expect(conform(expected, { task: { id: '<tk#1>' }, list: [1, 2] })).not.toEqual(expected);
    expect(conform(expected, { task: { id: '<tk#1>', status: 'done' }, list: [1, 2, 3] })).not.toEqual(expected);
  });

  it('keeps the head and length of long texts', () => {
    expect(new Normalizer(START).value('x'.repeat(5_000))).toBe(`${'x'.repeat(32)}...<5000 chars>`);
  });
});
