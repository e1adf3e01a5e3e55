// One SQL query as the database's admin (straight to PostgreSQL, past RLS): what tests read back to
// check what the product stored.
import { adminClient } from '@agent-session-stream/local-supabase/testing';

export async function query<T>(sql: string, params: unknown[]): Promise<T[]> {
  const admin = await adminClient();
  try {
    return (await admin.query(sql, params)).rows as T[];
  } finally {
    await admin.end();
  }
}
