import { jsonSchemaOf, type ToolContract } from '@codex-team/contracts';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

type JsonSchemaObject = Tool['inputSchema'];

/** An id's description (`ag_ id`) beside the pattern that already says it (`^ag_[a-z2-7]{8,32}$`). */
function restatesIdPattern(value: unknown, pattern: unknown): boolean {
  return typeof value === 'string' && /^[a-z]{2}_ id$/.test(value) && typeof pattern === 'string' && pattern.startsWith(`^${value.slice(0, 3)}`);
}

/** The properties a model sees: those not marked `advertised: false` (contracts' programOnly). */
function advertisedProperties(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(properties).filter(([, schema]) => !(schema !== null && typeof schema === 'object' && (schema as { advertised?: unknown }).advertised === false)),
  );
}

/**
 * Drops what costs bytes on every model turn without changing what a value must look like:
 * `$schema` (the SDK and Codex assume the dialect), the long regex zod adds beside
 * `format: "date-time"` (the format already says it; only outputs carry timestamps), and the
 * safe-integer bounds zod puts on every integer (JSON numbers past them are not integers to us).
 * In an input schema also `additionalProperties: false`: Codex passes it to the model for every
 * object (29 bytes each, on every turn), while the server refuses an unknown field anyway, naming
 * it (INVALID_INPUT). And `docs`, the notes docs/tools.md prints beside a field; and the input
 * fields meant for programs (contracts' programOnly: `advertised: false`), which the server still
 * accepts. In output schemas, which the model never reads, an id's description that restates its
 * pattern goes too (input schemas keep it: the model reads them every turn).
 */
function compact(node: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(node)) return node.map((item) => compact(item, io));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === '$schema') continue;
    if (key === 'pattern' && source['format'] === 'date-time') continue;
    if (key === 'minimum' && value === Number.MIN_SAFE_INTEGER) continue;
    if (key === 'maximum' && value === Number.MAX_SAFE_INTEGER) continue;
    if (io === 'input' && key === 'additionalProperties' && value === false) continue;
    // Notes for docs/tools.md only (zod `.meta({ docs })`): the model has the skill.
    if (key === 'docs' || key === 'advertised') continue;
    if (io === 'input' && key === 'properties' && value !== null && typeof value === 'object') {
      out[key] = compact(advertisedProperties(value as Record<string, unknown>), io);
      continue;
    }
    if (io === 'input' && key === 'required' && Array.isArray(value) && source['properties'] !== undefined) {
      const shown = advertisedProperties(source['properties'] as Record<string, unknown>);
      out[key] = value.filter((name) => typeof name === 'string' && name in shown);
      continue;
    }
    if (io === 'output' && key === 'description' && restatesIdPattern(value, source['pattern'])) continue;
    out[key] = compact(value, io);
  }
  return out;
}

function objectSchema(schema: Record<string, unknown>, label: string): JsonSchemaObject {
  if (schema['type'] !== 'object') throw new Error(`${label} must be a JSON Schema object type`);
  return schema as JsonSchemaObject;
}

const cache = new Map<string, Tool>();

/**
 * How tools/list describes one tool: its contract's name, description and JSON Schemas. Built once
 * per process (every session of an HTTP server shares it) and only when first asked, to keep
 * startup lean.
 */
export function advertisedTool(contract: ToolContract): Tool {
  let tool = cache.get(contract.name);
  if (tool === undefined) {
    tool = {
      name: contract.name,
      description: contract.description,
      inputSchema: objectSchema(compact(jsonSchemaOf(contract.input, 'input'), 'input') as Record<string, unknown>, `${contract.name} input`),
      outputSchema: objectSchema(
        compact(jsonSchemaOf(contract.output, 'output'), 'output') as Record<string, unknown>,
        `${contract.name} output`,
      ),
    };
    cache.set(contract.name, tool);
  }
  return tool;
}
