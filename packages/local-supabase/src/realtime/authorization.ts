// Realtime Authorization for private channels, as Supabase Realtime does it: the project's RLS
// policies on `realtime.messages` decide. Read: in one transaction probe rows `{topic, extension}`
// are inserted (as service_role), then read back as the joining user — their role, their claims,
// the connection's headers in `request.headers`, and `realtime.topic` set; the rows they can see
// are what they may read. Write: an insert of such a row as the user, which their INSERT policy
// allows or refuses. Both transactions are rolled back. A policy that fails with an error
// authorizes nothing (`PolicyError`), as Realtime treats it; only a database that cannot be
// reached is an error to retry.
import type pg from 'pg';
import type { Claims } from '../keys';
import { inTransaction } from '../transaction';

export type Extension = 'broadcast' | 'presence';

/** Thrown inside the transaction to roll it back with the answer. */
class Answer<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back on purpose');
  }
}

async function rolledBack<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  try {
    await inTransaction(pool, async (client) => {
      throw new Answer(await work(client));
    });
  } catch (error) {
    if (error instanceof Answer) return error.value as T;
    throw error;
  }
  throw new Error('unreachable');
}

/** The request headers of a connection, as policies read them (`current_setting('request.headers')::json`). */
export type RequestHeaders = Record<string, string>;

async function actAs(client: pg.PoolClient, claims: Claims, subTopic: string, headers: RequestHeaders): Promise<void> {
  await client.query(
    `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
            set_config('request.jwt.claim.sub', $3, true), set_config('request.jwt.claim.role', $1, true),
            set_config('realtime.topic', $4, true), set_config('request.headers', $5, true)`,
    [claims.role, JSON.stringify(claims), claims.sub ?? '', subTopic, JSON.stringify(headers)],
  );
}

/** A policy failed with an error: Realtime counts that as not authorized. */
export class PolicyError extends Error {}

/** SQLSTATE classes of a database that cannot answer now (connection, resources, shutdown, system). */
const UNAVAILABLE = /^(08|53|57|58|XX)/;

function policyOrThrow(error: unknown): never {
  const code = (error as { code?: string }).code;
  if (typeof code === 'string' && !UNAVAILABLE.test(code)) throw new PolicyError(`${(error as Error).message} (${code})`);
  throw error;
}

/** Which extensions `claims` may read on `subTopic` (the topic without `realtime:`). */
export function readAuthorization(pool: pg.Pool, claims: Claims, subTopic: string, extensions: readonly Extension[], headers: RequestHeaders = {}): Promise<Set<Extension>> {
  return rolledBack(pool, async (client) => {
    await client.query(`select set_config('role', 'service_role', true)`);
    const probes = await client.query<{ id: string; extension: Extension }>(
      `insert into realtime.messages (topic, extension) select $1, unnest($2::text[]) returning id::text, extension`,
      [subTopic, extensions],
    );
    await actAs(client, claims, subTopic, headers);
    const seen = await client
      .query<{ extension: Extension }>(`select extension from realtime.messages where id = any($1::uuid[]) and topic = $2`, [probes.rows.map((r) => r.id), subTopic])
      .catch(policyOrThrow);
    return new Set(seen.rows.map((r) => r.extension));
  });
}

/** Whether `claims` may send `extension` messages on `subTopic` (the INSERT policy). */
export async function writeAuthorization(pool: pg.Pool, claims: Claims, subTopic: string, extension: Extension, headers: RequestHeaders = {}): Promise<boolean> {
  try {
    return await rolledBack(pool, async (client) => {
      await actAs(client, claims, subTopic, headers);
      await client.query(`insert into realtime.messages (topic, extension) values ($1, $2)`, [subTopic, extension]);
      return true;
    });
  } catch (error) {
    // 42501: the policy refused it; any other error of a policy refuses it too. A database that
    // cannot answer is the caller's to log.
    const code = (error as { code?: string }).code;
    if (code === '42501' || (typeof code === 'string' && !UNAVAILABLE.test(code))) return false;
    throw error;
  }
}

/**
 * Keeps realtime.messages' daily partitions as Realtime does: yesterday to three days ahead exist,
 * older ones are dropped (messages are kept 72 hours). Run with a role that owns the table.
 */
export async function maintainPartitions(client: pg.ClientBase, now = new Date()): Promise<void> {
  const day = (offset: number) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset));
    return d.toISOString().slice(0, 10);
  };
  for (let offset = -1; offset <= 3; offset++) {
    const from = day(offset);
    await client.query(`create table if not exists realtime."messages_${from.replaceAll('-', '_')}" partition of realtime.messages for values from ('${from}') to ('${day(offset + 1)}')`);
  }
  const old = await client.query<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'realtime.messages'::regclass and c.relname < $1`,
    [`messages_${day(-3).replaceAll('-', '_')}`],
  );
  for (const { name } of old.rows) await client.query(`drop table if exists realtime."${name}"`);
}
