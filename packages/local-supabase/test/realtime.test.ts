import assert from 'node:assert/strict';
import type { RealtimePostgresChangesPayload } from '@supabase/supabase-js';
import { adminClient, Collector, createSession, emit, serviceClient, sessionChannel, signUp, subscribe, type TestUser } from '../testing';

type Row = Record<string, unknown>;

describe('local stack: Realtime postgres_changes with unmodified supabase-js', () => {
  let alice: TestUser;
  let bob: TestUser;
  let aliceSession: string;
  let bobSession: string;

  before(async () => {
    [alice, bob] = await Promise.all([signUp(), signUp()]);
    [aliceSession, bobSession] = await Promise.all([createSession(alice.id), createSession(bob.id)]);
  });
  after(async () => {
    await Promise.all([alice.client.removeAllChannels(), bob.client.removeAllChannels()]);
  });

  it('delivers each user only their own sessions’ events, with values as Realtime types them', async () => {
    const aliceGot = new Collector<Row>();
    const bobGot = new Collector<Row>();
    const aliceSpy = new Collector<Row>();
    assert.equal((await subscribe(sessionChannel(alice.client, aliceSession, aliceGot.push))).status, 'SUBSCRIBED');
    assert.equal((await subscribe(sessionChannel(bob.client, bobSession, bobGot.push))).status, 'SUBSCRIBED');
    // Alice asks for Bob's session by filter: RLS must keep every row from her.
    assert.equal((await subscribe(sessionChannel(alice.client, bobSession, aliceSpy.push))).status, 'SUBSCRIBED');

    await emit(bobSession, 'thinking', { iteration: 7, toolsUsed: ['grep'] });
    const stored = await emit(aliceSession, 'terminal', { command: 'ls', output: 'a\nb', error: '', exitCode: 0 });
    const [row] = await aliceGot.waitFor(1);
    await bobGot.waitFor(1);
    assert.equal(row!.id, stored.id);
    assert.equal(row!.seq, stored.seq);
    assert.deepEqual(row!.event_data, { command: 'ls', output: 'a\nb', error: '', exitCode: 0 });
    // PostgreSQL's text: up to six fractional digits (trailing zeros dropped), never a JS Date's three.
    assert.match(String(row!.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00$/);
    assert.equal(row!.created_at, (stored as unknown as { created_at: string }).created_at, 'the same text REST returned for the insert');
    assert.equal(bobGot.items.length, 1);
    // One more of Alice's events proves the spy channel was live the whole time.
    await emit(aliceSession);
    await aliceGot.waitFor(2);
    assert.equal(aliceSpy.items.length, 0, 'Alice must not receive Bob’s events');
  });

  it('applies filters: eq on another column, and gt/in on seq', async () => {
    const errors = new Collector<Row>();
    const later = new Collector<Row>();
    const some = new Collector<Row>();
    const mark = await emit(aliceSession);
    await subscribe(sessionChannel(alice.client, aliceSession, errors.push, 'event_type=eq.error'));
    await subscribe(sessionChannel(alice.client, aliceSession, later.push, `seq=gt.${mark.seq}`));
    await subscribe(sessionChannel(alice.client, aliceSession, some.push, 'event_type=in.(completion,error)'));
    await emit(aliceSession, 'thinking');
    await emit(aliceSession, 'error', { message: 'boom' });
    await emit(aliceSession, 'completion', { message: 'done', stats: { iterations: 1, inputTokens: 1, outputTokens: 1, toolCalls: 0 } });
    await later.waitFor(3);
    await some.waitFor(2);
    assert.deepEqual(errors.items.map((r) => r.event_type), ['error']);
    assert.deepEqual(later.items.map((r) => r.event_type), ['thinking', 'error', 'completion']);
    assert.deepEqual(some.items.map((r) => r.event_type), ['error', 'completion']);
  });

  it('delivers 1,000 rapid inserts complete, once each, in commit order', async function () {
    this.timeout(30_000);
    const got = new Collector<Row>();
    await subscribe(sessionChannel(alice.client, aliceSession, got.push));
    const admin = await adminClient();
    try {
      // 1,000 separate transactions, back to back on one connection, as fast as it goes.
      for (let i = 0; i < 1000; i++) {
        await admin.query("insert into public.session_events (session_id, event_type, event_data) values ($1, 'thinking', $2)", [
          aliceSession,
          JSON.stringify({ iteration: i, toolsUsed: [] }),
        ]);
      }
    } finally {
      await admin.end();
    }
    const rows = await got.waitFor(1000, 20_000);
    assert.equal(rows.length, 1000);
    assert.deepEqual(rows.map((r) => (r.event_data as { iteration: number }).iteration), Array.from({ length: 1000 }, (_, i) => i));
    const seqs = rows.map((r) => Number(r.seq));
    assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!), 'seq must increase');
  });

  it('sends UPDATE and DELETE with the old row to service_role, and only the key to a user on DELETE', async () => {
    const svc = serviceClient();
    const svcGot = new Collector<RealtimePostgresChangesPayload<Row>>();
    const userGot = new Collector<RealtimePostgresChangesPayload<Row>>();
    const filter = `session_id=eq.${aliceSession}`;
    await subscribe(svc.channel('svc-all').on('postgres_changes', { event: '*', schema: 'public', table: 'session_events', filter }, svcGot.push));
    await subscribe(alice.client.channel('user-deletes').on('postgres_changes', { event: 'DELETE', schema: 'public', table: 'session_events' }, userGot.push));
    const row = await emit(aliceSession, 'thinking', { iteration: 1, toolsUsed: [] });
    await svc.from('session_events').update({ event_data: { iteration: 2, toolsUsed: ['bash'] } }).eq('id', row.id);
    await svc.from('session_events').delete().eq('id', row.id);
    const [insert, update, remove] = await svcGot.waitFor(3);
    assert.equal(insert!.eventType, 'INSERT');
    assert.equal(update!.eventType, 'UPDATE');
    assert.deepEqual((update!.new as Row).event_data, { iteration: 2, toolsUsed: ['bash'] });
    assert.deepEqual((update!.old as Row).event_data, { iteration: 1, toolsUsed: [] });
    assert.equal(remove!.eventType, 'DELETE');
    assert.equal((remove!.old as Row).event_type, 'thinking');
    const [userDelete] = await userGot.waitFor(1);
    assert.deepEqual(userDelete!.old, { id: row.id });
    await svc.removeAllChannels();
  });

  it('syncs presence between two clients: join, and leave when one goes away', async () => {
    const topic = `presence:${aliceSession}`;
    const a = alice.client.channel(topic, { config: { presence: { key: 'alice' } } });
    const b = bob.client.channel(topic, { config: { presence: { key: 'bob' } } });
    const leaves = new Collector<string>();
    const syncedBoth = new Promise<void>((resolve) => {
      a.on('presence', { event: 'sync' }, () => {
        if (Object.keys(a.presenceState()).sort().join() === 'alice,bob') resolve();
      });
    });
    a.on('presence', { event: 'leave' }, ({ key }) => leaves.push(key));
    b.on('presence', { event: 'sync' }, () => undefined);
    await subscribe(a);
    await subscribe(b);
    await a.track({ client: 'vscode', name: 'Alice' });
    await b.track({ client: 'cli', name: 'Bob' });
    await syncedBoth;
    assert.equal((a.presenceState().bob![0] as unknown as { client: string }).client, 'cli');
    await bob.client.removeChannel(b);
    assert.deepEqual(await leaves.waitFor(1), ['bob']);
    await alice.client.removeChannel(a);
  });

  it('forwards broadcast messages to the other members of a channel', async () => {
    const got = new Collector<unknown>();
    const a = alice.client.channel(`room:${aliceSession}`);
    const b = bob.client.channel(`room:${aliceSession}`).on('broadcast', { event: 'cursor' }, ({ payload }) => got.push(payload));
    await subscribe(a);
    await subscribe(b);
    await a.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } });
    assert.deepEqual(await got.waitFor(1), [{ x: 1 }]);
    await Promise.all([alice.client.removeChannel(a), bob.client.removeChannel(b)]);
  });
});
