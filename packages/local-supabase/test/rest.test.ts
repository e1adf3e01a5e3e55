import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { adminClient, client, createSession, emit, serviceClient, signUp, stack, type TestUser } from '../testing';

describe('local stack: REST (/rest/v1) under RLS with unmodified supabase-js', () => {
  let alice: TestUser;
  let bob: TestUser;
  let aliceSession: string;
  let bobSession: string;

  before(async () => {
    [alice, bob] = await Promise.all([signUp(), signUp()]);
    aliceSession = await createSession(alice.id, 'alice');
    bobSession = await createSession(bob.id, 'bob');
    for (let i = 1; i <= 5; i++) await emit(aliceSession, 'thinking', { iteration: i, toolsUsed: ['bash'] });
    await emit(bobSession);
  });

  it('each user reads only their own sessions and events', async () => {
    const sessions = await alice.client.from('coding_sessions').select('id, title');
    assert.equal(sessions.error, null);
    assert.deepEqual(sessions.data, [{ id: aliceSession, title: 'alice' }]);
    const events = await alice.client.from('session_events').select('session_id');
    assert.ok(events.data!.length === 5 && events.data!.every((e) => e.session_id === aliceSession));
    const peek = await alice.client.from('session_events').select('*').eq('session_id', bobSession);
    assert.deepEqual(peek.data, []);
  });

  it('filters, orders, limits, offsets and counts as PostgREST does', async () => {
    const q = await alice.client
      .from('session_events')
      .select('seq, event_data', { count: 'exact' })
      .eq('session_id', aliceSession)
      .gte('seq', 0)
      .order('seq', { ascending: false })
      .range(1, 2);
    assert.equal(q.error, null);
    assert.equal(q.count, 5);
    assert.deepEqual(q.data!.map((r) => (r.event_data as { iteration: number }).iteration), [4, 3]);

    const inList = await alice.client.from('session_events').select('event_type').in('event_type', ['thinking', 'error']).neq('event_type', 'error');
    assert.equal(inList.data!.length, 5);
    const isNull = await alice.client.from('coding_sessions').select('id').is('stats', null);
    assert.equal(isNull.data!.length, 1);
    const like = await alice.client.from('coding_sessions').select('title').ilike('title', 'ALI%');
    assert.deepEqual(like.data, [{ title: 'alice' }]);
    const head = await alice.client.from('session_events').select('*', { count: 'exact', head: true });
    assert.equal(head.count, 5);
    assert.equal(head.data, null);
  });

  it('keeps microseconds of timestamps (PostgreSQL text, not a JavaScript Date)', async () => {
    const { data } = await alice.client.from('session_events').select('id, created_at').limit(1).single();
    const row = data as { id: string; created_at: string };
    // PostgreSQL's JSON text: up to six fractional digits, trailing zeros dropped.
    assert.match(row.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$/);
    const admin = await adminClient();
    try {
      const { rows } = await admin.query<{ text: string }>("select to_jsonb(created_at) #>> '{}' as text from public.session_events where id = $1", [row.id]);
      assert.equal(row.created_at, rows[0]!.text, 'exactly what PostgreSQL says, microseconds included');
    } finally {
      await admin.end();
    }
  });

  it('single() with no row answers 406 PGRST116; maybeSingle() gives null', async () => {
    const none = await alice.client.from('coding_sessions').select('*').eq('id', bobSession).single();
    assert.equal(none.status, 406);
    assert.equal(none.error?.code, 'PGRST116');
    const maybe = await alice.client.from('coding_sessions').select('*').eq('id', bobSession).maybeSingle();
    assert.equal(maybe.error, null);
    assert.equal(maybe.data, null);
  });

  it('a user appends events to their own session only, and cannot update or delete them (42501 → 403), nor create a session for someone else', async () => {
    const own = await alice.client.from('session_events').insert({ session_id: aliceSession, event_type: 'thinking', event_data: { iteration: 1 } });
    assert.equal(own.status, 201, own.error?.message);
    const insert = await alice.client.from('session_events').insert({ session_id: bobSession, event_type: 'error', event_data: { message: 'forged' } });
    assert.equal(insert.status, 403);
    assert.equal(insert.error?.code, '42501');
    const backdated = await alice.client.from('session_events').insert({ session_id: aliceSession, event_type: 'thinking', event_data: { iteration: 1 }, created_at: '2000-01-01T00:00:00Z' });
    assert.equal(backdated.status, 403, 'created_at is the database’s');
    const update = await alice.client.from('session_events').update({ event_type: 'error' }).eq('session_id', aliceSession);
    assert.equal(update.status, 403);
    const remove = await alice.client.from('session_events').delete().eq('session_id', aliceSession);
    assert.equal(remove.status, 403);
    const forSomeoneElse = await alice.client.from('coding_sessions').insert({ user_id: bob.id, title: 'mine now' });
    assert.equal(forSomeoneElse.status, 403);
    const session = await alice.client.from('coding_sessions').insert({ user_id: alice.id, title: 'my own' }).select().single();
    assert.equal(session.status, 201);
    assert.equal((session.data as { state: string }).state, 'pending');
  });

  it('anon reads nothing (401) and the service role writes in bulk, upserts and deletes', async () => {
    const anon = await client().from('session_events').select('*');
    assert.equal(anon.status, 401);
    const svc = serviceClient();
    const id = randomUUID();
    const rows: Array<Record<string, unknown>> = [
      { id, session_id: bobSession, event_type: 'terminal', event_data: { command: 'ls', output: '', error: '', exitCode: 0 } },
      { session_id: bobSession, event_type: 'file_change', event_data: { path: 'a.ts', action: 'write' } },
    ];
    const nulls = await svc.from('session_events').insert(rows).select('id');
    assert.equal(nulls.status, 400, 'a missing key is NULL by default, as in PostgREST');
    assert.equal(nulls.error?.code, '23502');
    const bulk = await svc.from('session_events').insert(rows, { defaultToNull: false }).select('id, seq');
    assert.equal(bulk.status, 201);
    assert.equal(bulk.data!.length, 2);
    const dup = await svc.from('session_events').upsert(rows[0]!, { onConflict: 'id', ignoreDuplicates: true }).select();
    assert.equal(dup.error, null);
    assert.deepEqual(dup.data, []);
    const conflict = await svc.from('session_events').insert(rows[0]!);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.error?.code, '23505');
    const minimal = await svc.from('session_events').insert({ session_id: bobSession, event_type: 'thinking', event_data: {} });
    assert.equal(minimal.status, 201);
    assert.equal(minimal.data, null);
    const merged = await svc.from('coding_sessions').upsert({ id: bobSession, user_id: bob.id, title: 'renamed' }).select('title');
    assert.deepEqual(merged.data, [{ title: 'renamed' }]);
    const updated = await svc.from('coding_sessions').update({ state: 'running' }).eq('id', bobSession).select('state').single();
    assert.deepEqual(updated.data, { state: 'running' });
    const deleted = await svc.from('session_events').delete().eq('id', id).select('id');
    assert.deepEqual(deleted.data, [{ id }]);
  });

  it('maps database errors to PostgREST statuses and bodies', async () => {
    const svc = serviceClient();
    const check = await svc.from('session_events').insert({ session_id: bobSession, event_type: 'telepathy', event_data: {} });
    assert.equal(check.status, 400);
    assert.equal(check.error?.code, '23514');
    assert.match(check.error?.message ?? '', /event_type_check/);
    const fk = await svc.from('session_events').insert({ session_id: randomUUID(), event_type: 'thinking', event_data: {} });
    assert.equal(fk.status, 409);
    assert.equal(fk.error?.code, '23503');
    const format = await svc.from('session_events').select('*').eq('session_id', 'not-a-uuid');
    assert.equal(format.status, 400);
    assert.equal(format.error?.code, '22P02');
    const table = await svc.from('no_such_table').select('*');
    assert.equal(table.status, 404);
    assert.equal(table.error?.code, 'PGRST205');
    const column = await svc.from('session_events').select('nope');
    assert.equal(column.status, 400);
    assert.equal(column.error?.code, '42703');
    const unknownInsert = await svc.from('session_events').insert({ session_id: bobSession, event_type: 'thinking', nope: 1 });
    assert.equal(unknownInsert.error?.code, 'PGRST204');
  });

  it('refuses a bad JWT with 401 PGRST301 and an expired one with PGRST303', async () => {
    const forged = client(stack().env.ANON_KEY);
    const base = { apikey: stack().env.ANON_KEY };
    const bad = await fetch(`${stack().env.API_URL}/rest/v1/coding_sessions`, { headers: { ...base, authorization: 'Bearer abc.def.ghi' } });
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { code: string }).code, 'PGRST301');
    const expired = await stack().keys.sign({ role: 'authenticated', sub: alice.id }, -5);
    const old = await fetch(`${stack().env.API_URL}/rest/v1/coding_sessions`, { headers: { ...base, authorization: `Bearer ${expired}` } });
    assert.equal(old.status, 401);
    assert.equal(((await old.json()) as { code: string }).code, 'PGRST303');
    const res = await forged.from('coding_sessions').select('*');
    assert.equal(res.status, 401);
  });

  it('calls functions through rpc()', async () => {
    const admin = await adminClient();
    try {
      await admin.query(`create or replace function public.test_session_count(p_user uuid) returns bigint
        language sql stable as $$ select count(*) from public.coding_sessions where user_id = p_user $$`);
      await admin.query(`create or replace function public.test_my_sessions() returns setof public.coding_sessions
        language sql stable as $$ select * from public.coding_sessions $$`);
    } finally {
      await admin.end();
    }
    const count = await serviceClient().rpc('test_session_count', { p_user: alice.id });
    assert.equal(count.error, null);
    assert.equal(count.data, 2);
    const mine = await alice.client.rpc('test_my_sessions');
    assert.equal(mine.error, null);
    assert.ok((mine.data as Array<{ user_id: string }>).every((s) => s.user_id === alice.id));
    const admin2 = await adminClient();
    try {
      await admin2.query(`create or replace function public.test_join(p_words text[], p_doc jsonb default null) returns text
        language sql stable as $$ select array_to_string(p_words, '+') || coalesce(' ' || (p_doc ->> 'k'), '') $$`);
    } finally {
      await admin2.end();
    }
    const joined = await serviceClient().rpc('test_join', { p_words: ['a', 'b"c', null], p_doc: { k: 'v' } });
    assert.equal(joined.error, null, 'a JSON array is the text[] argument, a JSON object the jsonb one');
    assert.equal(joined.data, 'a+b"c v');
    const missing = await serviceClient().rpc('no_such_function');
    assert.equal(missing.status, 404);
    assert.equal(missing.error?.code, 'PGRST202');
  });
});
