// SessionLifecycleManager against the local stack with unmodified supabase-js (service role), as the
// worker runs it: the two backend tests of the original design (emit, then read back in order; the lifecycle), plus
// what a naive writer loses.
import assert from 'node:assert/strict';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import { SessionLifecycleManager, type EmitOutcome } from '../../src/worker/sessionLifecycleManager';
import { SessionError } from '../../src/core/sessions';
import { MAX_EVENT_DATA_BYTES } from '../../src/shared/events';
import { adminClient, createSession, signUp, stack } from '@agent-session-stream/local-supabase/testing';

function manager(fetchImpl?: typeof fetch, options = {}) {
  // A custom fetch goes through supabase-js' documented `global.fetch` option: the client stays unmodified.
  const client = createSupabaseClient(stack().env.API_URL, stack().env.SERVICE_ROLE_KEY, { fetch: fetchImpl });
  return new SessionLifecycleManager(client, { retryInitialMs: 50, ...options });
}

async function storedRows(sessionId: string) {
  const admin = await adminClient();
  try {
    const { rows } = await admin.query<{ id: string; seq: string; event_type: string; event_data: Record<string, unknown> }>(
      'select id, seq, event_type, event_data from public.session_events where session_id = $1 order by seq',
      [sessionId],
    );
    return rows;
  } finally {
    await admin.end();
  }
}

const stored = (o: EmitOutcome) => {
  assert.equal(o.status, 'stored', JSON.stringify(o));
  return (o as Extract<EmitOutcome, { status: 'stored' }>).event;
};

describe('SessionLifecycleManager (worker) against the local stack', function () {
  this.timeout(60_000);
  let userId: string;
  before(async () => (userId = (await signUp()).id));

  it('emits an event to the database and reads it back', async () => {
    const m = manager();
    const session = await createSession(userId);
    const event = stored(await m.emitEvent(session, 'thinking', { iteration: 1, toolsUsed: ['bash'] }));
    assert.equal(event.type, 'thinking');
    assert.deepEqual(event.data, { iteration: 1, toolsUsed: ['bash'] });
    const history = await m.getEventHistory(session);
    assert.equal(history.length, 1);
    assert.equal(history[0]!.id, event.id);
    assert.deepEqual(m.stats(), { emitted: 1, retried: 0, pending: 0, givenUp: 0, refused: 0 });
  });

  it('history is chronological; limit keeps the latest; afterSeq pages forward', async () => {
    const m = manager();
    const session = await createSession(userId);
    await m.emitEvent(session, 'thinking', { iteration: 1 });
    await m.emitEvent(session, 'terminal', { command: 'ls' });
    await m.emitEvent(session, 'file_change', { path: 'App.tsx' });
    const history = await m.getEventHistory(session);
    assert.deepEqual(history.map((e) => e.type), ['thinking', 'terminal', 'file_change']);
    const latest = await m.getEventHistory(session, { limit: 2 });
    assert.deepEqual(latest.map((e) => e.type), ['terminal', 'file_change']);
    const after = await m.getEventHistory(session, { afterSeq: history[0]!.seq, limit: 1 });
    assert.deepEqual(after.map((e) => e.type), ['terminal']);
  });

  it('1,000 rapid emits, fired without waiting, are stored complete and in emit order', async () => {
    const m = manager();
    const session = await createSession(userId);
    const outcomes = await Promise.all(Array.from({ length: 1000 }, (_, i) => m.emitEvent(session, 'thinking', { iteration: i })));
    assert.ok(outcomes.every((o) => o.status === 'stored' || o.status === 'queued'));
    assert.deepEqual(await m.flush(30_000), { pending: 0, givenUp: [] });
    const rows = await storedRows(session);
    assert.deepEqual(rows.map((r) => r.event_data.iteration), Array.from({ length: 1000 }, (_, i) => i));
    assert.equal(m.stats().emitted, 1000);
  });

  it('a retry after a commit whose reply was lost does not duplicate the event', async () => {
    let dropped = 0;
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'POST' && String(input).includes('/session_events') && dropped === 0) {
        dropped++;
        await response.arrayBuffer();
        throw new TypeError('fetch failed: the connection was reset after the request was sent');
      }
      return response;
    };
    const m = manager(lossy);
    const session = await createSession(userId);
    const first = await m.emitEvent(session, 'terminal', { command: 'npm test', exitCode: 0 });
    assert.equal(first.status, 'queued');
    assert.deepEqual(await m.flush(10_000), { pending: 0, givenUp: [] });
    const rows = await storedRows(session);
    assert.equal(rows.length, 1, 'stored exactly once');
    assert.equal(rows[0]!.id, (first as { id: string }).id, 'under the id made by the client');
    assert.equal(m.stats().retried, 1);
  });

  it('keeps every event emitted while PostgreSQL is down for 5 s and stores them afterwards, in order', async () => {
    const m = manager(undefined, { retryInitialMs: 200, requestTimeoutMs: 3000 });
    const session = await createSession(userId);
    stored(await m.emitEvent(session, 'thinking', { iteration: 0 }));
    await stack().db.stopServer();
    const during: EmitOutcome[] = [];
    try {
      const until = Date.now() + 5000;
      for (let i = 1; Date.now() < until; i++) {
        during.push(await m.emitEvent(session, 'thinking', { iteration: i }));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await stack().db.startAgain();
    }
    assert.ok(during.length >= 10);
    assert.ok(during.every((o) => o.status === 'queued'), 'nothing is lost or refused while the database is down');
    assert.equal(m.stats().pending, during.length);
    assert.deepEqual(await m.flush(30_000), { pending: 0, givenUp: [] });
    const rows = await storedRows(session);
    assert.deepEqual(rows.map((r) => r.event_data.iteration), Array.from({ length: during.length + 1 }, (_, i) => i));
    assert.equal(m.stats().givenUp, 0);
  });

  it('refuses invalid and oversize events without storing them or throwing, and counts them', async () => {
    const m = manager();
    const session = await createSession(userId);
    const invalid = await m.emitEvent(session, 'terminal', { command: 42 });
    assert.equal(invalid.status, 'refused');
    assert.match((invalid as { error: string }).error, /terminal\.command/);
    const huge = await m.emitEvent(session, 'terminal', { command: 'cat', output: 'x'.repeat(300 * 1024) });
    assert.match((huge as { error: string }).error, /limit is 249 KiB/);
    const unknown = await m.emitEvent(session, 'teleport', {});
    assert.match((unknown as { error: string }).error, /unknown event type "teleport"/);
    assert.equal(m.stats().refused, 3);
    assert.deepEqual(await storedRows(session), []);
  });

  it('an event for a session that does not exist fails at once (not retried) and says why', async () => {
    const m = manager();
    const outcome = await m.emitEvent('00000000-0000-4000-8000-000000000000', 'thinking', { iteration: 1 });
    assert.equal(outcome.status, 'failed');
    assert.match((outcome as { error: string }).error, /foreign key/);
    assert.equal(m.stats().givenUp, 1);
    assert.equal(m.stats().retried, 0);
  });

  it('a batch with one event the database refuses stores all the others, in order, and counts the one given up', async () => {
    const m = manager();
    const session = await createSession(userId);
    // Passes our size check (compact JSON text within the cap) but not the database's (jsonb text adds spaces).
    const borderline = { command: 'c', output: 'x'.repeat(MAX_EVENT_DATA_BYTES - 38 - 2), error: '' };
    const outcomes = await Promise.all([
      m.emitEvent(session, 'thinking', { iteration: 0 }),
      m.emitEvent(session, 'thinking', { iteration: 1 }),
      m.emitEvent(session, 'terminal', borderline),
      m.emitEvent(session, 'thinking', { iteration: 3 }),
      m.emitEvent(session, 'thinking', { iteration: 4 }),
    ]);
    assert.equal(outcomes[2]!.status, 'queued');
    const flushed = await m.flush(10_000);
    assert.equal(flushed.pending, 0);
    assert.deepEqual(flushed.givenUp.map((g) => g.id), [(outcomes[2] as { id: string }).id], 'flush() says which event was given up');
    assert.equal((await m.whenSettled((outcomes[2] as { id: string }).id)).status, 'failed');
    assert.deepEqual((await storedRows(session)).map((r) => r.event_data.iteration), [0, 1, 3, 4]);
    assert.equal(m.stats().givenUp, 1);
    assert.equal(m.stats().emitted, 4);
  });

  it('two sessions emitting concurrently stay separate and each in order', async () => {
    const m = manager();
    const [a, b] = [await createSession(userId), await createSession(userId)];
    await Promise.all(Array.from({ length: 100 }, (_, i) => [m.emitEvent(a, 'thinking', { iteration: i }), m.emitEvent(b, 'thinking', { iteration: 1000 + i })]).flat());
    await m.flush(10_000);
    assert.deepEqual((await storedRows(a)).map((r) => r.event_data.iteration), Array.from({ length: 100 }, (_, i) => i));
    assert.deepEqual((await storedRows(b)).map((r) => r.event_data.iteration), Array.from({ length: 100 }, (_, i) => 1000 + i));
  });

  it('moves a session through its lifecycle with the real `from`, and refuses impossible transitions', async () => {
    const m = manager();
    const session = (await m.createSession(userId, 'lifecycle')).id;
    stored(await m.transition(session, 'running', 'agent started'));
    const stats = { iterations: 2, inputTokens: 10, outputTokens: 5, toolCalls: 3 };
    stored(await m.completeSession(session, stats, 'All done'));
    const rows = await storedRows(session);
    assert.deepEqual(rows.map((r) => [r.event_type, r.event_data]), [
      ['state_changed', { from: 'pending', to: 'running', reason: 'agent started' }],
      ['completion', { message: 'All done', stats }],
      ['state_changed', { from: 'running', to: 'completed', reason: 'All done' }],
    ]);
    const row = await m.getSession(session);
    assert.equal(row.state, 'completed');
    assert.deepEqual(row.stats, stats);
    await assert.rejects(m.transition(session, 'running'), (e: Error) => e instanceof SessionError && /A completed session cannot become running/.test(e.message));
    const failing = (await m.createSession(userId, 'fails')).id;
    await m.transition(failing, 'running');
    stored(await m.failSession(failing, 'tests failed'));
    assert.equal((await m.getSession(failing)).state, 'failed');
  });
});
