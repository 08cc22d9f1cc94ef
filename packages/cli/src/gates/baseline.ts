import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { canonicalJson } from '@codex-team/store';
import { z } from 'zod';
import { ScenarioMeasuresSchema } from './gate-measures';

// gates/baseline.json: the measures the gate compares each run with. Only `npm run gates -- --update
// --reason TEXT` writes it: it records the commit the run was made on and the reason, and a checksum
// over all of it, so a number typed in by hand is found out (the gate then fails).

export const BaselineSchema = z.strictObject({
  version: z.literal(1),
  /** The commit (`git rev-parse HEAD`, plus `+changes` for a dirty tree) the measures came from. */
  commit: z.string().min(1),
  /** Why the baseline was (re)written: a cost rise accepted on purpose names its cause here. */
  reason: z.string().min(1),
  scenarios: z.record(z.string(), z.strictObject({ profile: z.string(), measures: ScenarioMeasuresSchema })),
  /** sha256 of the canonical JSON of everything above. */
  checksum: z.string().regex(/^[a-f0-9]{64}$/),
});
export type Baseline = z.infer<typeof BaselineSchema>;

/** A baseline as the gate reads it: absent, present and intact, or edited since --update wrote it. */
export type BaselineState = { kind: 'missing' } | { kind: 'intact'; baseline: Baseline } | { kind: 'modified'; baseline: Baseline | null; problem: string };

export function baselineChecksum(content: Omit<Baseline, 'checksum'>): string {
  const { version, commit, reason, scenarios } = content;
  return createHash('sha256').update(canonicalJson({ version, commit, reason, scenarios })).digest('hex');
}

export function sealBaseline(content: Omit<Baseline, 'checksum'>): Baseline {
  return { ...content, checksum: baselineChecksum(content) };
}

export function readBaseline(path: string): BaselineState {
  if (!existsSync(path)) return { kind: 'missing' };
  let parsed;
  try {
    parsed = BaselineSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')) as unknown);
  } catch (error) {
    return { kind: 'modified', baseline: null, problem: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!parsed.success) return { kind: 'modified', baseline: null, problem: `not a baseline: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  if (baselineChecksum(parsed.data) !== parsed.data.checksum) {
    return { kind: 'modified', baseline: parsed.data, problem: 'its checksum does not match: it was edited by hand, not written by --update' };
  }
  return { kind: 'intact', baseline: parsed.data };
}

export function writeBaseline(path: string, baseline: Baseline): void {
  writeFileSync(path, `${JSON.stringify(baseline, null, 2)}\n`);
}
