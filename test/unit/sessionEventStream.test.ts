import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { RECONNECT_POLICY } from '../../src/core/backoff';
import type { TimelineEntry } from '../../src/shared/entries';
import { SessionEventStream } from '../../src/core/sessionEventStream';
import type { ConnectionState } from '../../src/shared/connection';
import { fakeClock } from '../support/fakeClock';
import { eventRow, FakeRealtimeClient } from '../support/fakeRealtimeClient';

const S = 'session-1';

/** Lets the stream's promise chains (history reads, setAuth) settle; fake time does not move. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('SessionEventStream state machine (fake time, fake channel)', () => {
  let time: FakeTimers.Clock;
  let client: FakeRealtimeClient;
  let stream: SessionEventStream;
  let states: ConnectionState[];
  let seen: number[];

  beforeEach(() => {
    time = FakeTimers.createClock(Date.UTC(2026, 10, 30, 12));
    client = new FakeRealtimeClient();
    stream = new SessionEventStream({ client: client.asSupabase(), sessionId: S, policy: RECONNECT_POLICY, clock: fakeClock(time), watchdogMs: 5000 });
    states = [];
    seen = [];
    stream.onDidChangeState((s) => states.push(s));
    stream.onDidReceive((batch) => seen.push(...batch.entries.map((e: TimelineEntry) => (e.kind === 'event' ? e.event.seq : -1))));
  });
  afterEach(() => stream.dispose());

  async function openJoined(): Promise<void> {
    stream.open();
    await settle();
    client.current.joined();
    await settle();
    assert.equal(stream.state.state, 'joined');
  }

  /** The current channel fails; returns the state it leads to. */
  async function fail(message = 'socket closed'): Promise<ConnectionState> {
    client.current.error(message);
    await settle();
    return stream.state;
  }

  it('opens: joining, then history, then joined', async () => {
    client.rows.push(eventRow(S, 1), eventRow(S, 2));
    stream.open();
    await settle();
    assert.deepEqual(stream.state, { state: 'joining', attempt: 0 });
    client.current.joined();
    await settle();
    assert.equal(stream.state.state, 'joined');
    assert.deepEqual(seen, [1, 2]);
  });

  it('reconnects after 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 s of fake time, then gives up with the reason', async () => {
    await openJoined();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 10; attempt++) {
      const state = await fail(`outage ${attempt}`);
      assert.equal(state.state, 'reconnecting');
      if (state.state !== 'reconnecting') return;
      assert.equal(state.attempt, attempt);
      assert.equal(state.maxAttempts, 10);
      assert.equal(state.reason, `CHANNEL_ERROR: outage ${attempt}`);
      const wait = state.retryAt - time.now;
      waits.push(wait);
      const joins = client.channels.length;
      time.tick(wait - 1);
      await settle();
      assert.equal(client.channels.length, joins, 'no join before the retry is due');
      time.tick(1);
      await settle();
      assert.equal(client.channels.length, joins + 1, 'one join when it is due');
      assert.deepEqual(stream.state, { state: 'joining', attempt });
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000]);
    assert.deepEqual(await fail('still down'), { state: 'error', reason: 'CHANNEL_ERROR: still down' });
    const joins = client.channels.length;
    time.tick(10 * 60_000);
    await settle();
    assert.equal(client.channels.length, joins, 'no join after giving up');
  });

  it('a manual reconnect after giving up joins at once with ten fresh attempts', async () => {
    await openJoined();
    for (let attempt = 1; attempt <= 10; attempt++) {
      const state = await fail();
      if (state.state === 'reconnecting') {
        time.tick(state.retryAt - time.now);
        await settle();
      }
    }
    assert.equal((await fail()).state, 'error');
    stream.reconnect();
    await settle();
    assert.deepEqual(stream.state, { state: 'joining', attempt: 0 });
    const state = await fail();
    assert.ok(state.state === 'reconnecting' && state.attempt === 1 && state.retryAt - time.now === 1000);
  });

  it('a manual reconnect while a retry waits joins now, and the waiting retry never runs', async () => {
    await openJoined();
    await fail(); // retry in 1 s
    stream.reconnect();
    await settle();
    const joins = client.channels.length;
    client.current.joined();
    await settle();
    time.tick(5000);
    await settle();
    assert.equal(client.channels.length, joins, 'only the manual join');
    assert.equal(stream.state.state, 'joined');
  });

  it('a successful rejoin starts the next outage at 1 s again', async () => {
    await openJoined();
    for (let i = 0; i < 3; i++) {
      const state = await fail();
      if (state.state === 'reconnecting') time.tick(state.retryAt - time.now);
      await settle();
    }
    client.current.joined();
    await settle();
    const state = await fail();
    assert.ok(state.state === 'reconnecting');
    assert.equal(state.attempt, 1);
    assert.equal(state.retryAt - time.now, 1000);
  });

  it('a failed history read after the join counts as a failed attempt', async () => {
    stream.open();
    await settle();
    client.historyError = 'upstream down';
    client.current.joined();
    await settle();
    const state = stream.state;
    assert.ok(state.state === 'reconnecting');
    assert.match(state.reason, /^history: .*upstream down/);
    client.historyError = undefined;
    time.tick(1000);
    await settle();
    client.current.joined();
    await settle();
    assert.equal(stream.state.state, 'joined');
  });

  it('after every rejoin: what was stored meanwhile, then live events held during the backfill, each once and in order', async () => {
    client.rows.push(eventRow(S, 1), eventRow(S, 2));
    await openJoined();
    client.rows.push(eventRow(S, 3));
    client.current.push(eventRow(S, 3));
    await settle();
    await fail();
    client.rows.push(eventRow(S, 4), eventRow(S, 5)); // stored while away
    time.tick(1000);
    await settle();
    client.current.push(eventRow(S, 6)); // live, during the join: held until the backfill is in
    client.rows.push(eventRow(S, 6));
    client.current.push(eventRow(S, 5)); // a duplicate of history
    client.current.joined();
    await settle();
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
    assert.equal(stream.stats().duplicates >= 1, true);
    assert.equal(stream.stats().joins, 2);
  });

  it('useClient: the channel on the old client goes, the stream rejoins on the new one and backfills from it', async () => {
    client.rows.push(eventRow(S, 1));
    await openJoined();
    const next = new FakeRealtimeClient();
    next.rows.push(eventRow(S, 1), eventRow(S, 2), eventRow(S, 3));
    const oldReads = client.historyReads;
    stream.useClient(next.asSupabase());
    await settle();
    assert.equal(client.getChannels().length, 0, 'nothing left on the old client');
    next.current.joined();
    await settle();
    assert.equal(stream.state.state, 'joined');
    assert.deepEqual(seen, [1, 2, 3]);
    assert.equal(client.historyReads, oldReads, 'no history read went to the old client');
    assert.ok(next.historyReads >= 1);
    // And so does the recovery of a gap.
    next.rows.push(eventRow(S, 4), eventRow(S, 5));
    next.current.push(eventRow(S, 5));
    await settle();
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.equal(client.historyReads, oldReads);
  });

  it('broadcast delivery: joins the private topic by its exact name and takes the rows the database broadcasts, nothing else', async () => {
    client.privateChannels = true;
    client.rows.push(eventRow(S, 1));
    await openJoined();
    assert.equal(client.current.topic, `realtime:session:${S}`);
    assert.equal(client.current.config.private, true);
    assert.equal(stream.delivery, 'broadcast');
    client.rows.push(eventRow(S, 2));
    client.current.push(eventRow(S, 2));
    // Not events of this session: another session's row, a comment, something that is no database change.
    client.current.broadcast({ table: 'session_events', operation: 'INSERT', record: eventRow('other', 3), old_record: null });
    client.current.broadcast({ table: 'session_event_annotations', operation: 'INSERT', record: { id: 'a' }, old_record: null });
    client.current.broadcast({ event: 'forged', record: eventRow(S, 9) });
    await settle();
    assert.deepEqual(seen, [1, 2]);
    // A rejoin uses the same exact topic (the old channel is gone first) and backfills.
    await fail();
    client.rows.push(eventRow(S, 3));
    time.tick(1000);
    await settle();
    assert.equal(client.current.topic, `realtime:session:${S}`);
    client.current.joined();
    await settle();
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it('a project without private session channels: postgres_changes on a public channel, whatever was asked, and no presence there', async () => {
    stream.dispose();
    stream = new SessionEventStream({ client: client.asSupabase(), sessionId: S, clock: fakeClock(time), delivery: 'broadcast', presence: { key: 'k', name: 'ada', client: 'vscode' } });
    stream.onDidReceive((batch) => seen.push(...batch.entries.map((e: TimelineEntry) => (e.kind === 'event' ? e.event.seq : -1))));
    await openJoined();
    assert.equal(client.current.config.private, undefined);
    assert.equal(stream.delivery, 'postgres_changes');
    // Anyone may join a public channel: nobody is told who watches there, and nobody can pose as a viewer.
    assert.deepEqual(client.current.tracked, []);
    assert.equal(client.current.presenceBound, false);
    assert.deepEqual(stream.viewers, []);
    client.rows.push(eventRow(S, 1));
    client.current.push(eventRow(S, 1));
    await settle();
    assert.deepEqual(seen, [1]);
  });

  it('a live event past a gap waits while the missing ones are read, then both go out in order', async () => {
    await openJoined();
    client.rows.push(eventRow(S, 1), eventRow(S, 2));
    client.current.push(eventRow(S, 2)); // 1 committed too but its change has not arrived
    await settle();
    assert.deepEqual(seen, [1, 2]);
  });

  it('a clock jump while joined (the laptop slept) rejoins and backfills; ordinary ticks do not', async () => {
    client.rows.push(eventRow(S, 1));
    await openJoined();
    const joins = client.channels.length;
    time.tick(30_000);
    await settle();
    assert.equal(client.channels.length, joins, 'six ordinary watchdog ticks: no rejoin');
    client.rows.push(eventRow(S, 2)); // stored while the machine slept; its change never came
    time.setSystemTime(time.now + 10 * 60_000);
    time.tick(5000);
    await settle();
    assert.equal(client.channels.length, joins + 1, 'rejoined');
    client.current.joined();
    await settle();
    assert.deepEqual(seen, [1, 2]);
  });

  it('close() stops everything: no retry, no watchdog, the channel removed', async () => {
    await openJoined();
    await fail();
    await stream.close();
    assert.deepEqual(stream.state, { state: 'closed' });
    assert.equal(time.countTimers(), 0);
    assert.ok(client.channels.every((c) => c.removed));
  });
});
