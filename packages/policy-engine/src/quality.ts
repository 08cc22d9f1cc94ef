import type { Profile, QualityRule, RiskTier } from '@codex-team/contracts';

/** The quality rule a task of `tier` must meet under `profile`. */
export function qualityRuleFor(profile: Profile, tier: RiskTier): QualityRule & { tier: RiskTier; rule: string } {
  return { ...profile.quality[tier], tier, rule: `quality.${tier}` };
}
