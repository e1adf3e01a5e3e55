// Time is injected (style rule 8): backoff, retries and timeouts take a Clock, and unit tests pass
// a fake one (@sinonjs/fake-timers) instead of sleeping.

/** An opaque timer handle. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the epoch (wall clock: it can jump, e.g. after a laptop sleeps). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on `clock`. */
export function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
