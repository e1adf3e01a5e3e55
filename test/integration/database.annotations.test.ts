// Annotations on events and read markers, at the database, as the Supabase roles really
// are: who can see a session reads and adds its annotations; only authors edit or delete theirs;
// a stranger can do neither; read markers are private; sizes and ownership cannot be forged.
// (Live delivery, recovery and the read-marker RPC: annotations.live.test.ts.)
import assert from 'node:assert/strict';
import type pg from 'pg';
import { adminClient, asRole, createUser, insertEvent, insertSession, sqlState } from '@agent-session-stream/local-supabase/testing';

describe('annotations and read markers: tables and row-level security', () => {
  let admin: pg.Client;
  let alice: string;
  let mallory: string;
  let session: string;
  let event: string;
  let otherEvent: string;

  const as = <T>(user: string, work: () => Promise<T>) => asRole(admin, 'authenticated', { sub: user }, work);
  const annotate = (body: string, eventId = event, sessionId = session) =>
    admin.query<{ id: string; user_id: string }>('insert into public.session_event_annotations (event_id, session_id, body) values ($1, $2, $3) returning id, user_id', [eventId, sessionId, body]);

  before(async () => {
    admin = await adminClient();
    alice = await createUser(admin);
    mallory = await createUser(admin);
    session = await insertSession(admin, alice, 'alice');
    event = (await insertEvent(admin, session)).id;
    otherEvent = (await insertEvent(admin, await insertSession(admin, mallory, 'mallory'))).id;
  });
  after(() => admin.end());

  it('the owner of a session annotates its events as herself and reads them back', async () => {
    const rows = await as(alice, async () => {
      const { rows: created } = await annotate('Why **two** retries?');
      assert.equal(created[0]!.user_id, alice, 'user_id defaults to the caller');
      return (await admin.query('select body from public.session_event_annotations')).rows;
    });
    assert.deepEqual(rows.map((r) => r.body), ['Why **two** retries?']);
  });

  it('a stranger can neither read nor add annotations on a session that is not theirs', async () => {
    await asRole(admin, 'authenticated', { sub: alice }, () => annotate('kept'), true);
    const seen = await as(mallory, async () => (await admin.query('select id from public.session_event_annotations where session_id = $1', [session])).rows);
    assert.deepEqual(seen, []);
    assert.equal(await sqlState(() => as(mallory, () => annotate('hi from mallory'))), '42501');
  });

  it('nobody can forge the author, or attach a note to an event of another session', async () => {
    assert.equal(await sqlState(() => as(alice, () => admin.query('insert into public.session_event_annotations (event_id, session_id, user_id, body) values ($1, $2, $3, $4)', [event, session, mallory, 'forged']))), '42501');
    // An event of another session under this session's id: the composite foreign key refuses it.
    assert.equal(await sqlState(() => as(alice, () => annotate('wrong event', otherEvent))), '23503');
  });

  it('only authors edit or delete their own annotations, and only the text can change', async () => {
    const id = (await asRole(admin, 'authenticated', { sub: alice }, () => annotate('first draft'), true)).rows[0]!.id;
    const edited = await as(alice, async () => (await admin.query("update public.session_event_annotations set body = 'edited' where id = $1 returning body, edited_at is not null as stamped", [id])).rows);
    assert.deepEqual(edited.map((r) => [r.body, r.stamped]), [['edited', true]], 'the database stamps the edit');
    assert.equal(await sqlState(() => as(alice, () => admin.query("update public.session_event_annotations set edited_at = '9999-01-01' where id = $1", [id]))), '42501', 'the edit time is not updatable');
    assert.equal(await sqlState(() => as(alice, () => admin.query('update public.session_event_annotations set user_id = $2 where id = $1', [id, mallory]))), '42501', 'the author column is not updatable');
    const byMallory = await as(mallory, async () => (await admin.query("update public.session_event_annotations set body = 'vandal' where id = $1", [id])).rowCount);
    assert.equal(byMallory, 0, 'RLS hides the row from a non-author');
    const deletedByMallory = await as(mallory, async () => (await admin.query('delete from public.session_event_annotations where id = $1', [id])).rowCount);
    assert.equal(deletedByMallory, 0);
    const deleted = await as(alice, async () => (await admin.query('delete from public.session_event_annotations where id = $1', [id])).rowCount);
    assert.equal(deleted, 1);
  });

  it('bodies are 1 byte to 4 KiB; annotations go with their event', async () => {
    assert.equal(await sqlState(() => as(alice, () => annotate(''))), '23514');
    assert.equal(await sqlState(() => as(alice, () => annotate('x'.repeat(4097)))), '23514');
    await as(alice, () => annotate('é'.repeat(2048))); // 4,096 bytes: the limit is in bytes, inclusive
    const doomed = (await insertEvent(admin, session)).id;
    await asRole(admin, 'authenticated', { sub: alice }, () => annotate('goes with its event', doomed), true);
    assert.equal((await admin.query('select 1 from public.session_event_annotations where event_id = $1', [doomed])).rowCount, 1);
    await admin.query('delete from public.session_events where id = $1', [doomed]);
    const left = await admin.query('select 1 from public.session_event_annotations where event_id = $1', [doomed]);
    assert.equal(left.rowCount, 0, 'on delete cascade');
  });

  it('read markers are private, per user and session, and cannot point at a session one cannot see', async () => {
    const mark = (seq: number) => admin.query('insert into public.session_read_markers (session_id, last_seq) values ($1, $2) on conflict (user_id, session_id) do update set last_seq = excluded.last_seq, updated_at = now() returning user_id, last_seq', [session, seq]);
    const rows = await as(alice, async () => {
      await mark(3);
      await mark(7);
      return (await admin.query('select user_id, last_seq from public.session_read_markers')).rows;
    });
    assert.deepEqual(rows.map((r) => [r.user_id, Number(r.last_seq)]), [[alice, 7]]);
    await asRole(admin, 'authenticated', { sub: alice }, () => mark(9), true);
    assert.deepEqual(await as(mallory, async () => (await admin.query('select 1 from public.session_read_markers')).rows), [], 'markers are private');
    assert.equal(await sqlState(() => as(mallory, () => mark(1))), '42501', 'no marker on a session one cannot see');
    assert.equal(await sqlState(() => as(alice, () => mark(-1))), '23514');
  });

  it('both tables are published for Realtime', async () => {
    const { rows } = await admin.query<{ tablename: string }>("select tablename from pg_publication_tables where pubname = 'supabase_realtime' and tablename in ('session_event_annotations', 'session_read_markers') order by 1");
    assert.deepEqual(rows.map((r) => r.tablename), ['session_event_annotations', 'session_read_markers']);
  });
});
