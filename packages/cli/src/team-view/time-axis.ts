/** Tick steps a time axis may use, in milliseconds: 1, 2, 5 and their multiples, then minutes and hours. */
const STEPS = [
  100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
  7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/**
 * Tick offsets (ms from the start) for an axis `spanMs` long: the smallest round step giving at
 * most `maxTicks` intervals, starting at 0. Pure.
 */
export function timeTicks(spanMs: number, maxTicks = 10): number[] {
  const span = Math.max(1, spanMs);
  const step = STEPS.find((candidate) => span / candidate <= maxTicks) ?? Math.ceil(span / maxTicks / 86_400_000) * 86_400_000;
  const ticks: number[] = [];
  for (let at = 0; at <= span; at += step) ticks.push(at);
  return ticks;
}
