// Exponential backoff as a pure function of the attempt (phoenix.js' timer, realtime-js' reconnect
// timer): easy to test, no hidden state.

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  initialMs: number;
  /** Cap, ms. */
  maxMs: number;
  /** Retries before giving up. */
  maxAttempts: number;
}

/** The reconnect table: 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 s — ten attempts. */
export const RECONNECT_POLICY: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, maxAttempts: 10 };

/** Delay before retry `attempt` (1-based): initial · 2^(attempt−1), capped. */
export function backoffDelay(attempt: number, policy: Pick<BackoffPolicy, 'initialMs' | 'maxMs'>): number {
  if (!Number.isFinite(attempt) || attempt < 1) return policy.initialMs;
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt - 1, 40));
}
