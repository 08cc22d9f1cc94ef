/**
 * Normalisation of golden fixtures: what makes two runs of a baseline flow comparable, and what
 * keeps later, unrelated features from changing the fixtures.
 *
 * - Server-made ids (tm_, ag_, tk_, ms_, af_) become `<tk#3>` by order of first appearance, and
 *   tickets `<join-ticket#1>`: stable even when a later feature makes more ids or tickets.
 * - ISO times become `<T+61000>`, milliseconds since the flow's start on its fake clock.
 * - Texts over 1,024 characters become their head and length.
 * - Audit events keep only the baseline actions frozen here (a later feature's own events, such as
 *   permission decisions, are left out), and their seq numbers become their order among those.
 * - A refusal keeps its code and details; its message is prose and may be reworded.
 * - Comparison is by subset (`conform`): fields a later feature adds to an entity or an output are
 *   ignored; every field the fixture holds must be present and equal, and arrays keep their length.
 */

/** The audit actions of the baseline, frozen with the fixtures. */
export const BASELINE_ACTIONS: ReadonlySet<string> = new Set([
  'team.start',
  'team.finalize',
  'agent.spawn',
  'agent.join',
  'agent.resume',
  'agent.disconnect',
  'agent.idle',
  'agent.active',
  'agent.retire',
  'task.create',
  'task.claim',
  'task.progress',
  'task.edit',
  'task.cancel',
  'task.complete',
  'task.fail',
  'task.release',
  'message.send',
  'message.ack',
  'artifact.publish',
  'usage.report',
  'policy.switch',
  'policy.fanout',
  'policy.deny',
]);

const ID = /\b(tm|ag|tk|ms|af)_[a-z2-7]{8,32}\b/g;
const TICKET = /\b(join|resume)_[a-z2-7]{32,64}\b/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\b/g;

function isAuditEvent(value: unknown): value is Record<string, unknown> & { action: string; seq: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { action?: unknown }).action === 'string' &&
    typeof (value as { seq?: unknown }).seq === 'number' &&
    typeof (value as { decision?: unknown }).decision === 'string'
  );
}

/** One flow's normaliser: the same id or seq maps to the same placeholder everywhere in the flow. */
export class Normalizer {
  private readonly ids = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  private readonly seqs = new Map<number, string>();

  constructor(private readonly startMs: number) {}

  private placeholder(kind: string, raw: string): string {
    let known = this.ids.get(raw);
    if (known === undefined) {
      const n = (this.counts.get(kind) ?? 0) + 1;
      this.counts.set(kind, n);
      known = `<${kind}#${n}>`;
      this.ids.set(raw, known);
    }
    return known;
  }

  private seq(raw: number): string {
    let known = this.seqs.get(raw);
    if (known === undefined) {
      known = `<seq#${this.seqs.size + 1}>`;
      this.seqs.set(raw, known);
    }
    return known;
  }

  text(value: string): string {
    // Long payloads (oversized bodies, artifacts) are kept as their length and head.
    if (value.length > 1_024) return `${this.text(value.slice(0, 32))}...<${value.length} chars>`;
    return value
      .replace(TICKET, (_m, kind: string) => this.placeholder(`${kind}-ticket`, _m))
      .replace(ID, (m, prefix: string) => this.placeholder(prefix, m))
      .replace(ISO_TIME, (m) => `<T+${Date.parse(m) - this.startMs}>`);
  }

  /** A normalised deep copy; arrays of audit events keep only baseline actions. */
  value(value: unknown, key = ''): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value === 'number' && ['seq', 'after_seq', 'next_after_seq'].includes(key)) return this.seq(value);
    if (Array.isArray(value)) {
      const kept = value.filter((item) => !isAuditEvent(item) || BASELINE_ACTIONS.has(item.action));
      return kept.map((item) => this.value(item));
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[this.text(k)] = this.value(v, k);
      return out;
    }
    return value;
  }
}

/**
 * `actual` seen through `expected`'s shape: objects keep only the keys `expected` has (a missing
 * one shows as undefined), arrays keep `actual`'s length. `expect(conform(e, a)).toEqual(e)` then
 * passes exactly when `a` holds everything `e` does, whatever `a` adds.
 */
export function conform(expected: unknown, actual: unknown): unknown {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return actual.map((item, index) => (index < expected.length ? conform(expected[index], item) : item));
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(expected)) out[key] = conform(expected[key], actual[key]);
    return out;
  }
  return actual;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
