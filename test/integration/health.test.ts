// The health panel's server figures (the database's monitoring views, read through supabase-js as the
// signed-in user) on known data: events per minute per type and the per-type average age over the
// last hour, for the user's own sessions only, nothing older than an hour; and the panel's
// snapshot helpers on known samples.
import assert from 'node:assert/strict';
import { fetchServerHealth } from '../../src/core/health';
import { histogram, percentile } from '../../src/shared/health';
import { adminClient, client, createSession, signUp, type TestUser } from '@agent-session-stream/local-supabase/testing';

describe('health panel: server figures on known data', () => {
  let alice: TestUser;
  let bob: TestUser;

  before(async () => {
    [alice, bob] = await Promise.all([signUp(), signUp()]);
    const admin = await adminClient();
    try {
      const mine = await createSession(alice.id);
      const theirs = await createSession(bob.id);
      // Minute m (counted back from ten minutes ago), type, how many; created_at set by hand.
      const plan: Array<[string, number, string, number]> = [
        [mine, 0, 'thinking', 4],
        [mine, 0, 'terminal', 3],
        [mine, 1, 'thinking', 1],
        [mine, 90, 'thinking', 7], // older than an hour: not counted
        [theirs, 0, 'error', 5], // someone else's: not visible to alice
      ];
      for (const [session, m, type, n] of plan) {
        for (let i = 0; i < n; i++) {
          const data = type === 'thinking' ? { iteration: i, toolsUsed: [] } : type === 'terminal' ? { command: 'ls', output: '', error: '', exitCode: 0 } : { message: 'boom' };
          await admin.query(
            `insert into public.session_events (session_id, event_type, event_data, created_at)
             values ($1, $2, $3, date_trunc('minute', now()) - interval '10 minutes' - make_interval(mins => $4::int) + make_interval(secs => $5::int))`,
            [session, type, JSON.stringify(data), m, i],
          );
        }
      }
    } finally {
      await admin.end();
    }
  });

  it('counts events per minute and type, and averages their age, for the user’s own sessions', async () => {
    const health = await fetchServerHealth(alice.client);
    const minutes = [...new Set(health.volume.map((v) => v.minute))];
    assert.equal(minutes.length, 2, 'two minutes with events in the last hour');
    assert.ok(Date.parse(minutes[0]!) < Date.parse(minutes[1]!), 'oldest minute first');
    assert.deepEqual(health.volume.map((v) => [minutes.indexOf(v.minute), v.eventType, v.eventCount]), [[0, 'thinking', 1], [1, 'terminal', 3], [1, 'thinking', 4]]);
    assert.equal(Date.parse(minutes[1]!) % 60_000, 0, 'minutes are whole minutes');
    assert.deepEqual(health.latency.map((l) => [l.eventType, l.eventCount]), [['terminal', 3], ['thinking', 5]], 'the 90-minute-old events and bob’s are left out');
    for (const l of health.latency) assert.ok(l.avgAgeSeconds > 590 && l.avgAgeSeconds < 780, `${l.eventType} average age ${l.avgAgeSeconds} s ≈ 10–12 min`);
    const bobs = await fetchServerHealth(bob.client);
    assert.deepEqual(bobs.latency.map((l) => [l.eventType, l.eventCount]), [['error', 5]]);
  });

  it('says why when it cannot read them', async () => {
    await assert.rejects(fetchServerHealth(client()), /Could not load the server's figures/);
  });

  it('puts latency samples in fixed buckets and takes nearest-rank percentiles', () => {
    const h = histogram([0, 5, 6, 10, 11, 999, 1000, 1001, 5000, 5001, 1e9]);
    assert.deepEqual(h.counts, [2, 2, 1, 0, 0, 0, 0, 2, 1, 1, 2]);
    assert.equal(h.counts.reduce((a, b) => a + b), 11, 'every sample in one bucket');
    assert.equal(percentile([], 0.5), undefined);
    assert.equal(percentile([30, 10, 20], 0.5), 20);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 10);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  });
});
