// `/rest/v1`: the part of PostgREST that supabase-js uses, over real PostgreSQL with RLS.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { HttpError, parseJson, parseJsonObject, readBody, sendJson } from '../http';
import type { Keys } from '../keys';
import { requestClaims, withClaims } from '../requestAuth';
import type { Catalog } from './catalog';
import { fromPgError } from './pgErrors';
import { applyRange, parsePrefer, parseRestQuery } from './restQuery';
import { countSql, deleteSql, insertSql, readSql, rpcSql, updateSql, type Sql } from './restSql';

export interface RestOptions {
  pool: pg.Pool;
  catalog: Catalog;
  keys: Keys;
  /** Request bodies above this are refused with 413 (default 1 MiB, PostgREST has no own cap). */
  maxBodyBytes?: number;
}

const OBJECT_MEDIA = 'application/vnd.pgrst.object+json';

function schemaOf(req: IncomingMessage, catalog: Catalog, header: 'accept-profile' | 'content-profile'): string {
  const raw = req.headers[header];
  const schema = (Array.isArray(raw) ? raw[0] : raw) ?? catalog.schemas[0]!;
  if (!catalog.schemas.includes(schema)) {
    throw new HttpError(406, { code: 'PGRST106', message: `The schema must be one of the following: ${catalog.schemas.join(', ')}`, details: null, hint: null });
  }
  return schema;
}

async function one<T extends pg.QueryResultRow>(client: pg.ClientBase, sql: Sql): Promise<T> {
  const { rows } = await client.query<T>(sql.text, sql.values);
  return rows[0]!;
}

export function createRestHandler(options: RestOptions) {
  const { pool, catalog, keys } = options;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    const claims = await requestClaims(keys, req, url);
    const anonymous = claims.role === 'anon';
    const method = req.method ?? 'GET';
    const prefer = parsePrefer([req.headers.prefer ?? []].flat().join(','));
    const wantsObject = (req.headers.accept ?? '').startsWith(OBJECT_MEDIA);
    const segments = path.split('/').filter(Boolean);

    try {
      if (segments[0] === 'rpc' && segments.length === 2) {
        const args = method === 'GET' || method === 'HEAD'
          ? Object.fromEntries(url.searchParams)
          : parseJsonObject(await readBody(req, maxBody));
        const schema = schemaOf(req, catalog, method === 'GET' ? 'accept-profile' : 'content-profile');
        const body = await withClaims(pool, claims, async (client) => {
          const routine = await catalog.routine(client, schema, segments[1]!);
          return (await one<{ body: string | null }>(client, rpcSql(routine, args))).body;
        });
        sendJson(res, 200, body ?? 'null');
        return;
      }
      if (segments.length !== 1) throw new HttpError(404, { code: 'PGRST125', message: `Invalid path: /rest/v1/${path}`, details: null, hint: null });
      const name = segments[0]!;
      const query = parseRestQuery(url.searchParams);

      if (method === 'GET' || method === 'HEAD') {
        applyRange(query, typeof req.headers.range === 'string' ? req.headers.range : undefined);
        const schema = schemaOf(req, catalog, 'accept-profile');
        const { body, count, rows } = await withClaims(pool, claims, async (client) => {
          const relation = await catalog.relation(client, schema, name);
          const body = (await one<{ body: string }>(client, readSql(relation, query))).body;
          const count = prefer.count ? Number((await one<{ count: string }>(client, countSql(relation, query))).count) : undefined;
          return { body, count, rows: (JSON.parse(body) as unknown[]).length };
        });
        const from = query.offset ?? 0;
        const range = rows > 0 ? `${from}-${from + rows - 1}` : '*';
        const headers = { 'Content-Range': `${range}/${count ?? '*'}` };
        if (wantsObject) {
          if (rows !== 1) {
            throw new HttpError(406, {
              code: 'PGRST116',
              message: 'JSON object requested, multiple (or no) rows returned',
              details: `The result contains ${rows} rows`,
              hint: null,
            });
          }
          sendJson(res, 200, method === 'HEAD' ? '' : JSON.stringify((JSON.parse(body) as unknown[])[0]), headers);
          return;
        }
        const partial = count !== undefined && rows < count && rows > 0;
        sendJson(res, partial ? 206 : 200, method === 'HEAD' ? '' : body, headers);
        return;
      }

      if (method !== 'POST' && method !== 'PATCH' && method !== 'DELETE') {
        throw new HttpError(405, { code: 'PGRST117', message: `Unsupported HTTP method: ${method}`, details: null, hint: null });
      }
      if ((method === 'PATCH' || method === 'DELETE') && query.filters.length === 0) {
        // Hosted Supabase loads pg-safeupdate for PostgREST: an unfiltered UPDATE/DELETE is refused.
        throw new HttpError(400, { code: '21000', message: `${method === 'PATCH' ? 'UPDATE' : 'DELETE'} requires a WHERE clause`, details: null, hint: 'Add a filter, e.g. .eq("id", value)' });
      }
      const schema = schemaOf(req, catalog, 'content-profile');
      const payload = method === 'DELETE' ? undefined : parseJson(await readBody(req, maxBody));
      const result = await withClaims(pool, claims, async (client) => {
        const relation = await catalog.relation(client, schema, name);
        const sql =
          method === 'POST'
            ? insertSql(relation, payload, query, prefer)
            : method === 'PATCH'
              ? updateSql(relation, payload, query, prefer)
              : deleteSql(relation, query, prefer);
        return one<{ body: string | null; count: string }>(client, sql);
      });
      const affected = Number(result.count);
      const headers = { 'Content-Range': `${affected > 0 ? `0-${affected - 1}` : '*'}/${prefer.count ? affected : '*'}` };
      if (!prefer.returnRepresentation) {
        res.writeHead(method === 'POST' ? 201 : 204, headers);
        res.end();
        return;
      }
      if (wantsObject) {
        const rows = JSON.parse(result.body ?? '[]') as unknown[];
        if (rows.length !== 1) {
          throw new HttpError(406, { code: 'PGRST116', message: 'JSON object requested, multiple (or no) rows returned', details: `The result contains ${rows.length} rows`, hint: null });
        }
        sendJson(res, method === 'POST' ? 201 : 200, JSON.stringify(rows[0]), headers);
        return;
      }
      sendJson(res, method === 'POST' ? 201 : 200, result.body ?? '[]', headers);
    } catch (error) {
      throw fromPgError(error, anonymous);
    }
  };
}
