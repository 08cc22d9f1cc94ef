/** A queue of timed events: the earliest first, and among events at one time, the one queued first. */
export class EventQueue<T> {
  private readonly heap: { at: number; order: number; event: T }[] = [];
  private queued = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, event: T): void {
    this.heap.push({ at, order: this.queued, event });
    this.queued += 1;
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** The earliest event's time; undefined when empty. */
  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  pop(): { at: number; event: T } | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < this.heap.length && this.before(left, smallest)) smallest = left;
        if (right < this.heap.length && this.before(right, smallest)) smallest = right;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return { at: top.at, event: top.event };
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a] as { at: number; order: number };
    const y = this.heap[b] as { at: number; order: number };
    return x.at !== y.at ? x.at < y.at : x.order < y.order;
  }

  private swap(a: number, b: number): void {
    const x = this.heap[a] as { at: number; order: number; event: T };
    this.heap[a] = this.heap[b] as { at: number; order: number; event: T };
    this.heap[b] = x;
  }
}
