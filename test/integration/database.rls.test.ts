import assert from 'node:assert/strict';
import type pg from 'pg';
import { adminClient, asRole, createSession, createUser, insertEvent, sqlState } from './fixture';

describe('row-level security as the Supabase roles really are', () => {
  let admin: pg.Client;
  let alice: string;
  let bob: string;
  let aliceSession: string;
  let bobSession: string;
  let aliceEvent: string;

  const asAlice = <T>(work: () => Promise<T>) => asRole(admin, 'authenticated', { sub: alice }, work);
  const asAnon = <T>(work: () => Promise<T>) => asRole(admin, 'anon', {}, work);

  before(async () => {
    admin = await adminClient();
    alice = await createUser(admin);
    bob = await createUser(admin);
    aliceSession = await createSession(admin, alice, 'alice');
    bobSession = await createSession(admin, bob, 'bob');
    aliceEvent = (await insertEvent(admin, aliceSession)).id;
    await insertEvent(admin, bobSession);
  });
  after(() => admin.end());

  it('a user sees only their own sessions', async () => {
    const rows = await asAlice(async () => (await admin.query('select id from public.coding_sessions')).rows);
    assert.deepEqual(rows.map((r) => r.id), [aliceSession]);
  });

  it("a user sees only their own sessions' events", async () => {
    const rows = await asAlice(async () => (await admin.query('select session_id from public.session_events')).rows);
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => r.session_id === aliceSession));
  });

  it('a user cannot insert events, not even into their own session (closes the seed’s hole)', async () => {
    assert.equal(await sqlState(() => asAlice(() => insertEvent(admin, aliceSession))), '42501');
    assert.equal(await sqlState(() => asAlice(() => insertEvent(admin, bobSession))), '42501');
  });

  it('a user cannot update or delete events', async () => {
    assert.equal(
      await sqlState(() => asAlice(() => admin.query("update public.session_events set event_type = 'error' where id = $1", [aliceEvent]))),
      '42501',
    );
    assert.equal(
      await sqlState(() => asAlice(() => admin.query('delete from public.session_events where id = $1', [aliceEvent]))),
      '42501',
    );
  });

  it("a user cannot create, change or delete another user's session", async () => {
    assert.equal(
      await sqlState(() => asAlice(() => admin.query('insert into public.coding_sessions (user_id) values ($1)', [bob]))),
      '42501',
    );
    assert.equal(
      await sqlState(() => asAlice(() => admin.query("update public.coding_sessions set title = 'mine' where id = $1", [bobSession]))),
      '42501',
    );
    const deleted = await asAlice(() => admin.query('delete from public.coding_sessions where id = $1', [bobSession]));
    assert.equal(deleted.rowCount, 0);
  });

  it('a user may create their own pending session, but not one that claims to be running', async () => {
    const created = await asAlice(() =>
      admin.query("insert into public.coding_sessions (user_id, title) values ($1, 'new') returning id", [alice]),
    );
    assert.equal(created.rowCount, 1);
    assert.equal(
      await sqlState(() => asAlice(() => admin.query("insert into public.coding_sessions (user_id, state) values ($1, 'running')", [alice]))),
      '42501',
    );
  });

  it('anon sees nothing and writes nothing', async () => {
    assert.equal(await sqlState(() => asAnon(() => admin.query('select * from public.session_events'))), '42501');
    assert.equal(await sqlState(() => asAnon(() => admin.query('select * from public.coding_sessions'))), '42501');
    assert.equal(await sqlState(() => asAnon(() => insertEvent(admin, aliceSession))), '42501');
  });

  it('service_role inserts events into any session and sees them all', async () => {
    const inserted = await asRole(admin, 'service_role', {}, async () => {
      await insertEvent(admin, aliceSession, 'completion', { message: 'done' });
      await insertEvent(admin, bobSession, 'completion', { message: 'done' });
      return (await admin.query('select distinct session_id from public.session_events where session_id = any($1)', [[aliceSession, bobSession]])).rowCount;
    });
    assert.equal(inserted, 2);
  });

  it('the monitoring views apply RLS: a user counts only their own events', async () => {
    const mine = await asAlice(async () => {
      const { rows } = await admin.query<{ total: string }>('select coalesce(sum(event_count), 0)::text as total from public.session_event_volume');
      return Number(rows[0]!.total);
    });
    const { rows } = await admin.query<{ n: string }>('select count(*)::text as n from public.session_events where session_id = $1', [aliceSession]);
    assert.equal(mine, Number(rows[0]!.n));
    const types = await asAlice(async () => (await admin.query('select event_type, avg_latency_seconds from public.session_event_latency')).rows);
    assert.ok(types.length > 0 && types.every((r) => typeof r.avg_latency_seconds === 'number'));
  });
});
