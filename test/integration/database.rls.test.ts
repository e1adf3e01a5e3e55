import assert from 'node:assert/strict';
import type pg from 'pg';
import { adminClient, asRole, createUser, insertEvent, insertSession, sqlState } from '@agent-session-stream/local-supabase/testing';

describe('row-level security as the Supabase roles really are', () => {
  let admin: pg.Client;
  let alice: string;
  let bob: string;
  let aliceSession: string;
  let bobSession: string;
  let aliceEvent: string;

  const asAlice = <T>(work: () => Promise<T>, commit = false) => asRole(admin, 'authenticated', { sub: alice }, work, commit);
  const asAnon = <T>(work: () => Promise<T>) => asRole(admin, 'anon', {}, work);

  before(async () => {
    admin = await adminClient();
    alice = await createUser(admin);
    bob = await createUser(admin);
    aliceSession = await insertSession(admin, alice, 'alice');
    bobSession = await insertSession(admin, bob, 'bob');
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

  it('a user appends events to their own open session only: not to another user’s, not to a finished one', async () => {
    const own = await asAlice(() => insertEvent(admin, aliceSession));
    assert.ok(own.id);
    assert.equal(await sqlState(() => asAlice(() => insertEvent(admin, bobSession))), '42501', 'another user’s session');
    const finished = await insertSession(admin, alice, 'finished');
    await admin.query("update public.coding_sessions set state = 'completed' where id = $1", [finished]);
    assert.equal(await sqlState(() => asAlice(() => insertEvent(admin, finished))), '42501', 'a completed session');
  });

  it('a user cannot choose an event’s seq or created_at (the database’s), nor re-send one with another body', async () => {
    assert.equal(
      await sqlState(() => asAlice(() => admin.query("insert into public.session_events (session_id, event_type, event_data, created_at) values ($1, 'thinking', '{\"iteration\":1}', '2000-01-01')", [aliceSession]))),
      '42501',
    );
    assert.equal(
      await sqlState(() => asAlice(() => admin.query("insert into public.session_events (session_id, event_type, event_data, seq) overriding system value values ($1, 'thinking', '{\"iteration\":1}', 1)", [aliceSession]))),
      '42501',
    );
    // The same id again is ignored (a retried insert), never an update of the stored event.
    const id = (await asAlice(() => insertEvent(admin, aliceSession), true)).id;
    const again = await asAlice(() => admin.query("insert into public.session_events (id, session_id, event_type, event_data) values ($1, $2, 'error', '{\"message\":\"forged\"}') on conflict (id) do nothing", [id, aliceSession]));
    assert.equal(again.rowCount, 0);
    const { rows } = await admin.query('select event_type from public.session_events where id = $1', [id]);
    assert.equal(rows[0].event_type, 'thinking');
  });

  it('a user moves their own open session through the lifecycle, and changes nothing else', async () => {
    const mine = await insertSession(admin, alice, 'lifecycle');
    const move = (to: string, id = mine) => asAlice(() => admin.query('update public.coding_sessions set state = $2 where id = $1', [id, to]), true);
    assert.equal((await move('running')).rowCount, 1);
    assert.equal(await sqlState(() => move('pending')), '23514', 'running cannot go back to pending');
    assert.equal((await move('completed')).rowCount, 1);
    assert.equal((await move('running')).rowCount, 0, 'a finished session is closed');
    assert.equal((await move('running', bobSession)).rowCount, 0, 'another user’s session');
    assert.equal(await sqlState(() => asAlice(() => admin.query("update public.coding_sessions set title = 'renamed' where id = $1", [aliceSession]))), '42501');
    assert.equal(await sqlState(() => asAlice(() => admin.query('update public.coding_sessions set user_id = $2 where id = $1', [aliceSession, bob]))), '42501');
    const { rows } = await admin.query('select state from public.coding_sessions where id = $1', [mine]);
    assert.equal(rows[0].state, 'completed');
  });

  it('a user cannot create a session for someone else, even with a source and a working directory', async () => {
    assert.equal(
      await sqlState(() => asAlice(() => admin.query("insert into public.coding_sessions (user_id, title, source, cwd) values ($1, 'forged', 'codex', '/tmp')", [bob]))),
      '42501',
    );
    const created = await asAlice(() => admin.query("insert into public.coding_sessions (user_id, title, source, cwd, agent_session_id) values ($1, 'mine', 'codex', '/tmp', 'thread-1') returning source", [alice]));
    assert.equal(created.rows[0].source, 'codex');
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
    const { rows } = await admin.query<{ n: string }>(
      "select count(*)::text as n from public.session_events e join public.coding_sessions s on s.id = e.session_id where s.user_id = $1 and e.created_at > now() - interval '1 hour'",
      [alice],
    );
    assert.equal(mine, Number(rows[0]!.n));
    const types = await asAlice(async () => (await admin.query('select event_type, avg_latency_seconds from public.session_event_latency')).rows);
    assert.ok(types.length > 0 && types.every((r) => typeof r.avg_latency_seconds === 'number'));
  });
});
