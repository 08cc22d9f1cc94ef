import { createHash } from 'node:crypto';
import { TeamError } from '@codex-team/contracts';
import { redactDeep } from '@codex-team/policy-engine';
import { TEAM_SOURCE_OPTIONS, withTeamSource } from '../team-view/team-source';
import { STORE_OPTION_DETAIL } from '../team-view/store-engine';
import { flagOption, requiredPositional, wholeOption, type Command } from './command';

/** `codex-team artifact ID [--version N]`: an artifact's content, its checksum verified, secrets masked. */
export const artifactCommand: Command = {
  name: 'artifact',
  summary: "Print an artifact's content (checksum verified, secrets masked, control characters escaped)",
  synopsis: 'ID [--version N] [--db PATH|URL] [--json]',
  details: [
    'ID               an artifact id (af_...), as messages, status and the report show them',
    '--version N      that version of the same artifact instead',
    STORE_OPTION_DETAIL,
    '--json           print the artifact and its content as JSON',
    'A content whose sha256 differs from the one recorded at publish is refused (CONFLICT), not printed.',
    'The store is opened read-only.',
  ],
  options: { ...TEAM_SOURCE_OPTIONS, version: { type: 'string' } },
  allowPositionals: true,
  maxPositionals: 1,
  run(args, io) {
    const id = requiredPositional(args, 0, 'an artifact id');
    const version = wholeOption(args.values, 'version', 1);
    return withTeamSource(args.values, io, async (source) => {
      const { artifact, content } = await source.store.readArtifactContent(id, version);
      const sha256 = createHash('sha256').update(content, 'utf8').digest('hex');
      if (sha256 !== artifact.sha256) {
        throw new TeamError('CONFLICT', `artifact ${artifact.id} (${artifact.name} v${artifact.version}) has sha256 ${sha256}, not the ${artifact.sha256} recorded at publish`);
      }
      const shown = redactDeep({ artifact, content }).value;
      io.stdout.write(flagOption(args.values, 'json') ? `${JSON.stringify({ ...shown, verified: true }, null, 2)}\n` : `${shown.content}${shown.content.endsWith('\n') ? '' : '\n'}`);
      return 0;
    });
  },
};
