import { TeamModeSchema } from '@codex-team/contracts';
import { MODE_TRANSITIONS } from './mode-transitions';
import { PLANNING_ROLES, gatesOf } from './modes';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** `docs/modes.md`: every mode's gates and the transition table, generated from the policy engine. */
export function renderModeReference(): string {
  const lines = [
    '# Operating modes',
    '',
    '<!-- Generated from packages/policy-engine/src/modes.ts and mode-transitions.ts by `npm run generate`; do not edit by hand. -->',
    '',
    'A team is always in one mode. The server enforces it on every call, in the same authorization step',
    'as permissions and after them: a mode only refuses (answering `DENIED` with the mode, the rule, who',
    'set the mode and why), so it never widens what permissions allow. The store checks the same gate',
    'again inside the transaction of each claim, completion, progress report, spawn and publish, so a',
    'mode change made by another process cannot race a call that was checked just before it.',
    '',
    '## Gates',
    '',
    '| mode | rule | refuses | why |',
    '|---|---|---|---|',
    ...TeamModeSchema.options.flatMap((mode) => {
      const gates = gatesOf(mode);
      if (gates.length === 0) return [`| ${mode} | - | nothing | no gate: every call permissions allow goes through |`];
      return gates.map((gate) => `| ${mode} | \`${gate.rule}\` | ${cell(gate.refuses)} | ${cell(gate.reason)} |`);
    }),
    '',
    `Planning roles, which plan mode may still spawn: ${PLANNING_ROLES.join(', ')}. Plan mode keeps planning`,
    'open: creating and editing tasks, messages, plan artifacts (`team_artifact_publish` with `plan: true`),',
    'plan reviews (`team_plan`), readiness hints, progress reports and releases of tasks already held.',
    '',
    '## Transitions',
    '',
    'Only the lead changes the mode (`team_mode {mode, reason, ttl_ms?}`); `team_mode {}` shows the',
    'answer of this table from the current mode. Each change is one `mode.set` audit event with the lead,',
    'the reason and the mode before; a refused change leaves the mode as it was and is audited as',
    '`policy.deny`. With `ttl_ms` a mode is temporary: at its time the team returns to the last mode set',
    'without one (temporary modes never stack), on the next check of any call, and the sweep records it',
    'as a `mode.expire` event.',
    '',
    '| from | to | allowed | rule | why |',
    '|---|---|---|---|---|',
    ...MODE_TRANSITIONS.map((edge) => `| ${edge.from} | ${edge.to} | ${edge.allowed ? 'yes' : 'no'} | \`${edge.rule}\` | ${cell(edge.reason)} |`),
    '',
    'Guards on allowed edges: a change to `default` takes no `ttl_ms` (`mode.transition:default-is-lasting`);',
    'a change to `delegate` is refused while the lead holds a task in progress (`mode.transition:lead-holds-work`).',
    '',
  ];
  return lines.join('\n');
}
