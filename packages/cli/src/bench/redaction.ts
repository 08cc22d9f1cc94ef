import { performance } from 'node:perf_hooks';
import { redactSecrets } from '@codex-team/policy-engine';
import { benchGoal, median, type BenchContext, type BenchReport, type Benchmark } from './benchmark';
import { buildRedactionCorpus, type RedactionCorpus, type SecretSample } from './redaction-corpus';

/** Goals of the hardening issue: no secret survives, and at most 2% of ordinary texts change. */
const MISSES_GOAL = 0;
const FALSE_POSITIVE_GOAL = 0.02;

/** How the redaction engine did on a corpus. */
export interface RedactionScore {
  secretSamples: number;
  /** Samples of which some secret (or a large piece of one) came through, by kind. */
  missed: string[];
  ordinarySamples: number;
  /** Ordinary samples that redaction changed, by kind and text. */
  falsePositives: string[];
}

/**
 * Whether any of `secret` survives in `out`: the whole, or any piece of half its length (at least
 * 6 characters), so masking only the part after a raw `@` in a password still counts as a miss.
 */
export function leaks(secret: string, out: string): boolean {
  const window = Math.min(secret.length, Math.max(6, Math.ceil(secret.length / 2)));
  for (let start = 0; start + window <= secret.length; start += 1) {
    if (out.includes(secret.slice(start, start + window))) return true;
  }
  return false;
}

function missedIn(sample: SecretSample, redact: (text: string) => string): boolean {
  const out = redact(sample.text);
  return sample.secrets.some((secret) => leaks(secret, out));
}

/** Runs every sample of `corpus` through `redact` and counts misses and false positives. */
export function scoreRedaction(corpus: RedactionCorpus, redact: (text: string) => string = (text) => redactSecrets(text).text): RedactionScore {
  return {
    secretSamples: corpus.secrets.length,
    missed: corpus.secrets.filter((sample) => missedIn(sample, redact)).map((sample) => sample.kind),
    ordinarySamples: corpus.ordinary.length,
    falsePositives: corpus.ordinary.filter((sample) => redact(sample.text) !== sample.text).map((sample) => `${sample.kind}: ${sample.text}`),
  };
}

/** Redaction throughput over the whole corpus, in MiB/s (median of `rounds`). */
function throughput(corpus: RedactionCorpus, rounds: number): number {
  const texts = [...corpus.secrets.map((sample) => sample.text), ...corpus.ordinary.map((sample) => sample.text)];
  const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    for (const text of texts) redactSecrets(text);
    samples.push(bytes / 1_048_576 / ((performance.now() - started) / 1_000));
  }
  return median(samples);
}

async function run(context: BenchContext): Promise<BenchReport> {
  const corpus = buildRedactionCorpus();
  const score = scoreRedaction(corpus);
  for (const kind of score.missed) context.progress(`missed: ${kind}`);
  for (const text of score.falsePositives) context.progress(`false positive: ${text}`);
  const falsePositiveRate = score.falsePositives.length / score.ordinarySamples;
  const mibPerSecond = throughput(corpus, context.quick ? 5 : 50);
  return Promise.resolve({
    benchmark: 'redaction',
    measurements: [
      { name: 'secret samples', value: score.secretSamples, unit: 'texts' },
      { name: 'secret samples missed', value: score.missed.length, unit: 'texts' },
      { name: 'ordinary samples', value: score.ordinarySamples, unit: 'texts' },
      { name: 'ordinary samples changed', value: score.falsePositives.length, unit: 'texts' },
      { name: 'false positive rate', value: falsePositiveRate, unit: 'ratio' },
      { name: 'redaction throughput over the corpus', value: mibPerSecond, unit: 'MiB/s' },
    ],
    goals: [
      benchGoal('secrets missed', score.missed.length, 'at_most', MISSES_GOAL, 'texts'),
      benchGoal('false positive rate', falsePositiveRate, 'at_most', FALSE_POSITIVE_GOAL, 'ratio'),
    ],
  });
}

/**
 * Misses and false positives of the one redaction engine on a corpus of realistic synthetic
 * secrets (provider formats, URLs, headers, config, prose) and everyday texts kept in the repo
 * (redaction-corpus.ts); a miss fails the run.
 */
export const redactionBenchmark: Benchmark = {
  name: 'redaction',
  summary: 'secrets missed and ordinary texts changed by redaction, over a corpus of 100+ of each',
  run,
};
