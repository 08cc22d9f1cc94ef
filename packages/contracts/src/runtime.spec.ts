import { AgentIdSchema, TaskIdSchema } from './entities';
import { FakeClock, SequentialIdGenerator, toBase32 } from './runtime';

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
});
