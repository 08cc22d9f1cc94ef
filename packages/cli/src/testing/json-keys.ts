// Test helper: the JSON key convention every `--json` output of the CLI follows.

/** Every object key in a JSON value that is not snake_case (lowercase words joined by `_`). */
export function nonSnakeKeys(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => nonSnakeKeys(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => [
    ...(/^[a-z0-9]+(_[a-z0-9]+)*$/.test(key) ? [] : [`${path}.${key}`]),
    ...nonSnakeKeys(child, `${path}.${key}`),
  ]);
}
