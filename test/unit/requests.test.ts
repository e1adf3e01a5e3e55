// The request primitive between a webview page and its host: every request gets exactly one reply
// (an error reply when the handler throws, sync or async, answers something its schema refuses, or
// is not there), replies settle their own request by id whatever the order, and a reply nobody
// waits for is ignored. Time is fake.
import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { z } from 'zod';
import { defineRequest, isReplyMessage, isRequestMessage, REQUEST_TIMEOUT_MS, RequestClient, RequestError, RequestRouter, type ReplyMessage, type RequestMessage } from '../../src/shared/requests';
import { fakeClock } from '../support/fakeClock';

const double = defineRequest('test/double', z.object({ n: z.number().int() }), z.object({ twice: z.number().int() }));
const echo = defineRequest('test/echo', z.object({ text: z.string() }), z.string());

describe('request primitive (webview ↔ host)', () => {
  let time: FakeTimers.Clock;
  let sent: RequestMessage[];
  let client: RequestClient;

  beforeEach(() => {
    time = FakeTimers.createClock(0);
    sent = [];
    client = new RequestClient((m) => sent.push(m), { timers: fakeClock(time) });
  });

  /** The page's requests answered by `router`, as the panel does: one reply posted per request. */
  async function through(router: RequestRouter): Promise<ReplyMessage[]> {
    const replies: ReplyMessage[] = [];
    for (const m of sent.splice(0)) {
      const reply = await router.answer(m);
      replies.push(reply);
      client.receive(reply);
    }
    return replies;
  }

  /** Resolves with how `promise` settled: `{ value }` or `{ error }`. */
  const outcome = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

  it('sends the method, params and a fresh id, and resolves with the checked result', async () => {
    const router = new RequestRouter();
    router.onRequest(double, ({ n }) => ({ twice: n * 2 }));
    const answer = client.request(double, { n: 21 });
    const [asked] = sent;
    assert.deepEqual({ type: asked!.type, method: asked!.method, params: asked!.params }, { type: 'request', method: 'test/double', params: { n: 21 } });
    assert.ok(isRequestMessage(asked));
    const [reply] = await through(router);
    assert.deepEqual(reply, { type: 'reply', id: asked!.id, ok: true, result: { twice: 42 } });
    assert.deepEqual(await answer, { twice: 42 });
    assert.equal(client.pending, 0);
    void client.request(double, { n: 1 });
    assert.notEqual(sent[0]!.id, asked!.id, 'each request its own id');
  });

  it('a handler that throws before its own try, rejects later, or answers what its schema refuses: an error reply each time', async () => {
    const failures: string[] = [];
    const router = new RequestRouter((method, error) => failures.push(`${method}: ${error}`));
    let mode: 'sync' | 'async' | 'bad' = 'sync';
    router.onRequest(double, (params) => {
      if (mode === 'sync') throw new Error('not signed in');
      if (mode === 'async') return Promise.reject(new Error('the database is gone'));
      return { twice: `${params.n}` } as unknown as { twice: number };
    });
    const results = [];
    for (const m of ['sync', 'async', 'bad'] as const) {
      mode = m;
      const answer = outcome(client.request(double, { n: 2 }));
      const replies = await through(router);
      assert.equal(replies.length, 1, 'exactly one reply');
      assert.equal(replies[0]!.ok, false);
      results.push(await answer);
    }
    const messages = results.map((r) => ('error' in r && r.error instanceof RequestError ? r.error.message : `resolved: ${JSON.stringify(r)}`));
    assert.equal(messages[0], 'not signed in');
    assert.equal(messages[1], 'the database is gone');
    assert.match(messages[2]!, /^test\/double gave an invalid answer \(twice: .+\)\.$/);
    assert.equal(failures.length, 3, 'every error reply is heard (logged)');
    assert.match(failures[0]!, /^test\/double: not signed in$/);
  });

  it('an unknown method and params that fail their schema are error replies too; so is a throwing logger', async () => {
    const router = new RequestRouter(() => {
      throw new Error('log is gone');
    });
    router.onRequest(echo, ({ text }) => text);
    const unknown = outcome(client.request(double, { n: 1 }));
    const bad = outcome(client.request(echo, { text: 7 } as unknown as { text: string }));
    const replies = await through(router);
    assert.deepEqual(replies.map((r) => r.ok), [false, false]);
    const [u, b] = [await unknown, await bad];
    assert.ok('error' in u && u.error instanceof RequestError && u.error.method === 'test/double');
    assert.equal((u.error as Error).message, 'Unknown request test/double.');
    assert.ok('error' in b);
    assert.match((b.error as Error).message, /^test\/echo was asked with invalid params \(text: .+\)\.$/);
  });

  it('concurrent requests are settled by their ids, in whatever order the replies come', async () => {
    const router = new RequestRouter();
    const gates: Array<() => void> = [];
    router.onRequest(echo, ({ text }) => new Promise<string>((resolve) => gates.push(() => resolve(text.toUpperCase()))));
    const answers = ['a', 'b', 'c'].map((text) => client.request(echo, { text }));
    const pending = sent.splice(0).map((m) => router.answer(m));
    assert.equal(client.pending, 3);
    // The host finishes the last one first.
    for (const open of [...gates].reverse()) open();
    const replies = await Promise.all(pending);
    for (const reply of [...replies].reverse()) assert.equal(client.receive(reply), true);
    assert.deepEqual(await Promise.all(answers), ['A', 'B', 'C']);
  });

  it('ignores a reply for an id nobody waits for: unknown, answered already, from before a reload', async () => {
    const router = new RequestRouter();
    router.onRequest(echo, ({ text }) => text);
    const answer = client.request(echo, { text: 'one' });
    const [reply] = await through(router);
    assert.equal(await answer, 'one');
    assert.equal(client.receive(reply), false, 'a second reply to the same id');
    assert.equal(client.receive({ type: 'reply', id: 'elsewhere-1', ok: true, result: 'x' }), false, 'an id this client never sent');
    // Another page (a reload) never takes this one's replies: its ids are its own.
    const other = new RequestClient(() => {}, { timers: fakeClock(time) });
    const mine = outcome(other.request(echo, { text: 'mine' }));
    assert.equal(other.receive(reply), false);
    assert.equal(other.pending, 1);
    other.dispose();
    assert.match(String(((await mine) as { error: Error }).error.message), /closed/);
  });

  it('gives up after the timeout with a clear error; the late reply is then ignored', async () => {
    const answer = outcome(client.request(echo, { text: 'slow' }));
    const [asked] = sent;
    time.tick(REQUEST_TIMEOUT_MS - 1);
    assert.equal(client.pending, 1);
    time.tick(1);
    const r = await answer;
    assert.ok('error' in r && r.error instanceof RequestError);
    assert.equal((r.error as Error).message, 'No answer from VS Code within 60 s.');
    assert.equal(client.receive({ type: 'reply', id: asked!.id, ok: true, result: 'late' }), false);
  });

  it('the page checks the result too, and a send that throws rejects at once', async () => {
    const answer = outcome(client.request(double, { n: 1 }));
    assert.equal(client.receive({ type: 'reply', id: sent[0]!.id, ok: true, result: { twice: 'two' } }), true);
    assert.match(((await answer) as { error: Error }).error.message, /^The answer to test\/double was not understood \(twice: .+\)\.$/);
    const broken = new RequestClient(() => {
      throw new Error('the panel is gone');
    }, { timers: fakeClock(time) });
    const r = await outcome(broken.request(echo, { text: 'x' }));
    assert.equal((r as { error: Error }).error.message, 'the panel is gone');
    assert.equal(broken.pending, 0);
  });

  it('checks the envelopes: ids, methods and the reply’s two shapes', () => {
    assert.ok(isRequestMessage({ type: 'request', id: 'r1', method: 'history/page', params: { seq: 1 } }));
    for (const m of [{ type: 'request', id: '', method: 'm', params: {} }, { type: 'request', id: 'x'.repeat(101), method: 'm', params: {} }, { type: 'request', id: 'r', method: 7, params: {} }, { type: 'request', method: 'm' }, { type: 'reply', id: 'r', ok: true, result: 1 }, null]) assert.equal(isRequestMessage(m), false, JSON.stringify(m));
    assert.ok(isReplyMessage({ type: 'reply', id: 'r', ok: true, result: null }));
    assert.ok(isReplyMessage({ type: 'reply', id: 'r', ok: false, error: 'why' }));
    for (const m of [{ type: 'reply', id: 'r', ok: false }, { type: 'reply', id: 'r', ok: 'yes', result: 1 }, { type: 'reply', ok: true, result: 1 }, { type: 'request', id: 'r', ok: true, result: 1 }]) assert.equal(isReplyMessage(m), false, JSON.stringify(m));
  });

  it('one handler per method', () => {
    const router = new RequestRouter();
    router.onRequest(echo, ({ text }) => text);
    assert.throws(() => router.onRequest(echo, ({ text }) => text), /test\/echo has a handler already/);
  });
});
