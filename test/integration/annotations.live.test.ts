// Comments on events, end to end through supabase-js: added, edited and deleted as the user, seen
// live by another window of the same session, reloaded whole after a disconnect (what changed
// while the socket was down is not lost), with clear errors for bad input; and read markers that
// only move forward.
import assert from 'node:assert/strict';
import type { SupabaseClient } from '@supabase/supabase-js';
import { addAnnotation, AnnotationError, deleteAnnotation, editAnnotation, fetchAnnotations, fetchReadMarker, saveReadMarker } from '../../src/core/annotations';
import { SessionEventStream } from '../../src/core/sessionEventStream';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import type { AnnotationChanges } from '../../src/shared/annotations';
import { FaultProxy } from '../support/faultProxy';
import { until } from '../support/wait';
import { createSession, emit, signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';
import { DELIVERIES, type Delivery } from '../../src/core/delivery';


describe('annotations: live, recovered after a disconnect, and read markers', function () {
  this.timeout(60_000);
  let alice: TestUser;
  let mallory: TestUser;
  const streams: SessionEventStream[] = [];
  const proxies: FaultProxy[] = [];

  before(async () => {
    [alice, mallory] = await Promise.all([signUp(), signUp()]);
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) await s.close();
    for (const p of proxies.splice(0)) await p.close();
  });

  function window(session: string, user: TestUser, via?: FaultProxy, delivery: Delivery = 'broadcast'): { stream: SessionEventStream; changes: AnnotationChanges[] } {
    const client = createSupabaseClient(via?.url ?? stack().env.API_URL, stack().env.ANON_KEY, { accessToken: () => Promise.resolve(user.session.access_token), heartbeatIntervalMs: 1000, realtimeTimeoutMs: 2000 });
    const stream = new SessionEventStream({ client, sessionId: session, watchdogMs: 0, policy: { initialMs: 100, maxMs: 1000, maxAttempts: 10 }, annotations: true, delivery });
    const changes: AnnotationChanges[] = [];
    stream.onDidChangeAnnotations((c) => changes.push(c));
    streams.push(stream);
    stream.open();
    return { stream, changes };
  }
  const bodies = (s: SessionEventStream) => s.annotations.list().map((a) => a.body);
  const joined = (s: SessionEventStream) => s.state.state === 'joined';

  for (const delivery of DELIVERIES) it(`a comment added, edited and deleted in one window shows up live in another, with its author (${delivery})`, async () => {
    const session = await createSession(alice.id);
    const event = await emit(session);
    const other = window(session, alice, undefined, delivery);
    await until('joined', () => joined(other.stream));
    assert.equal(other.stream.delivery, delivery);

    const added = await addAnnotation(alice.client, session, event.id, 'Why **two** retries?');
    assert.equal(added.authorName, alice.email, 'the author is who the token says');
    await until('the comment arrives', () => other.stream.annotations.size === 1);
    const seen = other.stream.annotations.list()[0]!;
    assert.deepEqual({ id: seen.id, eventId: seen.eventId, body: seen.body, author: seen.authorName }, { id: added.id, eventId: event.id, body: 'Why **two** retries?', author: alice.email });

    await editAnnotation(alice.client, added.id, 'Why three retries?');
    await until('the edit arrives', () => bodies(other.stream)[0] === 'Why three retries?');
    assert.ok(other.stream.annotations.list()[0]!.editedAt, 'an edit is marked as edited');

    await deleteAnnotation(alice.client, added.id);
    await until('the delete arrives', () => other.stream.annotations.size === 0);
    assert.deepEqual(other.changes.map((c) => [c.upserted.length, c.removed.length]), [[1, 0], [1, 0], [0, 1]], 'one change per action, nothing twice');
  });

  it('what changed while the socket was down is there after the reconnect, and nothing else', async () => {
    const session = await createSession(alice.id);
    const event = await emit(session);
    const keep = await addAnnotation(alice.client, session, event.id, 'keep me');
    const edit = await addAnnotation(alice.client, session, event.id, 'edit me');
    const drop = await addAnnotation(alice.client, session, event.id, 'delete me');
    const proxy = new FaultProxy(Number(new URL(stack().env.API_URL).port));
    await proxy.start();
    proxies.push(proxy);
    const viewer = window(session, alice, proxy);
    await until('loaded', () => joined(viewer.stream) && viewer.stream.annotations.size === 3);

    proxy.cut();
    await until('noticed the cut', () => !joined(viewer.stream));
    const added = await addAnnotation(alice.client, session, event.id, 'added while away');
    await editAnnotation(alice.client, edit.id, 'edited while away');
    await deleteAnnotation(alice.client, drop.id);
    proxy.restore();

    await until('recovered', () => joined(viewer.stream) && viewer.stream.annotations.size === 3 && bodies(viewer.stream).includes('added while away'), 20_000);
    const stored = await fetchAnnotations(alice.client, session);
    assert.deepEqual(viewer.stream.annotations.list().map((a) => [a.id, a.body]), stored.map((a) => [a.id, a.body]), 'the same comments as the database, in order');
    assert.deepEqual(bodies(viewer.stream), ['keep me', 'edited while away', 'added while away']);
    const afterCut = viewer.changes.slice(1);
    assert.deepEqual(afterCut.flatMap((c) => c.removed), [drop.id], 'the delete made while away is reported');
    assert.deepEqual(afterCut.flatMap((c) => c.upserted.map((a) => a.id)).sort(), [added.id, edit.id].sort(), 'only what changed is reported');
    assert.ok(!afterCut.some((c) => c.upserted.some((a) => a.id === keep.id)), 'an unchanged comment is not re-reported');
  });

  it('bad input gets a clear error before or from the server, and nothing is stored', async () => {
    const session = await createSession(alice.id);
    const event = await emit(session);
    await assert.rejects(addAnnotation(alice.client, session, event.id, '   '), (e: Error) => e instanceof AnnotationError && /cannot be empty/.test(e.message));
    await assert.rejects(addAnnotation(alice.client, session, event.id, 'é'.repeat(2049)), (e: Error) => e instanceof AnnotationError && /at most 4 KiB; this one is 4\.0 KiB/.test(e.message));
    await assert.rejects(addAnnotation(mallory.client, session, event.id, 'hi'), (e: Error) => e instanceof AnnotationError && /only comment on sessions you can see/.test(e.message));
    const mine = await addAnnotation(alice.client, session, event.id, 'mine');
    await assert.rejects(editAnnotation(mallory.client, mine.id, 'vandal'), (e: Error) => e instanceof AnnotationError && /not yours/.test(e.message));
    await assert.rejects(deleteAnnotation(mallory.client, mine.id), (e: Error) => e instanceof AnnotationError && /not yours/.test(e.message));
    // The author's name comes from the token: a request naming one is refused outright.
    const forged = await (alice.client as SupabaseClient).from('session_event_annotations').insert({ session_id: session, event_id: event.id, body: 'signed', author_name: 'ceo@example.com' }).select('author_name');
    assert.equal(forged.error?.code, '42501');
    assert.deepEqual((await fetchAnnotations(alice.client, session)).map((a) => [a.body, a.authorName]), [['mine', alice.email]]);
  });

  it('a read marker starts unset, only moves forward, and is private', async () => {
    const session = await createSession(alice.id);
    assert.equal(await fetchReadMarker(alice.client, session), undefined);
    assert.equal(await saveReadMarker(alice.client, session, 40), 40);
    assert.equal(await saveReadMarker(alice.client, session, 12), 40, 'a window further behind does not pull it back');
    assert.equal(await saveReadMarker(alice.client, session, 55), 55);
    assert.equal(await fetchReadMarker(alice.client, session), 55);
    assert.equal(await fetchReadMarker(mallory.client, session), undefined, "another user cannot see alice's marker");
    await assert.rejects(saveReadMarker(mallory.client, session, 99), /Could not save where you left off/);
  });
});
