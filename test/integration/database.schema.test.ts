import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { MAX_EVENT_DATA_BYTES } from '../../src/shared/events';
import { applyDatabase, findSupabaseDir } from '@agent-session-stream/local-supabase';
import { adminClient, createUser, database, insertEvent, insertSession, sqlState } from '@agent-session-stream/local-supabase/testing';

describe('database schema (real PostgreSQL)', () => {
  let admin: pg.Client;
  let sessionId: string;

  before(async () => {
    admin = await adminClient();
    sessionId = await insertSession(admin, await createUser(admin));
  });
  after(() => admin.end());

  describe('the Realtime verification queries (as in Supabase’s docs)', () => {
    it("session_events has REPLICA IDENTITY FULL (relreplident = 'f')", async () => {
      const { rows } = await admin.query("select relreplident from pg_class where relname = 'session_events'");
      assert.deepEqual(rows, [{ relreplident: 'f' }]);
    });

    it('session_events is in the supabase_realtime publication', async () => {
      const { rows } = await admin.query(
        "select schemaname, tablename from pg_publication_tables where pubname = 'supabase_realtime' and tablename = 'session_events'",
      );
      assert.deepEqual(rows, [{ schemaname: 'public', tablename: 'session_events' }]);
    });

    it('the server runs with wal_level=logical for CDC', async () => {
      const { rows } = await admin.query("select current_setting('wal_level') as level");
      assert.equal(rows[0].level, 'logical');
    });
  });

  it('has the indexes by session and time, type and time, plus (session_id, seq)', async () => {
    const { rows } = await admin.query<{ indexname: string; indexdef: string }>(
      "select indexname, indexdef from pg_indexes where tablename = 'session_events' order by indexname",
    );
    const byName = new Map(rows.map((r) => [r.indexname, r.indexdef]));
    assert.match(byName.get('idx_session_events_session_id') ?? '', /\(session_id, created_at DESC\)/);
    assert.match(byName.get('idx_session_events_type') ?? '', /\(event_type\)/);
    assert.match(byName.get('idx_session_events_created_at') ?? '', /\(created_at DESC\)/);
    assert.match(byName.get('idx_session_events_session_seq') ?? '', /\(session_id, seq\)/);
  });

  it('gives every event a seq that grows in insertion order', async () => {
    const a = await insertEvent(admin, sessionId);
    const b = await insertEvent(admin, sessionId);
    assert.ok(BigInt(b.seq) > BigInt(a.seq));
    assert.equal(await sqlState(() => admin.query("update public.session_events set seq = 1 where id = $1", [a.id])), '428C9');
  });

  describe('CHECK constraints refuse bad rows with their SQLSTATE', () => {
    const cases: Array<[string, () => Promise<unknown>, string, RegExp?]> = [
      ['an unknown event_type', () => insertEvent(admin, sessionId, 'telepathy', {}), '23514', /event_type_check/],
      ['event_data that is an array', () => insertEvent(admin, sessionId, 'thinking', [1, 2]), '23514', /event_data_object_check/],
      ['event_data that is a string', () => insertEvent(admin, sessionId, 'thinking', 'hi'), '23514', /event_data_object_check/],
      ['event_data over the cap', () => insertEvent(admin, sessionId, 'terminal', { output: 'x'.repeat(MAX_EVENT_DATA_BYTES + 1) }), '23514', /event_data_size_check/],
      ['a session_id that does not exist', () => insertEvent(admin, '00000000-0000-4000-8000-000000000000'), '23503'],
      ['a session_id that is not a uuid', () => insertEvent(admin, 'not-a-uuid'), '22P02'],
      ['a null event_type', () => admin.query('insert into public.session_events (session_id, event_type) values ($1, null)', [sessionId]), '23502'],
      ['an unknown session state', () => admin.query("update public.coding_sessions set state = 'exploded' where id = $1", [sessionId]), '23514', /coding_sessions_state_check/],
    ];
    for (const [what, work, code] of cases) {
      it(`refuses ${what} (${code})`, async () => {
        assert.equal(await sqlState(work), code);
      });
    }

    it('names the violated constraint so the error says what is wrong', async () => {
      for (const [, work, , pattern] of cases) {
        if (!pattern) continue;
        await assert.rejects(work(), (error: Error) => pattern.test(error.message));
      }
    });

    it('accepts every known event type and an event just under the size cap', async () => {
      for (const type of ['state_changed', 'thinking', 'terminal', 'file_change', 'completion', 'error', 'files_changed']) {
        await insertEvent(admin, sessionId, type, {});
      }
      await insertEvent(admin, sessionId, 'terminal', { output: 'x'.repeat(MAX_EVENT_DATA_BYTES - 100) });
    });
  });

  it('deletes a session’s events with the session, and sessions with their user', async () => {
    const userId = await createUser(admin);
    const s = await insertSession(admin, userId);
    await insertEvent(admin, s);
    await admin.query('delete from public.coding_sessions where id = $1', [s]);
    const events = await admin.query('select 1 from public.session_events where session_id = $1', [s]);
    assert.equal(events.rowCount, 0);

    const s2 = await insertSession(admin, userId);
    await insertEvent(admin, s2);
    await admin.query('delete from auth.users where id = $1', [userId]);
    const left = await admin.query('select 1 from public.coding_sessions where id = $1', [s2]);
    assert.equal(left.rowCount, 0);
  });

  it('keeps updated_at current on session updates', async () => {
    const before = await admin.query<{ updated_at: Date }>('select updated_at from public.coding_sessions where id = $1', [sessionId]);
    await admin.query("update public.coding_sessions set state = 'running' where id = $1", [sessionId]);
    const after = await admin.query<{ updated_at: Date }>('select updated_at from public.coding_sessions where id = $1', [sessionId]);
    assert.ok(after.rows[0]!.updated_at > before.rows[0]!.updated_at);
  });

  it('applying the schema again to a persistent database applies nothing new', async () => {
    const result = await applyDatabase(database().url, findSupabaseDir());
    assert.deepEqual(result, { migrations: [], seeded: false, asRole: 'postgres' });
  });

  it('migrations run as postgres, no superuser, as `supabase db reset` and hosted Supabase apply them', async () => {
    const { rows } = await admin.query<{ owner: string; rolsuper: boolean; rolbypassrls: boolean; member: boolean }>(
      `select t.tableowner as owner, r.rolsuper, r.rolbypassrls, pg_has_role('postgres', 'authenticated', 'member') and pg_has_role('postgres', 'service_role', 'member') as member
         from pg_tables t, pg_roles r where t.schemaname = 'public' and t.tablename = 'session_events' and r.rolname = 'postgres'`,
    );
    assert.deepEqual(rows[0], { owner: 'postgres', rolsuper: false, rolbypassrls: true, member: true });
    // A migration that would need a superuser fails here, as it would there.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'supabase-'));
    try {
      await cp(findSupabaseDir(), dir, { recursive: true });
      await writeFile(path.join(dir, 'migrations', '29991231000000_needs_a_superuser.sql'), 'alter role anon superuser;\n');
      await assert.rejects(applyDatabase(database().url, dir), /29991231000000_needs_a_superuser\.sql failed: .*(superuser|permission denied)/);
      const anon = await admin.query<{ rolsuper: boolean }>("select rolsuper from pg_roles where rolname = 'anon'");
      assert.equal(anon.rows[0]!.rolsuper, false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('survives a PostgreSQL restart with the data intact', async function () {
    this.timeout(30_000);
    const marker = await insertEvent(admin, sessionId, 'thinking', { iteration: 42, toolsUsed: [] });
    await admin.end();
    await database().stopServer();
    await database().startAgain();
    admin = await adminClient();
    const { rows } = await admin.query('select event_data from public.session_events where id = $1', [marker.id]);
    assert.deepEqual(rows[0]?.event_data, { iteration: 42, toolsUsed: [] });
  });
});
