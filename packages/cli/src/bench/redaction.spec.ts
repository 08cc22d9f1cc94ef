import { buildRedactionCorpus } from './redaction-corpus';
import { leaks, scoreRedaction } from './redaction';

describe('the redaction corpus', () => {
  const corpus = buildRedactionCorpus();

  it('holds at least 100 texts with secrets and 100 ordinary texts, the same on every build', () => {
    expect(corpus.secrets.length).toBeGreaterThanOrEqual(100);
    expect(corpus.ordinary.length).toBeGreaterThanOrEqual(100);
    expect(buildRedactionCorpus()).toEqual(corpus);
    for (const sample of corpus.secrets) {
      expect(sample.secrets.length).toBeGreaterThan(0);
      for (const secret of sample.secrets) expect(sample.text).toContain(secret);
    }
  });

  it('is missed whole by a redactor that does nothing, and scores every ordinary text clean', () => {
    const score = scoreRedaction(corpus, (text) => text);
    expect(score.missed).toHaveLength(corpus.secrets.length);
    expect(score.falsePositives).toEqual([]);
  });

  it('counts half a secret left behind as a miss', () => {
    expect(leaks('abc12@xyz789', 'redis://u:abc12@[REDACTED:password]@h')).toBe(true);
    expect(leaks('abc12@xyz789', 'redis://u:[REDACTED:password]@h')).toBe(false);
  });
});

describe('the redaction engine on the corpus', () => {
  const score = scoreRedaction(buildRedactionCorpus());

  it('misses no secret', () => {
    expect(score.missed).toEqual([]);
  });

  it('changes at most 2% of the ordinary texts', () => {
    expect(score.falsePositives.length / score.ordinarySamples).toBeLessThanOrEqual(0.02);
  });
});
