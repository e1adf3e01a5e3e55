// Builds SQL for a parsed REST request. Every identifier is checked against the catalog first and
// quoted; every value travels as a bind parameter. Result rows are turned into JSON by PostgreSQL
// itself (json_agg), as PostgREST does, so values keep PostgreSQL's own text (no Date round trip).
import { HttpError } from '../http';
import { requireColumn, type Relation, type RoutineInfo } from './catalog';
import type { Filter, OrderTerm, Prefer, RestQuery, SelectItem } from './restQuery';

export interface Sql {
  text: string;
  values: unknown[];
}

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, name: string): string {
  return `${ident(schema)}.${ident(name)}`;
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const COMPARISON: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

function filterSql(relation: Relation, filter: Filter, params: Params, alias: string): string {
  requireColumn(relation, filter.column);
  const column = `${alias}.${ident(filter.column)}`;
  let expression: string;
  if (filter.op === 'in') {
    expression = `${column} = any(${params.add(filter.value)})`;
  } else if (filter.op === 'is') {
    const value = filter.value as string;
    expression = value === 'not_null' ? `${column} is not null` : `${column} is ${value}`;
  } else if (filter.op === 'like' || filter.op === 'ilike') {
    const pattern = (filter.value as string).replace(/\*/g, '%');
    expression = `${column}::text ${filter.op} ${params.add(pattern)}`;
  } else {
    expression = `${column} ${COMPARISON[filter.op]} ${params.add(filter.value)}`;
  }
  return filter.negate ? `not (${expression})` : expression;
}

function whereSql(relation: Relation, filters: readonly Filter[], params: Params, alias: string): string {
  if (filters.length === 0) return 'true';
  return filters.map((f) => filterSql(relation, f, params, alias)).join(' and ');
}

function selectList(relation: Relation, select: SelectItem[] | undefined, alias: string): string {
  if (!select) return `${alias}.*`;
  return select
    .map((item) => {
      requireColumn(relation, item.column);
      return `${alias}.${ident(item.column)} as ${ident(item.alias ?? item.column)}`;
    })
    .join(', ');
}

function orderSql(relation: Relation, order: readonly OrderTerm[], alias: string): string {
  if (order.length === 0) return '';
  const terms = order.map((term) => {
    requireColumn(relation, term.column);
    const nulls = term.nulls ? ` nulls ${term.nulls}` : '';
    return `${alias}.${ident(term.column)} ${term.descending ? 'desc' : 'asc'}${nulls}`;
  });
  return ` order by ${terms.join(', ')}`;
}

/** `select … ` as one JSON array text, `body`. */
export function readSql(relation: Relation, query: RestQuery): Sql {
  const params = new Params();
  const where = whereSql(relation, query.filters, params, 't');
  const limit = query.limit !== undefined ? ` limit ${query.limit}` : '';
  const offset = query.offset ? ` offset ${query.offset}` : '';
  const inner =
    `select ${selectList(relation, query.select, 't')} from ${qualified(relation.schema, relation.name)} t` +
    ` where ${where}${orderSql(relation, query.order, 't')}${limit}${offset}`;
  return { text: `select coalesce(json_agg(r), '[]'::json)::text as body from (${inner}) r`, values: params.values };
}

export function countSql(relation: Relation, query: RestQuery): Sql {
  const params = new Params();
  const where = whereSql(relation, query.filters, params, 't');
  return { text: `select count(*)::bigint as count from ${qualified(relation.schema, relation.name)} t where ${where}`, values: params.values };
}

function returning(relation: Relation, query: RestQuery, prefer: Prefer, cte: string): string {
  if (!prefer.returnRepresentation) return `select null::text as body, (select count(*) from ${cte})::bigint as count`;
  return (
    `select coalesce(json_agg(r), '[]'::json)::text as body, (select count(*) from ${cte})::bigint as count ` +
    `from (select ${selectList(relation, query.select, 'x')} from ${cte} x) r`
  );
}

function insertColumns(relation: Relation, rows: Record<string, unknown>[], query: RestQuery): string[] {
  const names = query.columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  for (const name of names) {
    if (!relation.columns.has(name)) {
      throw new HttpError(400, {
        code: 'PGRST204',
        message: `Could not find the '${name}' column of '${relation.name}' in the schema cache`,
        details: null,
        hint: null,
      });
    }
  }
  return names;
}

export function insertSql(relation: Relation, body: unknown, query: RestQuery, prefer: Prefer): Sql {
  const rows = Array.isArray(body) ? body : [body];
  if (rows.length === 0 || rows.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))) {
    throw new HttpError(400, { code: 'PGRST102', message: 'Insert needs a JSON object or a non-empty array of objects', details: null, hint: null });
  }
  const params = new Params();
  const table = qualified(relation.schema, relation.name);
  const columns = insertColumns(relation, rows as Record<string, unknown>[], query);
  const list = columns.map(ident).join(', ');
  let conflict = '';
  if (prefer.resolution) {
    const target = query.onConflict ?? relation.primaryKey;
    if (target.length === 0) throw new HttpError(400, { code: 'PGRST100', message: `Upsert on ${relation.name} needs on_conflict (it has no primary key)`, details: null, hint: null });
    target.forEach((c) => requireColumn(relation, c));
    const updates = columns.filter((c) => !target.includes(c)).map((c) => `${ident(c)} = excluded.${ident(c)}`);
    conflict =
      prefer.resolution === 'ignore-duplicates' || updates.length === 0
        ? ` on conflict (${target.map(ident).join(', ')}) do nothing`
        : ` on conflict (${target.map(ident).join(', ')}) do update set ${updates.join(', ')}`;
  }
  // Missing keys are NULL, as PostgREST does, unless `Prefer: missing=default` asks for the
  // column defaults: then each row is its own VALUES tuple with DEFAULT where a key is absent.
  const source = prefer.missingDefault
    ? `values ${(rows as Record<string, unknown>[])
        .map((row) => {
          const record = `json_populate_record(null::${table}, ${params.add(JSON.stringify(row))}::json)`;
          return `(${columns.map((c) => (c in row ? `(${record}).${ident(c)}` : 'default')).join(', ')})`;
        })
        .join(', ')}`
    : `select ${list} from json_populate_recordset(null::${table}, ${params.add(JSON.stringify(rows))}::json)`;
  const text =
    `with pgrst_affected as (insert into ${table} (${list}) ${source}${conflict} returning *) ` +
    returning(relation, query, prefer, 'pgrst_affected');
  return { text, values: params.values };
}

export function updateSql(relation: Relation, body: unknown, query: RestQuery, prefer: Prefer): Sql {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, { code: 'PGRST102', message: 'Update needs a JSON object', details: null, hint: null });
  }
  const params = new Params();
  const table = qualified(relation.schema, relation.name);
  const columns = insertColumns(relation, [body as Record<string, unknown>], { ...query, columns: undefined });
  if (columns.length === 0) throw new HttpError(400, { code: 'PGRST102', message: 'Update needs at least one column', details: null, hint: null });
  const record = params.add(JSON.stringify(body));
  const where = whereSql(relation, query.filters, params, 't');
  const set = columns.map((c) => `${ident(c)} = pgrst_body.${ident(c)}`).join(', ');
  const text =
    `with pgrst_affected as (update ${table} t set ${set} from json_populate_record(null::${table}, ${record}::json) pgrst_body ` +
    `where ${where} returning t.*) ${returning(relation, query, prefer, 'pgrst_affected')}`;
  return { text, values: params.values };
}

export function deleteSql(relation: Relation, query: RestQuery, prefer: Prefer): Sql {
  const params = new Params();
  const where = whereSql(relation, query.filters, params, 't');
  const text =
    `with pgrst_affected as (delete from ${qualified(relation.schema, relation.name)} t where ${where} returning t.*) ` +
    returning(relation, query, prefer, 'pgrst_affected');
  return { text, values: params.values };
}

export function rpcSql(routine: RoutineInfo, args: Record<string, unknown>): Sql {
  const params = new Params();
  const named = Object.entries(args).map(([name, value]) => {
    if (!routine.argNames.includes(name)) {
      throw new HttpError(404, {
        code: 'PGRST202',
        message: `Could not find the function ${routine.schema}.${routine.name}(${Object.keys(args).join(', ')}) in the schema cache`,
        details: null,
        hint: null,
      });
    }
    // An array argument takes a JSON array as the array (node-postgres writes it as an array literal).
    const v = Array.isArray(value) && routine.arrayArgs.has(name) ? value.map((x) => (x === null || typeof x !== 'object' ? x : JSON.stringify(x))) : value !== null && typeof value === 'object' ? JSON.stringify(value) : value === null ? null : String(value);
    return `${ident(name)} => ${params.add(v)}`;
  });
  const call = `${qualified(routine.schema, routine.name)}(${named.join(', ')})`;
  if (routine.returnsSet) return { text: `select coalesce(json_agg(r), '[]'::json)::text as body from ${call} r`, values: params.values };
  if (routine.returnTypeKind === 'c') return { text: `select to_json(r)::text as body from ${call} r`, values: params.values };
  if (routine.returnType === 'void') return { text: `select ${call}, null::text as body`, values: params.values };
  return { text: `select to_json(${call})::text as body`, values: params.values };
}
