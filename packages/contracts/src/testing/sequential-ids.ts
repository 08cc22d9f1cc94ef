import type { IdPrefix } from '../entities';
import type { IdGenerator } from '../runtime';

/** Base32 digits in code-unit order, so ids made from growing numbers sort by creation. */
const SORTED_BASE32 = '234567abcdefghijklmnopqrstuvwxyz';

/** Deterministic ids (`tk_22222223`, ...) for tests and golden fixtures; they sort by creation. */
export class SequentialIdGenerator implements IdGenerator {
  private counter = 0;
  next(prefix: IdPrefix): string {
    this.counter += 1;
    let n = this.counter;
    let suffix = '';
    for (let i = 0; i < 8; i += 1) {
      suffix = SORTED_BASE32[n & 31] + suffix;
      n >>>= 5;
    }
    return `${prefix}_${suffix}`;
  }
}
