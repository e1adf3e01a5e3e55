// What PostgREST calls its schema cache: the exposed tables, views and functions, so identifiers
// in a request can be checked against the catalog before they reach SQL.
import type pg from 'pg';
import { HttpError } from '../http';

export interface Column {
  name: string;
  type: string;
}

export interface Relation {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: Map<string, Column>;
  primaryKey: string[];
}

export interface RoutineInfo {
  schema: string;
  name: string;
  argNames: string[];
  /** The input arguments that are arrays (a JSON array in the request is then a PostgreSQL array, as PostgREST makes it). */
  arrayArgs: Set<string>;
  returnsSet: boolean;
  /** 'b' base, 'c' composite, 'p' pseudo (void, record…), 'd' domain, 'e' enum… */
  returnTypeKind: string;
  returnType: string;
}

export class Catalog {
  private relations = new Map<string, Relation>();
  private routines = new Map<string, RoutineInfo>();
  private reloading: Promise<void> | undefined;

  constructor(readonly schemas: readonly string[]) {}

  async load(client: pg.ClientBase): Promise<void> {
    const relations = new Map<string, Relation>();
    const { rows } = await client.query<{ schema: string; name: string; relkind: string; column: string; type: string }>(
      `select n.nspname as schema, c.relname as name, c.relkind, a.attname as column, t.typname as type
         from pg_class c
         join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         join pg_type t on t.oid = a.atttypid
        where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        order by c.relname, a.attnum`,
      [this.schemas],
    );
    for (const row of rows) {
      const key = `${row.schema}.${row.name}`;
      let relation = relations.get(key);
      if (!relation) {
        relation = { schema: row.schema, name: row.name, kind: row.relkind === 'v' || row.relkind === 'm' ? 'view' : 'table', columns: new Map(), primaryKey: [] };
        relations.set(key, relation);
      }
      relation.columns.set(row.column, { name: row.column, type: row.type });
    }
    const keys = await client.query<{ schema: string; name: string; columns: string[] }>(
      `select n.nspname as schema, c.relname as name,
              array(select a.attname from unnest(k.conkey) with ordinality u(attnum, i)
                      join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum order by u.i)::text[] as columns
         from pg_constraint k
         join pg_class c on c.oid = k.conrelid
         join pg_namespace n on n.oid = c.relnamespace
        where k.contype = 'p' and n.nspname = any($1)`,
      [this.schemas],
    );
    for (const key of keys.rows) relations.get(`${key.schema}.${key.name}`)?.primaryKey.push(...key.columns);

    const routines = new Map<string, RoutineInfo>();
    const procs = await client.query<{ schema: string; name: string; arg_names: string[] | null; arg_categories: string[]; proretset: boolean; typtype: string; typname: string }>(
      `select n.nspname as schema, p.proname as name, p.proargnames as arg_names, p.proretset, t.typtype, t.typname,
              array(select a.typcategory::text from unnest(p.proargtypes) with ordinality u(oid, i) join pg_type a on a.oid = u.oid order by u.i) as arg_categories
         from pg_proc p
         join pg_namespace n on n.oid = p.pronamespace
         join pg_type t on t.oid = p.prorettype
        where n.nspname = any($1) and p.prokind = 'f'`,
      [this.schemas],
    );
    for (const p of procs.rows) {
      routines.set(`${p.schema}.${p.name}`, {
        schema: p.schema,
        name: p.name,
        argNames: p.arg_names ?? [],
        // proargnames lists the input arguments first, in the order of proargtypes.
        arrayArgs: new Set((p.arg_names ?? []).filter((_, i) => p.arg_categories[i] === 'A')),
        returnsSet: p.proretset,
        returnTypeKind: p.typtype,
        returnType: p.typname,
      });
    }
    this.relations = relations;
    this.routines = routines;
  }

  /**
   * Reloads after a miss, so tables and functions created after start are found (hosted Supabase
   * reloads PostgREST's cache on DDL). Concurrent misses share one reload.
   */
  private reload(client: pg.ClientBase): Promise<void> {
    this.reloading ??= this.load(client).finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  /** Looks a relation up; reloads the cache once when it is unknown. */
  async relation(client: pg.ClientBase, schema: string, name: string): Promise<Relation> {
    let relation = this.relations.get(`${schema}.${name}`);
    if (!relation) {
      await this.reload(client);
      relation = this.relations.get(`${schema}.${name}`);
    }
    if (!relation) {
      throw new HttpError(404, {
        code: 'PGRST205',
        message: `Could not find the table '${schema}.${name}' in the schema cache`,
        details: null,
        hint: null,
      });
    }
    return relation;
  }

  async routine(client: pg.ClientBase, schema: string, name: string): Promise<RoutineInfo> {
    let routine = this.routines.get(`${schema}.${name}`);
    if (!routine) {
      await this.reload(client);
      routine = this.routines.get(`${schema}.${name}`);
    }
    if (!routine) {
      throw new HttpError(404, {
        code: 'PGRST202',
        message: `Could not find the function ${schema}.${name} in the schema cache`,
        details: null,
        hint: null,
      });
    }
    return routine;
  }
}

export function requireColumn(relation: Relation, column: string): Column {
  const found = relation.columns.get(column);
  if (!found) {
    throw new HttpError(400, {
      code: '42703',
      message: `column ${relation.name}.${column} does not exist`,
      details: null,
      hint: null,
    });
  }
  return found;
}
