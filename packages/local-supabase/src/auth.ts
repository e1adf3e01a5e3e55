// `/auth/v1`: the part of GoTrue that supabase-js uses — email/password sign-up (auto-confirmed,
// as `supabase start` does without SMTP), password and refresh-token grants with rotating
// single-use refresh tokens, the current user, and logout. Passwords are bcrypt hashes.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import bcrypt from 'bcryptjs';
import type pg from 'pg';
import { apikeyOf, bearer, HttpError, parseJsonObject, readBody, sendJson } from './http';
import { JwtError, type Keys } from './keys';
import { inTransaction } from './transaction';

export interface AuthOptions {
  pool: pg.Pool;
  keys: Keys;
  /** Issuer, `${API_URL}/auth/v1`. */
  issuer: string;
  /** Access-token lifetime in seconds (Supabase default 3600). */
  jwtExpiry: number;
  /** bcrypt cost (GoTrue uses 10). */
  bcryptCost?: number;
}

interface UserRow {
  id: string;
  email: string;
  encrypted_password: string | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  email_confirmed_at: string | null;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
  is_anonymous: boolean;
}

const USER_COLUMNS = `id, email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
  to_json(email_confirmed_at) #>> '{}' as email_confirmed_at, to_json(last_sign_in_at) #>> '{}' as last_sign_in_at,
  to_json(created_at) #>> '{}' as created_at, to_json(updated_at) #>> '{}' as updated_at, is_anonymous`;

function authError(status: number, errorCode: string, msg: string, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError(status, { code: status, error_code: errorCode, msg, ...extra });
}

function userJson(user: UserRow): Record<string, unknown> {
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    email_confirmed_at: user.email_confirmed_at,
    phone: '',
    confirmed_at: user.email_confirmed_at,
    last_sign_in_at: user.last_sign_in_at,
    app_metadata: user.raw_app_meta_data ?? { provider: 'email', providers: ['email'] },
    user_metadata: user.raw_user_meta_data ?? {},
    identities: [],
    created_at: user.created_at,
    updated_at: user.updated_at,
    is_anonymous: user.is_anonymous,
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A used refresh token presented again this soon counts as a concurrent refresh (GoTrue: 10 s). */
const REUSE_INTERVAL_MS = 10_000;

export function createAuthHandler(options: AuthOptions) {
  const { pool, keys } = options;
  const cost = options.bcryptCost ?? 10;

  async function issueSession(client: pg.ClientBase, user: UserRow, sessionId?: string, parent?: string): Promise<Record<string, unknown>> {
    const session =
      sessionId ?? (await client.query<{ id: string }>('insert into auth.sessions (user_id) values ($1) returning id', [user.id])).rows[0]!.id;
    const refreshToken = randomBytes(18).toString('base64url');
    await client.query('insert into auth.refresh_tokens (token, user_id, session_id, parent) values ($1, $2, $3, $4)', [
      refreshToken,
      user.id,
      session,
      parent ?? null,
    ]);
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await keys.sign(
      {
        iss: options.issuer,
        sub: user.id,
        aud: 'authenticated',
        email: user.email,
        phone: '',
        app_metadata: user.raw_app_meta_data ?? { provider: 'email', providers: ['email'] },
        user_metadata: user.raw_user_meta_data ?? {},
        role: 'authenticated',
        aal: 'aal1',
        amr: [{ method: parent ? 'token_refresh' : 'password', timestamp: now }],
        session_id: session,
        is_anonymous: false,
      },
      options.jwtExpiry,
    );
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: options.jwtExpiry,
      expires_at: now + options.jwtExpiry,
      refresh_token: refreshToken,
      user: userJson(user),
    };
  }


  async function credentials(req: IncomingMessage): Promise<{ email: string; password: string; data?: unknown }> {
    const body = parseJsonObject(await readBody(req, 64 * 1024));
    const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!email || !EMAIL.test(email)) throw authError(400, 'validation_failed', 'Unable to validate email address: invalid format');
    return { email, password, data: body.data };
  }

  async function currentUser(req: IncomingMessage): Promise<{ user: UserRow; sessionId?: string }> {
    const token = bearer(req);
    if (!token) throw authError(401, 'no_authorization', 'This endpoint requires a Bearer token');
    let claims;
    try {
      claims = await keys.verify(token);
    } catch (error) {
      const expired = error instanceof JwtError && error.expired;
      throw authError(403, 'bad_jwt', expired ? 'invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired' : `invalid JWT: ${(error as Error).message}`);
    }
    if (claims.role !== 'authenticated' || !claims.sub) throw authError(403, 'bad_jwt', 'invalid claim: missing sub claim');
    const { rows } = await pool.query<UserRow>(`select ${USER_COLUMNS} from auth.users where id = $1`, [claims.sub]);
    if (!rows[0]) throw authError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
    return { user: rows[0], sessionId: claims.session_id };
  }

  const routes: Record<string, (req: IncomingMessage, url: URL) => Promise<{ status: number; body?: unknown }>> = {
    'POST /signup': async (req) => {
      const { email, password, data } = await credentials(req);
      if (password.length < 6) {
        throw authError(422, 'weak_password', 'Password should be at least 6 characters.', { weak_password: { reasons: ['length'] } });
      }
      const hash = await bcrypt.hash(password, cost);
      const body = await inTransaction(pool, async (client) => {
        const existing = await client.query('select 1 from auth.users where lower(email) = $1', [email]);
        if (existing.rowCount) throw authError(422, 'user_already_exists', 'User already registered');
        const { rows } = await client.query<UserRow>(
          `insert into auth.users (email, encrypted_password, email_confirmed_at, last_sign_in_at, raw_app_meta_data, raw_user_meta_data)
           values ($1, $2, now(), now(), '{"provider":"email","providers":["email"]}', $3) returning ${USER_COLUMNS}`,
          [email, hash, JSON.stringify(data && typeof data === 'object' ? data : {})],
        );
        return issueSession(client, rows[0]!);
      });
      return { status: 200, body };
    },

    'POST /token': async (req, url) => {
      const grant = url.searchParams.get('grant_type');
      if (grant === 'password') {
        const { email, password } = await credentials(req);
        const { rows } = await pool.query<UserRow>(`select ${USER_COLUMNS} from auth.users where lower(email) = $1`, [email]);
        const user = rows[0];
        if (!user?.encrypted_password || !(await bcrypt.compare(password, user.encrypted_password))) {
          throw authError(400, 'invalid_credentials', 'Invalid login credentials');
        }
        const body = await inTransaction(pool, async (client) => {
          await client.query('update auth.users set last_sign_in_at = now() where id = $1', [user.id]);
          return issueSession(client, user);
        });
        return { status: 200, body };
      }
      if (grant === 'refresh_token') {
        const body = parseJsonObject(await readBody(req, 64 * 1024));
        const token = typeof body.refresh_token === 'string' ? body.refresh_token : '';
        if (!token) throw authError(400, 'validation_failed', 'refresh_token required');
        const session = await inTransaction(pool, async (client) => {
          const { rows } = await client.query<{ user_id: string; session_id: string; revoked: boolean; reusable: boolean }>(
            `select user_id, session_id, revoked, updated_at > now() - make_interval(secs => $2::float8 / 1000) as reusable
               from auth.refresh_tokens where token = $1 for update`,
            [token, REUSE_INTERVAL_MS],
          );
          const row = rows[0];
          if (!row) throw authError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
          // A used token presented again: within a few seconds it is two clients of one sign-in
          // refreshing at once (allowed, as GoTrue's reuse interval); later it is a stolen or
          // replayed token, and the whole sign-in is ended (every token of the session revoked).
          if (row.revoked && !row.reusable) return { reused: row.session_id };
          await client.query('update auth.refresh_tokens set revoked = true, updated_at = case when revoked then updated_at else now() end where token = $1', [token]);
          await client.query('update auth.sessions set updated_at = now() where id = $1', [row.session_id]);
          const user = (await client.query<UserRow>(`select ${USER_COLUMNS} from auth.users where id = $1`, [row.user_id])).rows[0];
          if (!user) throw authError(400, 'user_not_found', 'User not found');
          return issueSession(client, user, row.session_id, token);
        });
        if ('reused' in session) {
          await pool.query('update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1', [session.reused]);
          await pool.query('delete from auth.sessions where id = $1', [session.reused]);
          throw authError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used (the sign-in it belongs to has been ended; sign in again)');
        }
        return { status: 200, body: session };
      }
      throw authError(400, 'validation_failed', `Unsupported grant_type "${grant ?? ''}"; use password or refresh_token`);
    },

    'GET /user': async (req) => ({ status: 200, body: userJson((await currentUser(req)).user) }),

    'PUT /user': async (req) => {
      const { user } = await currentUser(req);
      const body = parseJsonObject(await readBody(req, 64 * 1024));
      if (body.password !== undefined && (typeof body.password !== 'string' || body.password.length < 6)) {
        throw authError(422, 'weak_password', 'Password should be at least 6 characters.', { weak_password: { reasons: ['length'] } });
      }
      const hash = typeof body.password === 'string' ? await bcrypt.hash(body.password, cost) : null;
      const data = body.data && typeof body.data === 'object' ? JSON.stringify(body.data) : null;
      const { rows } = await pool.query<UserRow>(
        `update auth.users set encrypted_password = coalesce($2, encrypted_password),
                raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || coalesce($3::jsonb, '{}'::jsonb), updated_at = now()
          where id = $1 returning ${USER_COLUMNS}`,
        [user.id, hash, data],
      );
      return { status: 200, body: userJson(rows[0]!) };
    },

    'POST /logout': async (req, url) => {
      const { user, sessionId } = await currentUser(req);
      const scope = url.searchParams.get('scope') ?? 'global';
      if (scope === 'local') await pool.query('delete from auth.sessions where id = $1', [sessionId ?? null]);
      else if (scope === 'others') await pool.query('delete from auth.sessions where user_id = $1 and id is distinct from $2', [user.id, sessionId ?? null]);
      else await pool.query('delete from auth.sessions where user_id = $1', [user.id]);
      return { status: 204 };
    },

    'GET /health': async () => ({ status: 200, body: { version: 'session-stream-local', name: 'GoTrue', description: 'local Supabase-compatible Auth' } }),

    'GET /settings': async () => ({
      status: 200,
      body: { external: { email: true, phone: false }, disable_signup: false, mailer_autoconfirm: true, phone_autoconfirm: false, sms_provider: '' },
    }),
  };

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    const route = routes[`${req.method} /${path}`];
    if (!route) throw authError(404, 'not_found', `No Auth route ${req.method} /auth/v1/${path}`);
    if (path !== 'health') {
      const apikey = apikeyOf(req, url);
      if (!apikey || !(await keys.isProjectKey(apikey))) {
        throw new HttpError(401, { message: apikey ? 'Invalid API key' : 'No API key found in request' });
      }
    }
    const { status, body } = await route(req, url);
    if (status === 204) {
      res.writeHead(204);
      res.end();
    } else sendJson(res, status, body);
  };
}
