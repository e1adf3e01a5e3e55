// `postgres_changes` filters as Realtime accepts them: `column=op.value` with eq, neq, lt, lte,
// gt, gte and in.(a,b). Values are compared with the column's type in mind (numbers as numbers,
// timestamps as instants), as Realtime does by casting in SQL.

export type RealtimeFilterOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in';

export interface RealtimeFilter {
  column: string;
  op: RealtimeFilterOp;
  values: string[];
}

const OPS: readonly RealtimeFilterOp[] = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in'];
const NUMERIC = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'oid']);
const TEMPORAL = new Set(['timestamptz', 'timestamp', 'date']);

/** Parses a filter string; throws an Error whose message says what is wrong. */
export function parseRealtimeFilter(filter: string): RealtimeFilter {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=([a-z]+)\.(.*)$/s.exec(filter);
  if (!match) throw new Error(`invalid filter "${filter}": expected column=operator.value, e.g. session_id=eq.<uuid>`);
  const [, column, op, raw] = match as unknown as [string, string, string, string];
  if (!OPS.includes(op as RealtimeFilterOp)) throw new Error(`invalid filter "${filter}": operator "${op}" is not one of ${OPS.join(', ')}`);
  if (op === 'in') {
    if (!raw.startsWith('(') || !raw.endsWith(')')) throw new Error(`invalid filter "${filter}": in needs a list like in.(a,b)`);
    const values = raw.slice(1, -1).split(',').map((v) => v.trim().replace(/^"(.*)"$/, '$1'));
    if (values.length > 100) throw new Error(`invalid filter "${filter}": in accepts at most 100 values`);
    return { column, op: 'in', values };
  }
  return { column, op: op as RealtimeFilterOp, values: [raw] };
}

function compare(a: string, b: string, type: string): number {
  if (NUMERIC.has(type)) return Number(a) - Number(b);
  if (TEMPORAL.has(type)) return Date.parse(a.replace(' ', 'T')) - Date.parse(b.replace(' ', 'T'));
  if (type === 'uuid') {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'bool') return (a.startsWith('t') ? 1 : 0) - (b.startsWith('t') ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Does the row (text values) pass the filter? A NULL never does, as in SQL. */
export function matchesFilter(filter: RealtimeFilter, record: Record<string, string | null | undefined>, type: string): boolean {
  const value = record[filter.column];
  if (value === null || value === undefined) return false;
  const c = (other: string) => compare(value, other, type);
  switch (filter.op) {
    case 'eq':
      return c(filter.values[0]!) === 0;
    case 'neq':
      return c(filter.values[0]!) !== 0;
    case 'lt':
      return c(filter.values[0]!) < 0;
    case 'lte':
      return c(filter.values[0]!) <= 0;
    case 'gt':
      return c(filter.values[0]!) > 0;
    case 'gte':
      return c(filter.values[0]!) >= 0;
    case 'in':
      return filter.values.some((v) => c(v) === 0);
  }
}
