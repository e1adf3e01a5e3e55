// SessionEventStream (the core the extension and `tail` share) against the local stack through a
// fault-injecting proxy, while a worker keeps emitting: after every fault the viewer has every
// event exactly once, in seq order, with no gap.
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { RECONNECT_POLICY } from '../../src/core/backoff';
import { systemClock, type Clock } from '../../src/core/clock';
import type { TimelineEntry } from '../../src/shared/entries';
import { SessionEventStream } from '../../src/core/sessionEventStream';
import type { ConnectionState } from '../../src/shared/connection';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import { SessionLifecycleManager } from '../../src/worker/sessionLifecycleManager';
import { FaultProxy } from '../support/faultProxy';
import { sleep } from '../support/wait';
import { adminClient, createSession, signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';

const FAST: typeof RECONNECT_POLICY = { initialMs: 100, maxMs: 1000, maxAttempts: 10 };

async function storedSeqs(session: string): Promise<number[]> {
  const admin = await adminClient();
  try {
    return (await admin.query<{ seq: string }>('select session_seq as seq from public.session_events where session_id = $1 order by session_seq', [session])).rows.map((r) => Number(r.seq));
  } finally {
    await admin.end();
  }
}

class Viewer {
  readonly delivered: number[] = [];
  readonly states: ConnectionState[] = [];
  readonly stream: SessionEventStream;
  constructor(url: string, session: string, token: () => Promise<string>, options: { clock?: Clock; policy?: typeof FAST; watchdogMs?: number; historyLimit?: number; joinTimeoutMs?: number } = {}) {
    const client = createSupabaseClient(url, stack().env.ANON_KEY, { accessToken: token, realtimeTimeoutMs: options.joinTimeoutMs ?? 2000, heartbeatIntervalMs: 1000 });
    this.stream = new SessionEventStream({ client, sessionId: session, policy: options.policy ?? FAST, clock: options.clock, watchdogMs: options.watchdogMs ?? 0, historyLimit: options.historyLimit });
    this.stream.onDidChangeState((s) => this.states.push(s));
    this.stream.onDidReceive((b) => this.delivered.push(...b.entries.map((e: TimelineEntry) => (e.kind === 'event' ? e.event.seq : -1))));
    this.stream.open();
  }
  async until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; states: ${this.states.map((s) => s.state).join(' → ')}`);
      await sleep(20);
    }
  }
  joined = () => this.stream.state.state === 'joined';
}

describe('SessionEventStream: exactly once, in order, through faults', function () {
  this.timeout(90_000);
  let user: TestUser;
  let proxy: FaultProxy;
  let worker: SessionLifecycleManager;
  const viewers: Viewer[] = [];
  const token = () => Promise.resolve(user.session.access_token);

  before(async () => {
    user = await signUp();
    worker = new SessionLifecycleManager(createSupabaseClient(stack().env.API_URL, stack().env.SERVICE_ROLE_KEY), { retryInitialMs: 100 });
  });
  beforeEach(async () => {
    proxy = new FaultProxy(new URL(stack().env.API_URL).port ? Number(new URL(stack().env.API_URL).port) : 80);
    await proxy.start();
  });
  afterEach(async () => {
    for (const v of viewers.splice(0)) await v.stream.close();
    await proxy.close();
  });

  const viewer = (session: string, options?: ConstructorParameters<typeof Viewer>[3]) => {
    const v = new Viewer(proxy.url, session, token, options);
    viewers.push(v);
    return v;
  };

  /** Emits `count` events, one every `everyMs`, while `during` runs. */
  async function emitting(session: string, count: number, everyMs: number, during: () => Promise<void>): Promise<void> {
    const emitter = (async () => {
      for (let i = 0; i < count; i++) {
        await worker.emitEvent(session, 'thinking', { iteration: i });
        await sleep(everyMs);
      }
    })();
    await during();
    await emitter;
    assert.deepEqual(await worker.flush(30_000), { pending: 0, givenUp: [] });
  }

  async function expectComplete(v: Viewer, session: string): Promise<void> {
    const expected = await storedSeqs(session);
    await v.until(() => v.delivered.length >= expected.length && v.joined(), `${expected.length} events`);
    await sleep(200);
    assert.deepEqual(v.delivered, expected, 'every event exactly once, in seq order');
  }

  it('loads history on open (the latest historyLimit), then streams live events', async () => {
    const session = await createSession(user.id);
    for (let i = 0; i < 5; i++) await worker.emitEvent(session, 'thinking', { iteration: i });
    const v = viewer(session, { historyLimit: 3 });
    await v.until(v.joined, 'joined');
    const all = await storedSeqs(session);
    assert.deepEqual(v.delivered, all.slice(-3));
    await worker.emitEvent(session, 'terminal', { command: 'ls' });
    await v.until(() => v.delivered.length === 4, 'the live event');
    assert.deepEqual(v.delivered, (await storedSeqs(session)).slice(-4));
    assert.deepEqual(v.states.map((s) => s.state), ['joining', 'joined']);
  });

  for (const [name, fault] of [
    ['a connection cut (RST) for 1.5 s', async () => { proxy.cut(); await sleep(1500); proxy.restore(); }],
    ['a blackhole (no FIN, nothing gets through) for 4 s', async () => { proxy.blackhole(); await sleep(4000); proxy.restore(); }],
    ['500 ms of added latency each way', async () => { proxy.delayMs = 500; await sleep(2000); proxy.delayMs = 0; }],
    ['a gateway restart', async () => { await stack().restartGateway(); }],
    ['a PostgreSQL restart', async () => { await stack().db.stopServer(); await sleep(500); await stack().db.startAgain(); }],
  ] as const) {
    it(`recovers every event after ${name}`, async () => {
      const session = await createSession(user.id);
      const v = viewer(session);
      await v.until(v.joined, 'joined');
      await emitting(session, 60, 50, async () => {
        await sleep(500);
        await fault();
      });
      await expectComplete(v, session);
    });
  }

  it('keeps streaming with 2 s access tokens: a refreshed token reaches the socket, nothing is lost', async () => {
    const session = await createSession(user.id);
    const issued: string[] = [];
    const shortLived = async () => {
      const t = await stack().keys.sign({ role: 'authenticated', sub: user.id, aud: 'authenticated', email: user.email }, 2);
      issued.push(t);
      return t;
    };
    const v = new Viewer(proxy.url, session, shortLived);
    viewers.push(v);
    await v.until(v.joined, 'joined');
    await emitting(session, 60, 80, () => sleep(4000));
    await expectComplete(v, session);
    assert.ok(issued.length >= 3, 'fresh tokens were asked for');
  });

  it('when the token does expire, the server closes the channel (CLOSED) and the stream rejoins with a fresh one', async () => {
    const session = await createSession(user.id);
    let cached: { token: string; until: number } | undefined;
    // A token source that is late to refresh once (a laptop that slept through the refresh): it
    // hands out its first 3 s token for 4.5 s, then fresh 60 s tokens. (3 s, not 1 s: on a busy
    // machine a join can take over a second, and a token that expires before the join is refused
    // at the join — CHANNEL_ERROR — which is not the mid-stream expiry this test is about.)
    const lazy = async () => {
      if (!cached) cached = { token: await stack().keys.sign({ role: 'authenticated', sub: user.id, aud: 'authenticated' }, 3), until: Date.now() + 4500 };
      else if (Date.now() > cached.until) cached = { token: await stack().keys.sign({ role: 'authenticated', sub: user.id, aud: 'authenticated' }, 60), until: Infinity };
      return cached.token;
    };
    const v = new Viewer(proxy.url, session, lazy);
    viewers.push(v);
    await v.until(v.joined, 'joined');
    await emitting(session, 60, 100, () => sleep(5000));
    await expectComplete(v, session);
    const reasons = v.states.filter((s) => s.state === 'reconnecting').map((s) => (s as { reason: string }).reason);
    assert.ok(reasons.some((r) => /CLOSED/.test(r)), `saw ${reasons.join('; ')}`);
  });

  it('follows the backoff table exactly, gives up after 10 attempts with `error`, and a manual reconnect starts afresh', async () => {
    const session = await createSession(user.id);
    const delays: number[] = [];
    // Our timers run at once (supabase-js keeps real time); each retry's delay is read from the state
    // that announces it (retryAt − now, as the status bar shows it).
    const fastClock: Clock = { now: systemClock.now, setTimeout: (cb) => setTimeout(cb, 1), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    const v = viewer(session, { clock: fastClock, policy: { initialMs: 1000, maxMs: 30_000, maxAttempts: 10 }, joinTimeoutMs: 500 });
    v.stream.onDidChangeState((s) => s.state === 'reconnecting' && delays.push(Math.round((s.retryAt - fastClock.now()) / 100) * 100));
    await v.until(v.joined, 'joined');
    proxy.cut();
    await v.until(() => v.stream.state.state === 'error', 'error', 60_000);
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000]);
    const reconnecting = v.states.filter((s): s is Extract<ConnectionState, { state: 'reconnecting' }> => s.state === 'reconnecting');
    assert.deepEqual(reconnecting.map((s) => `${s.attempt}/${s.maxAttempts}`), ['1/10', '2/10', '3/10', '4/10', '5/10', '6/10', '7/10', '8/10', '9/10', '10/10']);
    await worker.emitEvent(session, 'thinking', { iteration: 1 });
    proxy.restore();
    delays.length = 0;
    v.stream.reconnect();
    await v.until(v.joined, 'joined again');
    await expectComplete(v, session);
    const seen = v.states.length;
    proxy.cut();
    // Our timers run at once here, so the state may pass through `reconnecting` between two looks.
    await v.until(() => v.states.slice(seen).some((s) => s.state === 'reconnecting'), 'reconnecting');
    assert.equal(delays[0], 1000, 'a successful join resets the attempts');
  });

  it('rejoins and backfills after a clock jump (a laptop waking up)', async () => {
    const session = await createSession(user.id);
    let skew = 0;
    const jumpy: Clock = { now: () => Date.now() + skew, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
    const v = viewer(session, { clock: jumpy, watchdogMs: 100 });
    await v.until(v.joined, 'joined');
    const joins = v.stream.stats().joins;
    await worker.emitEvent(session, 'thinking', { iteration: 1 });
    skew += 60_000;
    await v.until(() => v.stream.stats().joins > joins && v.joined(), 'a rejoin');
    await expectComplete(v, session);
  });

  it('never skips a late commit: an event whose transaction commits after a later writer’s, while the viewer is away', async () => {
    const session = await createSession(user.id);
    const other = await createSession(user.id);
    const v = viewer(session);
    await v.until(v.joined, 'joined');
    await worker.emitEvent(session, 'thinking', { iteration: 0 });
    await v.until(() => v.delivered.length === 1, 'the first event');
    const insert = (client: pg.Client, session: string, i: number) => client.query("insert into public.session_events (session_id, event_type, event_data) values ($1, 'thinking', $2)", [session, { iteration: i }]);
    const slow = await adminClient();
    const fast = await adminClient();
    const busy = await adminClient();
    try {
      // A writer inserts into the session and stays in its transaction…
      await slow.query('begin');
      await insert(slow, session, 1);
      // …other users' traffic goes on (it used up the old recovery margin of 100)…
      for (let i = 0; i < 150; i++) await insert(busy, other, i);
      // …and a second writer of the same session comes after it: it waits for the first to commit
      // (before, it committed first with a higher number, and the viewer's cursor passed the first).
      const second = insert(fast, session, 2);
      await sleep(300);
      // The viewer is away while both commit.
      proxy.blackhole();
      await slow.query('commit');
      await second;
      await sleep(3500);
      proxy.restore();
      await v.until(() => v.delivered.length === 3, 'all three events', 30_000);
      assert.deepEqual(v.delivered, [1, 2, 3]);
      assert.deepEqual(v.delivered, await storedSeqs(session));
    } finally {
      await Promise.all([slow.end(), fast.end(), busy.end()]);
    }
  });

  it('keeps several sessions on one socket apart', async () => {
    const [a, b] = [await createSession(user.id), await createSession(user.id)];
    const client = createSupabaseClient(proxy.url, stack().env.ANON_KEY, { accessToken: token });
    const got: Record<string, number[]> = { [a]: [], [b]: [] };
    const streams = [a, b].map((id) => new SessionEventStream({ client, sessionId: id, watchdogMs: 0 }));
    streams.forEach((s) => s.onDidReceive((batch) => got[s.sessionId]!.push(...batch.entries.map((e) => (e.kind === 'event' ? e.event.seq : -1)))));
    streams.forEach((s) => s.open());
    try {
      const until = async () => { while (!streams.every((s) => s.state.state === 'joined')) await sleep(20); };
      await until();
      await Promise.all([0, 1, 2].flatMap((i) => [worker.emitEvent(a, 'thinking', { iteration: i }), worker.emitEvent(b, 'thinking', { iteration: i })]));
      await worker.flush();
      const end = Date.now() + 10_000;
      while ((got[a]!.length < 3 || got[b]!.length < 3) && Date.now() < end) await sleep(20);
      assert.deepEqual(got[a], await storedSeqs(a));
      assert.deepEqual(got[b], await storedSeqs(b));
      assert.equal(proxy.connections <= 3, true, `one socket (plus REST connections), saw ${proxy.connections}`);
    } finally {
      await Promise.all(streams.map((s) => s.close()));
    }
  });
});
