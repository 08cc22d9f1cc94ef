import type { Clock } from '../runtime';

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
