import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { RECONNECT_POLICY } from '../../src/core/backoff';
import { ReconnectSchedule, type RetryDecision } from '../../src/core/reconnectSchedule';
import { fakeClock } from '../support/fakeClock';

describe('ReconnectSchedule (fake time)', () => {
  let time: FakeTimers.Clock;
  let retries: number[];
  let jumps: number[];
  let schedule: ReconnectSchedule;

  beforeEach(() => {
    time = FakeTimers.createClock(1_000_000);
    retries = [];
    jumps = [];
    schedule = new ReconnectSchedule({
      policy: RECONNECT_POLICY,
      clock: fakeClock(time),
      onRetry: () => retries.push(time.now),
      onClockJump: (late) => jumps.push(late),
    });
    schedule.restart();
  });
  afterEach(() => schedule.stop());

  /** Fails once and lets fake time run until the retry fires (or nothing is scheduled). */
  function failAndWait(): RetryDecision {
    const decision = schedule.failed();
    if (decision.retry) time.tick(decision.delayMs);
    return decision;
  }

  it('retries after exactly 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 s, then gives up after the tenth attempt', () => {
    const start = time.now;
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const d = failAndWait();
      assert.ok(d.retry, `attempt ${i + 1} is scheduled`);
      assert.equal(d.attempt, i + 1);
      assert.equal(d.maxAttempts, 10);
      delays.push(d.delayMs);
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000]);
    // Each retry ran at the moment the decision said, not a millisecond early or late.
    let at = start;
    assert.deepEqual(retries, delays.map((d) => (at += d)));
    assert.deepEqual(schedule.failed(), { retry: false, attempts: 10 });
    time.tick(60 * 60 * 1000);
    assert.equal(retries.length, 10, 'nothing runs after giving up');
  });

  it('a retry fires only when due: 999 ms after the first failure nothing, at 1000 ms once', () => {
    const d = schedule.failed();
    assert.ok(d.retry);
    assert.equal(d.retryAt, time.now + 1000);
    time.tick(999);
    assert.equal(retries.length, 0);
    assert.ok(schedule.pending);
    time.tick(1);
    assert.equal(retries.length, 1);
    assert.ok(!schedule.pending);
  });

  it('a success starts the next outage at 1 s again', () => {
    failAndWait();
    failAndWait();
    failAndWait();
    schedule.succeeded();
    const d = schedule.failed();
    assert.ok(d.retry);
    assert.equal(d.attempt, 1);
    assert.equal(d.delayMs, 1000);
  });

  it('a manual reconnect (restart) cancels the waiting retry and gives ten fresh attempts, also after giving up', () => {
    for (let i = 0; i < 10; i++) failAndWait();
    assert.equal(schedule.failed().retry, false);
    schedule.restart();
    const d = schedule.failed();
    assert.ok(d.retry);
    assert.equal(d.attempt, 1);
    schedule.restart();
    time.tick(5000);
    assert.equal(retries.length, 10, 'the retry that was waiting never ran');
  });

  it('a failure while a retry waits replaces it: one retry runs, at the new time', () => {
    schedule.failed(); // 1 s
    time.tick(500);
    const d = schedule.failed(); // 2 s from now
    assert.ok(d.retry);
    time.tick(1000);
    assert.equal(retries.length, 0, 'the first retry was cancelled');
    time.tick(1000);
    assert.equal(retries.length, 1);
  });

  it('stop() leaves no timer behind', () => {
    schedule.failed();
    schedule.stop();
    assert.equal(time.countTimers(), 0);
    time.tick(60_000);
    assert.equal(retries.length, 0);
  });

  it('the watchdog reports a clock jump (sleep) once, with how late it was; normal ticks and small delays are not jumps', () => {
    time.tick(60_000); // twelve regular ticks
    assert.deepEqual(jumps, []);
    time.setSystemTime(time.now + 3 * 60_000); // the laptop slept three minutes: the wall clock jumped
    time.tick(5000);
    assert.deepEqual(jumps, [3 * 60_000]);
    time.setSystemTime(time.now + 9000); // under 10 s late: a busy machine, not a sleep
    time.tick(5000);
    assert.equal(jumps.length, 1);
    time.tick(60_000);
    assert.equal(jumps.length, 1, 'the watchdog keeps running and stays quiet');
  });

  it('with watchdogMs 0 there is no watchdog', () => {
    schedule.stop();
    const quiet = new ReconnectSchedule({ clock: fakeClock(time), watchdogMs: 0, onRetry: () => undefined, onClockJump: () => assert.fail('no watchdog') });
    quiet.restart();
    assert.equal(time.countTimers(), 0);
    quiet.stop();
  });
});
