// One transaction on a pooled connection, committed unless `work` throws. While checked out, a
// client has no listener of the pool's: if PostgreSQL goes away mid-transaction (a restart, the
// fault matrix), pg emits 'error' on the client as well as rejecting the query — unheard, that
// event would crash the gateway. It is heard here, and such a client is not put back in the pool.
import type pg from 'pg';

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const onError = () => (broken = true);
  client.on('error', onError);
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => (broken = true));
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
