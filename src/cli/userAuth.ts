// Who the command line acts as when it writes an agent's session: a user, never the service-role
// key. In order: SUPABASE_ACCESS_TOKEN; SESSION_STREAM_EMAIL + SESSION_STREAM_PASSWORD; the sign-in
// saved by `session-stream login` (a refresh token in a file only the user can read, rotated as
// supabase-js refreshes it); with none of these and the local stack's env file, its demo user.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { createSupabaseClient, isUnreachable, unreachableMessage } from '../core/supabaseClient';
import { Journal } from '../worker/journal';
import { UsageError } from './args';
import { resolveConnection, type Connection } from './connection';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../shared/localDefaults';

export interface SavedLogin {
  url: string;
  anonKey: string;
  email?: string;
  /** A refresh token (password sign-in) … */
  refreshToken?: string;
  /** … or an access token given with --token (used until it expires). */
  accessToken?: string;
  savedAt: string;
}

export interface SignedInUser {
  connection: Connection;
  userId: string;
  /** The user's address, when the sign-in tells it. */
  email?: string;
  /** For messages: "you@example.com (saved login)". */
  who: string;
  /** A client that acts as the user (REST and Realtime), its token refreshed while it runs. */
  client: SupabaseClient;
  /** The auth session this sign-in belongs to (the access token's `session_id`), when it has one. */
  authSession(): Promise<string | undefined>;
  dispose(): void;
}

/** Where `login` keeps its file: SESSION_STREAM_CONFIG_DIR, else $XDG_CONFIG_HOME or ~/.config. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SESSION_STREAM_CONFIG_DIR ?? path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'session-stream');
}

const loginFile = (env?: NodeJS.ProcessEnv) => path.join(configDir(env), 'login.json');

export function readLogin(env?: NodeJS.ProcessEnv): SavedLogin | undefined {
  const file = loginFile(env);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SavedLogin;
  } catch {
    throw new UsageError(`${file} is not a saved login (not JSON). Run \`session-stream logout\` and \`session-stream login\` again.`);
  }
}

/** Writes the login readable by the user only (0600 in a 0700 folder). */
export function saveLogin(login: SavedLogin, env?: NodeJS.ProcessEnv): string {
  const file = loginFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function removeLogin(env?: NodeJS.ProcessEnv): boolean {
  const file = loginFile(env);
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

/**
 * The user's secret for event ids on this machine (32 random bytes in `event-id-key`, readable by
 * the user only), made at first use: `watch` derives each session's ids from it.
 */
export function eventIdKey(env: NodeJS.ProcessEnv = process.env): string {
  const file = path.join(configDir(env), 'event-id-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(key)) return key;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

/**
 * The on-disk queue of this machine's writers to one project, as one identity (the service-role
 * key, or one user): events a killed process left are stored by the next one (see journal.ts).
 */
export function workerJournal(url: string, who: 'service' | string, env: NodeJS.ProcessEnv = process.env): Journal {
  const project = createHash('sha256').update(url).digest('hex').slice(0, 16);
  return new Journal(path.join(configDir(env), 'journal', `${project}-${who === 'service' ? 'service' : `user-${who}`}`));
}

/** The project to write to: SUPABASE_URL (+ key), else the saved login's, else the local stack's env file. */
export function writerConnection(env: NodeJS.ProcessEnv = process.env): { connection: Connection; login?: SavedLogin } {
  if (!env.SUPABASE_URL) {
    const login = readLogin(env);
    if (login) return { connection: { url: login.url, anonKey: login.anonKey, source: `the saved login (${loginFile(env)})` }, login };
  }
  const connection = resolveConnection(['anonKey'], env);
  const login = readLogin(env);
  return { connection, login: login && login.url === connection.url ? login : undefined };
}

function sessionOf(accessToken: string): string | undefined {
  const claim = decodeJwt(accessToken).session_id;
  return typeof claim === 'string' && claim ? claim : undefined;
}

function userIdOf(accessToken: string): string {
  const sub = decodeJwt(accessToken).sub;
  if (!sub) throw new UsageError('The access token names no user (no "sub" claim); use a user’s token, not an API key.');
  return sub;
}

/** Signs in as the user who owns the sessions this command writes. */
export async function signedInUser(env: NodeJS.ProcessEnv = process.env): Promise<SignedInUser> {
  const { connection, login } = writerConnection(env);
  const key = connection.anonKey!;
  const fixed = (accessToken: string, who: string): SignedInUser => {
    const exp = decodeJwt(accessToken).exp;
    if (exp && exp * 1000 < Date.now()) throw new UsageError(`The access token of ${who} expired at ${new Date(exp * 1000).toISOString()}. Sign in again: session-stream login.`);
    const email = decodeJwt(accessToken).email;
    return { connection, userId: userIdOf(accessToken), ...(typeof email === 'string' ? { email } : {}), who, client: createSupabaseClient(connection.url, key, { accessToken: () => Promise.resolve(accessToken) }), authSession: () => Promise.resolve(sessionOf(accessToken)), dispose() {} };
  };
  if (env.SUPABASE_ACCESS_TOKEN) return fixed(env.SUPABASE_ACCESS_TOKEN, 'SUPABASE_ACCESS_TOKEN');

  // A password or a saved refresh token: a session supabase-js refreshes while the command runs.
  const auth = createSupabaseClient(connection.url, key, { autoRefreshToken: true }).auth;
  let who: string;
  let result;
  if (env.SESSION_STREAM_EMAIL && env.SESSION_STREAM_PASSWORD) {
    who = env.SESSION_STREAM_EMAIL;
    result = await auth.signInWithPassword({ email: env.SESSION_STREAM_EMAIL, password: env.SESSION_STREAM_PASSWORD });
  } else if (login?.accessToken) {
    return fixed(login.accessToken, `${login.email ?? 'the saved token'} (saved login)`);
  } else if (login?.refreshToken) {
    who = `${login.email ?? 'you'} (saved login)`;
    result = await auth.refreshSession({ refresh_token: login.refreshToken });
    if (result.error && !isUnreachable(result.error.message)) throw new UsageError(`The saved login of ${login.email ?? 'this user'} is no longer valid (${result.error.message}). Sign in again: session-stream login.`);
  } else if (connection.source !== 'the environment') {
    who = `${DEMO_EMAIL} (the local stack's demo user)`;
    await signInOrUp(connection, DEMO_EMAIL, DEMO_PASSWORD);
    result = await auth.signInWithPassword({ email: DEMO_EMAIL, password: DEMO_PASSWORD });
  } else {
    throw new UsageError('Who are you? Sign in first: session-stream login (or set SUPABASE_ACCESS_TOKEN, or SESSION_STREAM_EMAIL and SESSION_STREAM_PASSWORD).');
  }
  if (result.error || !result.data.session) {
    const message = result.error?.message ?? 'no session';
    if (isUnreachable(message)) throw new Error(unreachableMessage(connection.url, message));
    throw new UsageError(`Could not sign in as ${who}: ${message}`);
  }
  // Refresh tokens rotate: keep the newest, or the next command would present a used one.
  const subscription = login?.refreshToken
    ? auth.onAuthStateChange((event, session) => {
        if ((event === 'TOKEN_REFRESHED' || event === 'SIGNED_IN') && session?.refresh_token) saveLogin({ ...login, refreshToken: session.refresh_token, savedAt: new Date().toISOString() }, env);
      }).data.subscription
    : undefined;
  if (login?.refreshToken && result.data.session.refresh_token) saveLogin({ ...login, refreshToken: result.data.session.refresh_token, savedAt: new Date().toISOString() }, env);
  const client = createSupabaseClient(connection.url, key, { accessToken: async () => (await auth.getSession()).data.session?.access_token ?? null });
  return {
    connection,
    userId: result.data.user!.id,
    ...(result.data.user!.email ? { email: result.data.user!.email } : {}),
    who,
    client,
    authSession: async () => {
      const token = (await auth.getSession()).data.session?.access_token;
      return token ? sessionOf(token) : undefined;
    },
    dispose: () => {
      subscription?.unsubscribe();
      void auth.stopAutoRefresh();
      void client.realtime.disconnect();
    },
  };
}

/** Signs the user in, or up when they do not exist yet; returns their id and access token. */
export async function signInOrUp(connection: Connection, email: string, password: string): Promise<{ userId: string; accessToken: string }> {
  const auth = createSupabaseClient(connection.url, connection.anonKey!).auth;
  let result = await auth.signInWithPassword({ email, password });
  if (result.error && /invalid login credentials/i.test(result.error.message)) {
    const signUp = await auth.signUp({ email, password });
    if (signUp.error) throw new Error(`Could not sign up ${email}: ${signUp.error.message}`);
    result = await auth.signInWithPassword({ email, password });
  }
  if (result.error || !result.data.session) {
    const message = result.error?.message ?? 'no session';
    throw new Error(isUnreachable(message) ? unreachableMessage(connection.url, message) : `Could not sign in ${email}: ${message}`);
  }
  return { userId: result.data.user.id, accessToken: result.data.session.access_token };
}
