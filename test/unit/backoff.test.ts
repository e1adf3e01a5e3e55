import assert from 'node:assert/strict';
import { backoffDelay, RECONNECT_POLICY } from '../../src/core/backoff';

describe('backoffDelay', () => {
  it('is the reconnect table: 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 s over ten attempts', () => {
    const table = Array.from({ length: RECONNECT_POLICY.maxAttempts }, (_, i) => backoffDelay(i + 1, RECONNECT_POLICY) / 1000);
    assert.deepEqual(table, [1, 2, 4, 8, 16, 30, 30, 30, 30, 30]);
  });

  it('stays at the cap for huge attempts and treats nonsense as the first attempt', () => {
    assert.equal(backoffDelay(10_000, RECONNECT_POLICY), 30_000);
    assert.equal(backoffDelay(0, RECONNECT_POLICY), 1000);
    assert.equal(backoffDelay(Number.NaN, RECONNECT_POLICY), 1000);
    assert.equal(backoffDelay(3, { initialMs: 50, maxMs: 1000 }), 200);
  });
});
