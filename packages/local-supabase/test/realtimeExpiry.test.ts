import assert from 'node:assert/strict';
import { expiryTimer } from '../src/realtime/connection';

describe('local Realtime: when a channel’s token expires', () => {
  const now = Date.parse('2026-11-30T00:00:00Z');
  it('closes the channel when the token expires, at once if it already has', () => {
    assert.deepEqual(expiryTimer(now / 1000 + 3600, now), { delayMs: 3_600_000, rearm: false });
    assert.deepEqual(expiryTimer(now / 1000 - 5, now), { delayMs: 0, rearm: false });
  });
  it('waits for a token that lives longer than a timer can (≈ 24.8 days) in steps, instead of closing it early', () => {
    const tenYears = now / 1000 + 10 * 365 * 86_400;
    assert.deepEqual(expiryTimer(tenYears, now), { delayMs: 2 ** 31 - 1, rearm: true });
    // After one step the rest is shorter; eventually it is a plain expiry.
    assert.equal(expiryTimer(tenYears, now + (2 ** 31 - 1)).rearm, true);
    assert.deepEqual(expiryTimer(now / 1000 + 30 * 86_400, now + 2 ** 31 - 1), { delayMs: 30 * 86_400_000 - (2 ** 31 - 1), rearm: false });
  });
});
