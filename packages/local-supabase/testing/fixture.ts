import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { LocalPostgres } from '../src/localPostgres';
import type { Stack } from '../src/stack';

/** Shared handles of the integration run (filled by hooks.ts). */
export const fixture: { db?: LocalPostgres; stack?: Stack } = {};

export function stack(): Stack {
  if (!fixture.stack) throw new Error('The integration hooks did not start the stack.');
  return fixture.stack;
}

export function database(): LocalPostgres {
  if (!fixture.db) throw new Error('The integration hooks did not start PostgreSQL.');
  return fixture.db;
}

/** A superuser client for setting up data; the caller ends it. */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database().url });
  await client.connect();
  return client;
}

export type Role = 'anon' | 'authenticated' | 'service_role';

/**
 * Runs `work` in one transaction as `role` with the JWT claims PostgREST would set, so RLS and
 * auth.uid() decide exactly as on Supabase. Rolled back afterwards unless `commit`.
 */
export async function asRole<T>(
  client: pg.Client,
  role: Role,
  claims: Record<string, unknown>,
  work: () => Promise<T>,
  commit = false,
): Promise<T> {
  await client.query('begin');
  try {
    await client.query(`set local role ${role}`);
    await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ role, ...claims })]);
    const result = await work();
    await client.query(commit ? 'commit' : 'rollback');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/** Creates an auth user directly in the database (as GoTrue would) and returns its id. */
export async function createUser(client: pg.Client, email = `user-${randomUUID()}@example.test`): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    'insert into auth.users (email, email_confirmed_at) values ($1, now()) returning id',
    [email],
  );
  return rows[0]!.id;
}

export async function insertSession(client: pg.Client, userId: string, title = 'test session'): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    'insert into public.coding_sessions (user_id, title) values ($1, $2) returning id',
    [userId, title],
  );
  return rows[0]!.id;
}

export async function insertEvent(
  client: pg.Client,
  sessionId: string,
  type = 'thinking',
  data: unknown = { iteration: 1, toolsUsed: ['bash'] },
): Promise<{ id: string; seq: string }> {
  const { rows } = await client.query<{ id: string; seq: string }>(
    'insert into public.session_events (session_id, event_type, event_data) values ($1, $2, $3) returning id, seq',
    [sessionId, type, JSON.stringify(data)],
  );
  return rows[0]!;
}

/** The SQLSTATE of the error `work` throws (fails the test if it does not throw). */
export async function sqlState(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    return (error as { code?: string }).code ?? `no code: ${(error as Error).message}`;
  }
  throw new Error('expected the statement to fail, but it succeeded');
}
