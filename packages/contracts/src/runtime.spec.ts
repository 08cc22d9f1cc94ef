import { AgentIdSchema, TaskIdSchema, TeamIdSchema } from './entities';
import { RandomIdGenerator, toBase32 } from './runtime';
import { FakeClock, SequentialIdGenerator } from './testing';

describe('runtime helpers', () => {
  it('makes sequential ids that match the id schemas and sort by creation', () => {
    const ids = new SequentialIdGenerator();
    const made = Array.from({ length: 40 }, () => ids.next('tk'));
    for (const id of made) expect(TaskIdSchema.safeParse(id).success).toBe(true);
    expect([...made].sort()).toEqual(made);
    expect(AgentIdSchema.safeParse(ids.next('ag')).success).toBe(true);
  });

  it('encodes base32 with 5 bits per character', () => {
    expect(toBase32(new Uint8Array([0]))).toBe('aa');
    expect(toBase32(new Uint8Array([255, 255, 255, 255, 255]))).toBe('77777777');
  });

  it('moves a fake clock only when told', () => {
    const clock = new FakeClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
    clock.set(5);
    expect(clock.now()).toBe(5);
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
