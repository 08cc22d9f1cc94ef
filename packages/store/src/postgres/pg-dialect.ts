import { TeamError } from '@codex-team/contracts';
import { PG_STATEMENTS, normalize } from './pg-statements';

/** A statement of the store's operations as PostgreSQL runs it, and how to bind its parameters. */
export interface PgStatement {
  text: string;
  /** `@name` parameters by position ($1 is names[0]); null for positional `?` ones. */
  names: string[] | null;
  /** How many `?` parameters it takes. */
  positional: number;
}

/** The tables whose rows have a `seq`: an INSERT into one answers the seq of the row it made (lastInsertRowid). */
const SEQ_TABLES = /^\s*INSERT\s+INTO\s+(agents|tasks|messages|artifacts|audit_events|usage_samples|authz_decisions|task_reviews)\b/i;

/**
 * The store's operations speak SQLite's dialect. PostgreSQL gets each statement translated once
 * (then cached): the few that differ beyond the mechanical rules are written out whole in
 * pg-statements.ts, keyed by their SQLite text; every other one goes through these rules:
 * - `?` becomes `$1, $2...`; `@name` becomes one `$n` per distinct name;
 * - `x IS ?` (and `IS NOT ?`) becomes `IS NOT DISTINCT FROM` (`IS DISTINCT FROM`);
 * - `json_each(?)`, read only for its `value`, becomes `json_array_elements_text(?::json)`;
 * - `(@name IS NULL OR rest)` becomes `(rest OR @name IS NULL)`: PostgreSQL learns a parameter's
 *   type from its first use, and `IS NULL` alone tells it none;
 * - ORDER BY items get SQLite's NULL order spelled out (first ascending, last descending);
 * - an INSERT into a table with a seq answers `RETURNING seq`.
 * The schema itself mirrors SQLite's (migrations-pg), including an explicit `rowid` where the
 * operations order by SQLite's implicit one.
 */
export function toPostgres(sqlite: string): PgStatement {
  const written = PG_STATEMENTS.get(normalize(sqlite));
  let text = written ?? sqlite;
  if (written === undefined) {
    text = text.replace(/\bIS\s+(NOT\s+)?(?=[?@])/gi, (_match, not: string | undefined) => (not === undefined ? 'IS NOT DISTINCT FROM ' : 'IS DISTINCT FROM '));
    text = text.replace(/\bjson_each\(\s*([?]|@[a-z_]+)\s*\)/gi, 'json_array_elements_text($1::json)');
    text = optionalFiltersTypedFirst(text);
    text = nullsOrderedAsSqlite(text);
    if (SEQ_TABLES.test(text) && !/\bRETURNING\b/i.test(text)) text = `${text} RETURNING seq`;
  }
  return bindParameters(text);
}

/** `?` and `@name` outside string literals, numbered as PostgreSQL's `$n`. */
function bindParameters(text: string): PgStatement {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (char === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new TeamError('INTERNAL', `unterminated string in statement: ${text}`);
      out += text.slice(i, end + 1);
      i = end;
    } else if (char === '?') {
      positional += 1;
      out += `$${positional}`;
    } else if (char === '@' && /[a-z_]/i.test(text[i + 1] ?? '')) {
      const match = /^@([a-z_][a-z0-9_]*)/i.exec(text.slice(i)) as RegExpExecArray;
      const name = match[1] as string;
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i += match[0].length - 1;
    } else {
      out += char;
    }
  }
  if (positional > 0 && names.length > 0) throw new TeamError('INTERNAL', `a statement mixes ? and @name parameters: ${text}`);
  return { text: out, names: names.length > 0 ? names : null, positional };
}

/** The values of `statement`'s parameters from the arguments an operation passed (positional, or one object of names). */
export function bindValues(statement: PgStatement, params: readonly unknown[]): unknown[] {
  if (statement.names === null) return params.map(toPgValue);
  const named = (params[0] ?? {}) as Record<string, unknown>;
  return statement.names.map((name) => toPgValue(named[name]));
}

/** SQLite binds numbers, strings, null and Buffers; so does PostgreSQL (a missing name is NULL). */
function toPgValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** `(@name IS NULL OR rest)` as `(rest OR @name IS NULL)`: the same filter, its parameter typed by `rest`. */
function optionalFiltersTypedFirst(text: string): string {
  const filter = /\(\s*(@[a-z_][a-z0-9_]*)\s+IS\s+NULL\s+OR\s+/gi;
  let out = text;
  for (let match = filter.exec(out); match !== null; match = filter.exec(out)) {
    const start = match.index + match[0].length;
    let depth = 0;
    let end = start;
    for (; end < out.length; end += 1) {
      if (out[end] === '(') depth += 1;
      else if (out[end] === ')') {
        if (depth === 0) break;
        depth -= 1;
      }
    }
    const rewritten = `(${out.slice(start, end)} OR ${match[1] as string} IS NULL)`;
    out = out.slice(0, match.index) + rewritten + out.slice(end + 1);
    filter.lastIndex = match.index + 1;
  }
  return out;
}

/**
 * SQLite sorts NULLs first ascending and last descending; PostgreSQL the other way round. Each
 * ORDER BY item without its own NULLS clause gets SQLite's, so pages and lists come in the same order.
 */
function nullsOrderedAsSqlite(text: string): string {
  const order = /\bORDER\s+BY\s+/gi;
  let out = '';
  let from = 0;
  for (let match = order.exec(text); match !== null; match = order.exec(text)) {
    const start = match.index + match[0].length;
    let depth = 0;
    let end = start;
    // The list ends at LIMIT/OFFSET/FOR, a closing parenthesis of the enclosing query, or the text's end.
    for (; end < text.length; end += 1) {
      const char = text[end];
      if (char === '(') depth += 1;
      else if (char === ')') {
        if (depth === 0) break;
        depth -= 1;
      } else if (depth === 0 && /^\s(LIMIT|OFFSET|FOR|RETURNING)\b/i.test(text.slice(end, end + 11))) break;
    }
    const items = splitTopLevel(text.slice(start, end)).map((item) => {
      if (/\bNULLS\s+(FIRST|LAST)\b/i.test(item)) return item;
      const trimmed = item.trimEnd();
      const tail = item.slice(trimmed.length);
      return /\bDESC$/i.test(trimmed) ? `${trimmed} NULLS LAST${tail}` : `${trimmed} NULLS FIRST${tail}`;
    });
    out += text.slice(from, start) + items.join(',');
    from = end;
    order.lastIndex = end;
  }
  return out + text.slice(from);
}

function splitTopLevel(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i += 1) {
    const char = list[i];
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === ',' && depth === 0) {
      items.push(list.slice(start, i));
      start = i + 1;
    }
  }
  items.push(list.slice(start));
  return items;
}
