// Who is calling: the `apikey` must be one of the project's keys (as Supabase's API gateway
// checks), and the Bearer JWT (or, without one, the apikey itself) decides the database role.
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import { apikeyOf, bearer, HttpError } from './http';
import { JwtError, type Claims, type Keys } from './keys';
import { inTransaction } from './transaction';

export async function requestClaims(keys: Keys, req: IncomingMessage, url: URL): Promise<Claims> {
  const apikey = apikeyOf(req, url);
  if (!apikey) {
    throw new HttpError(401, { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
  }
  if (!(await keys.isProjectKey(apikey))) throw new HttpError(401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
  const token = bearer(req) ?? apikey;
  try {
    return await keys.verify(token);
  } catch (error) {
    const expired = error instanceof JwtError && error.expired;
    throw new HttpError(401, {
      code: expired ? 'PGRST303' : 'PGRST301',
      message: expired ? 'JWT expired' : (error as Error).message,
      details: null,
      hint: null,
    });
  }
}

/**
 * Runs `work` in one transaction as the JWT's role with `request.jwt.claims` set, exactly the
 * settings PostgREST makes, so auth.uid() and RLS behave as on Supabase — and with the role's own
 * settings (`alter role … set`, e.g. hosted Supabase's statement_timeout of 3 s for anon and 8 s
 * for authenticated), which PostgREST applies when it takes on a role: a role switched to with
 * SET ROLE would not get them from PostgreSQL. Commits unless it throws.
 */
export function withClaims<T>(pool: pg.Pool, claims: Claims, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, async (client) => {
    await client.query(
      `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
              set_config('request.jwt.claim.sub', $3, true), set_config('request.jwt.claim.role', $1, true),
              (select count(set_config(split_part(cfg, '=', 1), substr(cfg, strpos(cfg, '=') + 1), true))
                 from pg_db_role_setting s join pg_roles r on r.oid = s.setrole, unnest(s.setconfig) as cfg
                where r.rolname = $1 and s.setdatabase in (0, (select oid from pg_database where datname = current_database())))`,
      [claims.role, JSON.stringify(claims), claims.sub ?? ''],
    );
    return work(client);
  });
}
