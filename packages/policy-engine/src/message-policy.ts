import { TeamError, type Profile } from '@codex-team/contracts';
import { allow, deny, type PolicyDecision } from './decision';

/** What to do instead of sending a long body. */
export const LONG_BODY_HINT =
  'publish the content with team_artifact_publish and send a short message with its id in artifact_refs';

export interface MessageBodyDecision extends PolicyDecision {
  limit_bytes: number;
  bytes: number;
  /** Set when denied: how to send the content instead. */
  hint?: string;
}

/** Whether a message body of `bytes` UTF-8 bytes fits the profile's `messages.body_max_bytes`. */
export function checkMessageBody(profile: Profile, bytes: number): MessageBodyDecision {
  const limit_bytes = profile.messages.body_max_bytes;
  const rule = 'messages.body_max_bytes';
  if (bytes > limit_bytes) {
    return {
      ...deny(rule, `message body is ${bytes} bytes, over the ${limit_bytes}-byte limit of profile ${profile.name}`),
      limit_bytes,
      bytes,
      hint: LONG_BODY_HINT,
    };
  }
  return { ...allow(rule, `message body of ${bytes} bytes is within ${limit_bytes}`), limit_bytes, bytes };
}

/** Throws TeamError `PAYLOAD_TOO_LARGE` (details: limit_bytes, bytes, hint) when the body is too long. */
export function assertMessageBody(profile: Profile, bytes: number): MessageBodyDecision {
  const decision = checkMessageBody(profile, bytes);
  if (decision.decision === 'deny') {
    throw new TeamError('PAYLOAD_TOO_LARGE', `${decision.reason}; ${LONG_BODY_HINT}`, {
      rule: decision.rule,
      limit_bytes: decision.limit_bytes,
      bytes,
      hint: LONG_BODY_HINT,
    });
  }
  return decision;
}
