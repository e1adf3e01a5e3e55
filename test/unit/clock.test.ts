import assert from 'node:assert/strict';
import FakeTimers from '@sinonjs/fake-timers';
import { withTimeout } from '../../src/core/clock';
import { fakeClock } from '../support/fakeClock';

describe('withTimeout', () => {
  it('gives the value when the promise wins, and leaves no timer running', async () => {
    const time = FakeTimers.createClock(0);
    assert.equal(await withTimeout(Promise.resolve(42), 10_000, fakeClock(time)), 42);
    assert.equal(time.countTimers(), 0);
  });

  it('gives undefined when the time runs out first', async () => {
    const time = FakeTimers.createClock(0);
    const result = withTimeout(new Promise<number>(() => undefined), 10_000, fakeClock(time));
    time.tick(10_000);
    assert.equal(await result, undefined);
    assert.equal(time.countTimers(), 0);
  });

  it('passes a rejection on, and clears the timer then too', async () => {
    const time = FakeTimers.createClock(0);
    await assert.rejects(withTimeout(Promise.reject(new Error('no')), 10_000, fakeClock(time)), /no/);
    assert.equal(time.countTimers(), 0);
  });
});
