// Parses the PostgREST query grammar that supabase-js sends (select, filters, order, limit,
// offset, on_conflict, columns) into a small AST. Pure: no SQL here, see restSql.ts.
import { HttpError } from '../http';

export type FilterOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'like' | 'ilike' | 'is' | 'in';
export const FILTER_OPS: readonly FilterOp[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'is', 'in'];

export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown';

export interface Filter {
  column: string;
  op: FilterOp;
  negate: boolean;
  /** `in` has a list, `is` an {@link IsValue}, every other operator a string. */
  value: string | string[];
}

export interface OrderTerm {
  column: string;
  descending: boolean;
  nulls?: 'first' | 'last';
}

export interface SelectItem {
  column: string;
  alias?: string;
}

export interface RestQuery {
  /** `undefined` = `*`. */
  select?: SelectItem[];
  filters: Filter[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
  onConflict?: string[];
  columns?: string[];
}

const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'on_conflict', 'columns']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export function parseError(message: string, details: string | null = null): HttpError {
  return new HttpError(400, { code: 'PGRST100', message, details, hint: null });
}

function identifier(name: string, what: string): string {
  const trimmed = name.trim();
  if (!IDENT.test(trimmed)) throw parseError(`"${name}" is not a valid ${what} name`);
  return trimmed;
}

function parseSelect(value: string): SelectItem[] | undefined {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0 || items.includes('*')) {
    if (items.length > 1) throw parseError('"*" cannot be combined with other columns in select on the local stack');
    return undefined;
  }
  return items.map((item) => {
    if (item.includes('(')) {
      throw parseError(`Embedded resources ("${item}") are not supported by the local stack`, 'Query the related table separately.');
    }
    const [aliasOrColumn, column] = item.split(':') as [string, string | undefined];
    if (column !== undefined) return { alias: identifier(aliasOrColumn, 'alias'), column: identifier(column, 'column') };
    return { column: identifier(aliasOrColumn, 'column') };
  });
}

function parseOrder(value: string): OrderTerm[] {
  return value.split(',').filter(Boolean).map((term) => {
    const [column, ...modifiers] = term.split('.');
    const order: OrderTerm = { column: identifier(column ?? '', 'column'), descending: false };
    for (const m of modifiers) {
      if (m === 'asc') order.descending = false;
      else if (m === 'desc') order.descending = true;
      else if (m === 'nullsfirst') order.nulls = 'first';
      else if (m === 'nullslast') order.nulls = 'last';
      else throw parseError(`Unknown order modifier "${m}" in "${term}"`);
    }
    return order;
  });
}

/** Splits `(a,b,"c,d")` into its items, honouring double quotes and backslash escapes. */
export function parseList(raw: string): string[] {
  if (!raw.startsWith('(') || !raw.endsWith(')')) throw parseError(`"in" needs a list in parentheses, got "${raw}"`);
  const body = raw.slice(1, -1);
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < body.length) current += body[++i];
      else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      items.push(current);
      current = '';
    } else current += ch;
  }
  if (quoted) throw parseError(`Unterminated quote in "${raw}"`);
  if (body.length > 0) items.push(current);
  return items;
}

function parseFilter(column: string, expression: string): Filter {
  let rest = expression;
  let negate = false;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf('.');
  const op = (dot < 0 ? rest : rest.slice(0, dot)) as FilterOp;
  if (!FILTER_OPS.includes(op)) {
    throw parseError(`Unknown or unsupported operator in "${column}=${expression}"`, `Supported: ${FILTER_OPS.join(', ')}`);
  }
  if (dot < 0) throw parseError(`"${column}=${expression}" has no value after the operator`);
  const raw = rest.slice(dot + 1);
  if (op === 'in') return { column: identifier(column, 'column'), op, negate, value: parseList(raw) };
  if (op === 'is' && !['null', 'not_null', 'true', 'false', 'unknown'].includes(raw.toLowerCase())) {
    throw parseError(`"is" takes null, not_null, true, false or unknown, got "${raw}"`);
  }
  return { column: identifier(column, 'column'), op, negate, value: op === 'is' ? raw.toLowerCase() : raw };
}

function nonNegativeInt(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw parseError(`"${name}" must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

export function parseRestQuery(params: URLSearchParams): RestQuery {
  const query: RestQuery = { filters: [], order: [] };
  for (const [key, value] of params) {
    if (key === 'select') query.select = parseSelect(value);
    else if (key === 'order') query.order.push(...parseOrder(value));
    else if (key === 'limit') query.limit = nonNegativeInt('limit', value);
    else if (key === 'offset') query.offset = nonNegativeInt('offset', value);
    else if (key === 'on_conflict') query.onConflict = value.split(',').map((c) => identifier(c, 'column'));
    else if (key === 'columns') query.columns = value.replace(/"/g, '').split(',').map((c) => identifier(c, 'column'));
    else if (key === 'or' || key === 'and' || key.includes('.')) {
      throw parseError(`"${key}" filters are not supported by the local stack`, 'Use plain column filters.');
    } else if (!RESERVED.has(key)) query.filters.push(parseFilter(key, value));
  }
  return query;
}

/** `Range: 0-9` (rows) → offset and limit, as PostgREST reads it. */
export function applyRange(query: RestQuery, header: string | undefined): void {
  if (!header) return;
  const match = /^(?:items=)?(\d+)-(\d*)$/.exec(header.trim());
  if (!match) throw new HttpError(416, { code: 'PGRST103', message: `Invalid Range header "${header}"`, details: null, hint: null });
  const from = Number(match[1]);
  query.offset = from;
  if (match[2]) query.limit = Math.max(0, Number(match[2]) - from + 1);
}

export interface Prefer {
  returnRepresentation: boolean;
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'ignore-duplicates' | 'merge-duplicates';
  missingDefault: boolean;
}

export function parsePrefer(header: string | undefined): Prefer {
  const prefer: Prefer = { returnRepresentation: false, missingDefault: false };
  for (const part of (header ?? '').split(',').map((p) => p.trim())) {
    const [name, value] = part.split('=') as [string, string | undefined];
    if (name === 'return') prefer.returnRepresentation = value === 'representation';
    else if (name === 'count' && (value === 'exact' || value === 'planned' || value === 'estimated')) prefer.count = value;
    else if (name === 'resolution' && (value === 'ignore-duplicates' || value === 'merge-duplicates')) prefer.resolution = value;
    else if (name === 'missing') prefer.missingDefault = value === 'default';
  }
  return prefer;
}
