// The local Realtime's RLS check for a captured change (src/realtime/visibility.ts), on
// the real database. A change reaches the gateway as its transaction commits, a moment before new
// snapshots see the row: the check must never call such a row "hidden" and drop it.
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Claims } from '../src/keys';
import { createLogger } from '../src/log';
import { VisibilityChecker, type RowRef } from '../src/realtime/visibility';
import { adminClient, createUser, database, insertSession } from '../testing';

describe('local Realtime: deciding who may see a changed row', function () {
  this.timeout(20_000);

  it('a row that becomes visible between the subscriber’s read and the existence read is sent, not called hidden', async () => {
    const admin = await adminClient();
    const writer = await adminClient();
    const pool = new pg.Pool({ connectionString: database().url, max: 4 });
    try {
      const userId = await createUser(admin);
      const sessionId = await insertSession(admin, userId);
      // The event's transaction is open: nobody sees the row yet.
      await writer.query('begin');
      const { rows } = await writer.query<{ id: string }>("insert into public.session_events (session_id, event_type, event_data) values ($1, 'thinking', '{\"iteration\":1,\"toolsUsed\":[]}') returning id", [sessionId]);
      // It commits right after the subscriber's read has run (and missed it) — as when a change
      // arrives just before its commit is visible to new snapshots.
      let committed = false;
      const connect = pool.connect.bind(pool);
      (pool as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
        const client = await connect();
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
          const result = await query(...args);
          if (!committed && typeof args[0] === 'string' && args[0].includes('join unnest')) {
            committed = true;
            await writer.query('commit');
          }
          return result;
        };
        return client;
      };
      const checker = new VisibilityChecker(pool, createLogger('visibility-test', 'silent'));
      const ref: RowRef = { schema: 'public', table: 'session_events', key: [{ name: 'id', type: 'uuid' }], values: [rows[0]!.id] };
      const claims = { role: 'authenticated', sub: userId, aud: 'authenticated' } as Claims;
      assert.equal(await checker.visible(claims, `user:${userId}`, ref), true, 'the owner may see it: it must be sent');
      assert.ok(committed, 'the commit happened between the two reads');
      assert.equal(checker.invisible, 0);

      const strangerId = await createUser(admin);
      const stranger = { role: 'authenticated', sub: strangerId, aud: 'authenticated' } as Claims;
      assert.equal(await checker.visible(stranger, `user:${strangerId}`, ref), false, 'someone else may not');
      assert.equal(checker.invisible, 1);
    } finally {
      await writer.query('rollback').catch(() => undefined);
      await Promise.all([admin.end(), writer.end(), pool.end()]);
    }
  });
});
