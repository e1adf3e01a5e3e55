// A session's private channel (Realtime Authorization, the policies of migration
// 20261130000400) and Broadcast from Database, with unmodified supabase-js as the real roles:
// who may read a session may join its private topic and receives each stored event once, as a
// broadcast; a stranger can neither join, nor watch who is there, nor inject messages.
import assert from 'node:assert/strict';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { addAnnotation, deleteAnnotation, editAnnotation } from '../../src/core/annotations';
import { adminClient, client, Collector, createSession, emit, signUp, sleep, stack, statusUntil, until, type Status, type TestUser } from '@agent-session-stream/local-supabase/testing';

/** Another client of the same user, signed in with their password (another window). */
async function signIn(user: TestUser) {
  const c = client();
  const { data, error } = await c.auth.signInWithPassword({ email: user.email, password: user.password });
  if (error || !data.session) throw new Error(`sign-in failed: ${error?.message}`);
  await c.realtime.setAuth(data.session.access_token);
  return c;
}

interface Broadcast {
  event: string;
  payload: { id: string; operation: string; table: string; schema: string; record: Record<string, unknown> | null; old_record: Record<string, unknown> | null };
}

/** Joins the session's private topic; resolves with its statuses (and the first error's message). */
function joinPrivate(user: Pick<TestUser, 'client'>, sessionId: string, onBroadcast: (b: Broadcast) => void = () => undefined, presenceKey?: string) {
  const statuses: Status[] = [];
  const errors: string[] = [];
  let channel: RealtimeChannel = user.client
    .channel(`session:${sessionId}`, { config: { private: true, ...(presenceKey ? { presence: { key: presenceKey } } : {}) } })
    .on('broadcast', { event: '*' }, (b) => onBroadcast(b as unknown as Broadcast));
  if (presenceKey) channel = channel.on('presence', { event: 'sync' }, () => undefined);
  channel.subscribe((status, error) => {
      statuses.push(status as Status);
      if (error) errors.push(error.message);
    });
  return { channel, statuses, errors };
}

describe('private session channels and Broadcast from Database', function () {
  this.timeout(30_000);
  let owner: TestUser;
  let stranger: TestUser;
  let session: string;

  before(async () => {
    [owner, stranger] = await Promise.all([signUp(), signUp()]);
    session = await createSession(owner.id);
  });
  afterEach(async () => {
    await Promise.all([owner.client.removeAllChannels(), stranger.client.removeAllChannels()]);
  });

  it('the owner joins the private topic and gets every stored event once, in order, as a broadcast carrying the row', async () => {
    const got = new Collector<Broadcast>();
    const { statuses } = joinPrivate(owner, session, got.push);
    await statusUntil(statuses, 'SUBSCRIBED');
    const stored = [];
    for (let i = 1; i <= 20; i++) stored.push(await emit(session, 'thinking', { iteration: i, toolsUsed: [] }));
    await got.waitFor(20);
    const events = got.items.filter((b) => b.payload.table === 'session_events');
    assert.deepEqual(events.map((b) => b.payload.record?.id), stored.map((r) => r.id));
    assert.ok(events.every((b) => b.event === 'INSERT' && b.payload.operation === 'INSERT' && b.payload.schema === 'public' && b.payload.old_record === null));
    const seqs = events.map((b) => Number(b.payload.record?.session_seq));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in the session’s order');
    assert.equal(new Set(seqs).size, 20, 'each once');
    assert.deepEqual(statuses, ['SUBSCRIBED']);
  });

  it('a stranger’s private join is refused with the reason hosted Realtime gives, and so is one without a sign-in', async () => {
    const { statuses, errors } = joinPrivate(stranger, session);
    await statusUntil(statuses, 'CHANNEL_ERROR');
    assert.match(errors.join('\n'), new RegExp(`Unauthorized: You do not have permissions to read from this Channel topic: session:${session}`));
    const nobody = client();
    try {
      const anonymous = joinPrivate({ client: nobody }, session);
      await statusUntil(anonymous.statuses, 'CHANNEL_ERROR');
      assert.match(anonymous.errors.join('\n'), /Unauthorized/);
    } finally {
      await nobody.removeAllChannels();
    }
  });

  it('a stranger sees neither who watches nor the events, and cannot inject into the private topic from the public one', async () => {
    const ownerGot = new Collector<Broadcast>();
    const watching = joinPrivate(owner, session, ownerGot.push, 'owner-window');
    await statusUntil(watching.statuses, 'SUBSCRIBED');
    await watching.channel.track({ name: 'owner', client: 'vscode' });
    // The stranger joins the public channel of the same name, with presence, and broadcasts there.
    const strangerGot = new Collector<unknown>();
    const strangerStatuses: Status[] = [];
    const outside = stranger.client
      .channel(`session:${session}`, { config: { presence: { key: 'stranger' }, broadcast: { self: false } } })
      .on('broadcast', { event: '*' }, (b) => strangerGot.push(b))
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'session_events', filter: `session_id=eq.${session}` }, (c) => strangerGot.push(c))
      .on('presence', { event: 'sync' }, () => undefined)
      .subscribe((s) => strangerStatuses.push(s as Status));
    await statusUntil(strangerStatuses, 'SUBSCRIBED');
    await outside.track({ name: 'stranger', client: 'cli' });
    await outside.send({ type: 'broadcast', event: 'INSERT', payload: { table: 'session_events', record: { id: 'forged' } } });
    const marker = await emit(session);
    await until('the owner’s copy of the next event', () => ownerGot.items.some((b) => b.payload.record?.id === marker.id));
    await until('each side’s own presence', () => Object.keys(outside.presenceState()).length > 0 && Object.keys(watching.channel.presenceState()).length > 0);
    assert.deepEqual(Object.keys(outside.presenceState()), ['stranger'], 'the stranger sees only itself');
    assert.deepEqual(Object.keys(watching.channel.presenceState()), ['owner-window'], 'the stranger is not among the owner’s viewers');
    assert.equal(strangerGot.items.length, 0, 'no event and no broadcast reached the stranger');
    assert.ok(!ownerGot.items.some((b) => b.payload.record?.id === 'forged'), 'nothing injected reached the owner');
  });

  it('on the private topic only the database broadcasts: a reader’s own broadcast reaches nobody; topics that only look alike are refused', async () => {
    const got = new Collector<Broadcast>();
    const receiving = joinPrivate(owner, session, got.push);
    await statusUntil(receiving.statuses, 'SUBSCRIBED');
    // A second client of the same user (another window): authorized to read, not to broadcast.
    const second = await signIn(owner);
    const sender = second.channel(`session:${session}`, { config: { private: true, broadcast: { self: true } } }).on('broadcast', { event: '*' }, (b) => got.push(b as unknown as Broadcast));
    const senderStatuses: Status[] = [];
    sender.subscribe((s) => senderStatuses.push(s as Status));
    await statusUntil(senderStatuses, 'SUBSCRIBED');
    await sender.send({ type: 'broadcast', event: 'INSERT', payload: { table: 'session_events', operation: 'INSERT', record: { id: 'forged' } } });
    const marker = await emit(session);
    await until('the next stored event, twice (both windows)', () => got.items.filter((b) => b.payload.record?.id === marker.id).length === 2);
    assert.ok(!got.items.some((b) => b.payload.record?.id === 'forged'), 'a client broadcast on a session topic goes nowhere');
    await second.removeAllChannels();
    for (const topic of [`session:${session}:extra`, `session:${session.toUpperCase()}x`, 'session:not-a-uuid']) {
      const { statuses, errors } = joinPrivate(owner, topic.slice('session:'.length));
      await statusUntil(statuses, 'CHANNEL_ERROR');
      assert.match(errors.join('\n'), /Unauthorized/, topic);
    }
  });

  it('the REST broadcast API: the service role reaches the private topic; a stranger’s message is dropped, or refused with 403', async () => {
    const got = new Collector<{ event: string; payload: unknown }>();
    const { statuses } = joinPrivate(owner, session, (b) => got.push(b));
    await statusUntil(statuses, 'SUBSCRIBED');
    const post = (key: string, token: string, path: string, body: unknown) =>
      fetch(`${stack().env.API_URL}/realtime/v1/api/${path}`, { method: 'POST', headers: { apikey: key, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const dropped = await post(stack().env.ANON_KEY, stranger.session.access_token, 'broadcast', { messages: [{ topic: `session:${session}`, event: 'note', payload: { from: 'stranger' }, private: true }] });
    assert.equal(dropped.status, 202);
    const refused = await post(stack().env.ANON_KEY, stranger.session.access_token, `broadcast/${encodeURIComponent(`session:${session}`)}/events/note?private=true`, { from: 'stranger' });
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { message: 'Unauthorized' });
    const sent = await post(stack().env.SERVICE_ROLE_KEY, stack().env.SERVICE_ROLE_KEY, 'broadcast', { messages: [{ topic: `session:${session}`, event: 'note', payload: { from: 'service' }, private: true }] });
    assert.equal(sent.status, 202);
    await got.waitFor(1);
    await sleep(300);
    assert.deepEqual(got.items.map((b) => [b.event, b.payload]), [['note', { from: 'service' }]]);
  });

  it('a viewer who loses access is told and closed when their next token arrives', async () => {
    const other = await createSession(owner.id, 'given away');
    const system = new Collector<{ status?: string; message?: string }>();
    const statuses: Status[] = [];
    owner.client
      .channel(`session:${other}`, { config: { private: true } })
      .on('system', {}, (m: { status?: string; message?: string }) => system.push(m))
      .subscribe((s) => statuses.push(s as Status));
    await statusUntil(statuses, 'SUBSCRIBED');
    const admin = await adminClient();
    try {
      await admin.query('update public.coding_sessions set user_id = $1 where id = $2', [stranger.id, other]);
    } finally {
      await admin.end();
    }
    const fresh = await stack().keys.sign({ role: 'authenticated', sub: owner.id, aud: 'authenticated', email: owner.email }, 600);
    await owner.client.realtime.setAuth(fresh);
    await statusUntil(statuses, 'CLOSED');
    assert.ok(system.items.some((m) => m.status === 'error' && m.message === `You no longer have permission to read from this Channel topic: session:${other}`), JSON.stringify(system.items));
    await owner.client.realtime.setAuth(owner.session.access_token);
  });

  it('comments on events arrive on the private topic too: added, edited, deleted', async () => {
    const got = new Collector<Broadcast>();
    const { statuses } = joinPrivate(owner, session, got.push);
    await statusUntil(statuses, 'SUBSCRIBED');
    const event = await emit(session);
    const note = await addAnnotation(owner.client, session, event.id, 'why this?');
    await editAnnotation(owner.client, note.id, 'why this, exactly?');
    await deleteAnnotation(owner.client, note.id);
    await until('three comment changes', () => got.items.filter((b) => b.payload.table === 'session_event_annotations').length === 3);
    const changes = got.items.filter((b) => b.payload.table === 'session_event_annotations');
    assert.deepEqual(changes.map((b) => b.payload.operation), ['INSERT', 'UPDATE', 'DELETE']);
    assert.equal(changes[1]!.payload.record?.body, 'why this, exactly?');
    assert.equal(changes[2]!.payload.old_record?.id, note.id);
  });
});
