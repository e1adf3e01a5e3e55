// What an attacker with the anon key and an account of their own could learn or change through the
// local stack, each closed (docs/reliability.md lists them): deleted rows' contents through DELETE
// filters, who reads which session through read-marker deletes, rewriting a comment's author or
// edit time, and a stolen refresh token that keeps working after its owner used it.
import assert from 'node:assert/strict';
import { addAnnotation, deleteAnnotation, editAnnotation, saveReadMarker } from '../../src/core/annotations';
import pg from 'pg';
import { adminClient, client, Collector, createSession, emit, signUp, stack, subscribe, type TestUser } from '@agent-session-stream/local-supabase/testing';

type Row = Record<string, unknown>;

describe('hardening: what another user can learn or change through the stack', function () {
  this.timeout(40_000);
  let alice: TestUser;
  let mallory: TestUser;
  let session: string;
  let eventId: string;

  before(async () => {
    [alice, mallory] = await Promise.all([signUp(), signUp()]);
    session = await createSession(alice.id);
    eventId = (await emit(session)).id as string;
  });
  afterEach(async () => {
    await alice.client.removeAllChannels();
    await mallory.client.removeAllChannels();
  });

  it('DELETE bindings with filters learn nothing of a deleted row they may not read: every binding fires, with the key only', async () => {
    const low = new Collector<Row>();
    const high = new Collector<Row>();
    // Mallory bisects the text of Alice's comments: which of these fire would tell her.
    await subscribe(
      mallory.client
        .channel('probe')
        .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'session_event_annotations', filter: 'body=gte.r' }, (p) => low.push(p.old as Row))
        .on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'session_event_annotations', filter: 'body=gte.s' }, (p) => high.push(p.old as Row)),
    );
    const note = await addAnnotation(alice.client, session, eventId, 'rotate the keys');
    await deleteAnnotation(alice.client, note.id);
    const [a] = await low.waitFor(1);
    const [b] = await high.waitFor(1);
    assert.deepEqual(a, { id: note.id });
    assert.deepEqual(b, { id: note.id }, 'the binding that would not match fires too');
  });

  it('a read marker’s DELETE carries a random key, not who read which session', async () => {
    const seen = new Collector<Row>();
    await subscribe(mallory.client.channel('markers').on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'session_read_markers' }, (p) => seen.push(p.old as Row)));
    await saveReadMarker(alice.client, session, 1);
    const { error } = await alice.client.from('session_read_markers').delete().eq('session_id', session);
    assert.equal(error, null);
    const [old] = await seen.waitFor(1);
    assert.deepEqual(Object.keys(old!), ['id']);
    assert.notEqual(old!.id, alice.id);
    assert.notEqual(old!.id, session);
  });

  it('an author edits the text of a comment only: not its author, not its edit time (the database stamps it)', async () => {
    const note = await addAnnotation(alice.client, session, eventId, 'first');
    const forged = await alice.client.from('session_event_annotations').update({ author_name: mallory.email }).eq('id', note.id);
    assert.equal(forged.status, 403);
    assert.equal(forged.error?.code, '42501');
    const future = await alice.client.from('session_event_annotations').update({ edited_at: '9999-01-01T00:00:00Z' }).eq('id', note.id);
    assert.equal(future.status, 403);
    const before = Date.now();
    const edited = await editAnnotation(alice.client, note.id, 'second');
    assert.equal(edited.body, 'second');
    assert.equal(edited.authorName, alice.email);
    const at = Date.parse(edited.editedAt!);
    assert.ok(at > before - 60_000 && at < Date.now() + 60_000, `edited at ${edited.editedAt}`);
    const admin = await adminClient();
    try {
      const { rows } = await admin.query('select author_name, edited_at from public.session_event_annotations where id = $1', [note.id]);
      assert.equal(rows[0].author_name, alice.email);
    } finally {
      await admin.end();
    }
  });

  it('a refresh token used again after its owner used it ends the whole sign-in (a stolen copy stops working)', async () => {
    const auth = client().auth;
    const { data } = await auth.signInWithPassword({ email: alice.email, password: alice.password });
    const stolen = data.session!.refresh_token;
    const owner = await client().auth.refreshSession({ refresh_token: stolen });
    assert.equal(owner.error, null);
    // Two clients of one sign-in refreshing at the same moment are fine (a few seconds' grace)…
    const concurrent = await client().auth.refreshSession({ refresh_token: stolen });
    assert.equal(concurrent.error, null);
    // …later, a used token is a stolen one.
    const admin = await adminClient();
    try {
      await admin.query("update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1", [stolen]);
    } finally {
      await admin.end();
    }
    const replay = await client().auth.refreshSession({ refresh_token: stolen });
    assert.match(replay.error?.message ?? '', /Already Used/);
    const afterwards = await client().auth.refreshSession({ refresh_token: owner.data.session!.refresh_token });
    assert.ok(afterwards.error, 'the owner’s newer token was revoked with the sign-in');
    assert.equal((await fetch(`${stack().env.API_URL}/health`)).status, 200);
  });

  it('PostgreSQL takes no well-known password, and the gateway is not a superuser', async () => {
    const { port } = new URL(stack().env.DB_URL);
    const guess = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres` });
    await assert.rejects(guess.connect(), /password authentication failed/);
    await guess.end().catch(() => undefined);
    const admin = await adminClient();
    try {
      await emit(session); // the gateway's pool is in use
      const { rows } = await admin.query<{ usename: string; usesuper: boolean; application_name: string }>(
        "select a.usename, u.usesuper, a.application_name from pg_stat_activity a join pg_user u on u.usename = a.usename where a.application_name like 'session-stream-%' order by 3",
      );
      assert.ok(rows.length > 0);
      for (const r of rows) assert.deepEqual([r.usename, r.usesuper], [r.application_name === 'session-stream-auth' || r.application_name === 'session-stream-gateway' ? 'authenticator' : r.usename, false], JSON.stringify(r));
    } finally {
      await admin.end();
    }
  });

  it('rows a subscriber may not see are decided at once, never re-read while they hold back its own events', async () => {
    const stats = async () => (await (await fetch(`${stack().env.API_URL}/stats`)).json()) as { rlsHidden: number; rlsRetries: number };
    const mine = new Collector<Row>();
    // An unfiltered binding: every session_events row is checked against Alice's RLS.
    await subscribe(alice.client.channel('everything').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'session_events' }, (p) => mine.push(p.new as Row)));
    const others = await createSession(mallory.id);
    const before = await stats();
    for (let i = 0; i < 20; i++) await emit(others);
    const own = await emit(session);
    const [got] = await mine.waitFor(1);
    assert.equal(got!.id, own.id, 'only her own row reaches her');
    const after = await stats();
    assert.ok(after.rlsHidden - before.rlsHidden >= 20, `hidden: ${after.rlsHidden - before.rlsHidden}`);
    assert.equal(after.rlsRetries - before.rlsRetries, 0, 'no re-reads: hidden rows are known to exist');
  });
});
