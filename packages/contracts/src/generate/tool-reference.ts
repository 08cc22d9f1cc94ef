import { TOOL_CONTRACTS, TOOL_NAMES, type ToolAudience } from '../tools/catalog';
import { jsonSchemaOf } from './json-schemas';

const AUDIENCE_TEXT: Record<ToolAudience, string> = {
  unbound: 'a session not yet bound to an agent',
  lead: 'the team lead (reserved: no permission profile grants it to another role)',
  member: 'agents of the team whose permissions allow the action (docs/permissions.md)',
  holder:
    'agents whose permissions allow the action (docs/permissions.md), holding the task claim (owner + current fence + live lease)',
};

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  description?: string;
  /** A docs-only note (zod `.meta({ docs })`), never advertised to the model. */
  docs?: string;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
}

function typeText(node: JsonSchemaNode): string {
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (node.anyOf) return node.anyOf.map(typeText).join(' \\| ');
  if (node.type === 'array' && node.items) return `${typeText(node.items)}[]`;
  if (Array.isArray(node.type)) return node.type.join(' \\| ');
  return node.type ?? 'any';
}

/**
 * Notes for input fields the advertised schemas leave bare on purpose (their bytes travel with every
 * model turn; the tool's description says the rest): documentation only.
 */
const TEAM_NOTE = 'A team of your tree to act in, as docs/hierarchy.md allows; default your own';
const INPUT_NOTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  team_child: {
    tasks: 'start: 1 to 20 ready task ids of the parent team that the child takes over',
    lead: 'start: self (default: you play its lead) or ticket (lead_ticket for a new agent)',
    tokens: 'start: its budget, carved from what the parent has left; default half of that',
    team: 'start: the parent team (default yours); takeover: the child team',
  },
};

function fieldTable(schema: Record<string, unknown>, extraNotes: Readonly<Record<string, string>> = {}): string {
  const node = schema as JsonSchemaNode;
  const props = Object.entries(node.properties ?? {});
  if (props.length === 0) return '_none_\n';
  const required = new Set(node.required ?? []);
  const rows = props.map(([field, prop]) => {
    const notes = [prop.description ?? '', prop.docs ?? extraNotes[field] ?? '', prop.default !== undefined ? `default ${JSON.stringify(prop.default)}` : '']
      .filter(Boolean)
      .join('; ');
    return `| \`${field}\` | ${typeText(prop)} | ${required.has(field) ? 'yes' : 'no'} | ${notes.replace(/\|/g, '\\|')} |`;
  });
  return ['| field | type | required | notes |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

/** `docs/tools.md`: the reference of every tool, generated from the contracts. */
export function renderToolReference(): string {
  const parts = [
    '# Tool reference',
    '',
    '<!-- Generated from packages/contracts by `npm run generate`; do not edit by hand. -->',
    '',
    'Identity comes from the session (team_start, team_join or team_resume bind it), never from arguments.',
    'Every tool answers bad input with `isError` and a stable error code; any tool may also answer',
    '`BUSY` (store locked by other writers for the whole ~20 s deadline), `STORAGE_FULL` (the disk',
    'holding the store is full), `STORE_MOVED` (the store file was deleted or replaced under this',
    'server: restart the session) or `INTERNAL`; the first three change nothing.',
    '',
  ];
  for (const name of TOOL_NAMES) {
    const contract = TOOL_CONTRACTS[name];
    parts.push(
      `## \`${name}\``,
      '',
      contract.description,
      '',
      `**Answer:** ${contract.answer}`,
      '',
      `**Who may call:** ${AUDIENCE_TEXT[contract.audience]}.`,
      '',
      '**Input**',
      '',
      fieldTable(jsonSchemaOf(contract.input, 'input'), { team: TEAM_NOTE, ...INPUT_NOTES[name] }),
      '**Output**',
      '',
      fieldTable(jsonSchemaOf(contract.output, 'output')),
      `**Errors:** ${contract.errors.map((c) => `\`${c}\``).join(', ')}`,
      '',
    );
  }
  return parts.join('\n');
}
