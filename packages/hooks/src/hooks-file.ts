import { HooksFileSchema, type HooksConfig } from '@codex-team/contracts';
import { readYamlFile, type YamlFileKind } from '@codex-team/policy-engine';

/** A hooks file is small: a few dozen hooks. */
const HOOKS_FILE_MAX_CHARS = 256 * 1024;

const HOOKS_FILE: YamlFileKind<{ hooks: HooksConfig }> = {
  describe: (source) => `hooks file ${source} is`,
  fields: '"hooks": {<Event>: [{matcher, hooks: [{type: command, command, timeout, on_failure, name}]}]}',
  maxChars: HOOKS_FILE_MAX_CHARS,
  schema: HooksFileSchema,
};

/**
 * Reads a hooks file (`--hooks FILE`): Codex's hooks.json shape, in JSON or YAML, with our events.
 * Pure: `text` is the content, `source` names it. Throws TeamError `INVALID_INPUT` listing every
 * problem (an unknown event, a bad matcher, a timeout over 600 s...).
 */
export function parseHooksFile(text: string, source: string): HooksConfig {
  return readYamlFile(text, source, HOOKS_FILE).hooks;
}
