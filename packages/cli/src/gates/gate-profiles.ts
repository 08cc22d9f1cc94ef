import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { COST_MEASURES, type CostMeasure } from './gate-measures';

// Tolerances of cost measures, per gate profile (gates/profiles.json, written and reviewed by hand).
// A scenario names its profile; a cost measure may rise by `tolerance` (a fraction of the baseline)
// plus `slack` (in the measure's own unit) before the gate fails.

const MeasureToleranceSchema = z.strictObject({
  tolerance: z.number().min(0),
  /** An absolute allowance on top of the fraction, for measures whose baseline can be tiny. @default 0 */
  slack: z.number().min(0).default(0),
  /** Why this measure is not held to the profile's default. */
  why: z.string().min(1),
});

const GateProfileSchema = z.strictObject({
  description: z.string(),
  /** The fraction every cost measure may rise by unless `measures` says otherwise. */
  tolerance: z.number().min(0),
  measures: z.partialRecord(z.enum(COST_MEASURES), MeasureToleranceSchema).default({}),
});

export const GateProfilesSchema = z.record(z.string(), GateProfileSchema);
export type GateProfiles = z.infer<typeof GateProfilesSchema>;

/** How far a measure may rise above its baseline under a profile: `baseline * (1 + tolerance) + slack`. */
export interface Allowance {
  tolerance: number;
  slack: number;
}

/** The allowance of one measure under one profile; undefined for an unknown profile. */
export function allowanceOf(profiles: GateProfiles, profile: string, measure: CostMeasure): Allowance | undefined {
  const entry = profiles[profile];
  if (entry === undefined) return undefined;
  const own = entry.measures[measure];
  return own === undefined ? { tolerance: entry.tolerance, slack: 0 } : { tolerance: own.tolerance, slack: own.slack };
}

export function readGateProfiles(path: string): GateProfiles {
  return GateProfilesSchema.parse(JSON.parse(readFileSync(path, 'utf8')) as unknown);
}
