import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTeamError } from '@codex-team/contracts';
import { LONG_BODY_HINT, assertMessageBody, checkMessageBody } from './message-policy';
import { parseProfile } from './parse-profile';

const fast = parseProfile(readFileSync(join(__dirname, '../../../profiles/fast.yaml'), 'utf8'), 'fast.yaml');

describe('message body limit', () => {
  it("allows a body up to the profile's limit", () => {
    expect(checkMessageBody(fast, 4_096)).toEqual({
      decision: 'allow',
      rule: 'messages.body_max_bytes',
      reason: 'message body of 4096 bytes is within 4096',
      limit_bytes: 4_096,
      bytes: 4_096,
    });
  });

  it('denies a longer body with a hint to publish an artifact', () => {
    expect(checkMessageBody(fast, 4_097)).toMatchObject({ decision: 'deny', hint: LONG_BODY_HINT });
    let error: unknown;
    try {
      assertMessageBody(fast, 5_000);
    } catch (caught) {
      error = caught;
    }
    expect(isTeamError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: `PAYLOAD_TOO_LARGE: message body is 5000 bytes, over the 4096-byte limit of profile fast; ${LONG_BODY_HINT}`,
      details: { rule: 'messages.body_max_bytes', limit_bytes: 4_096, bytes: 5_000, hint: LONG_BODY_HINT },
    });
    expect(LONG_BODY_HINT).toContain('team_artifact_publish');
  });
});
