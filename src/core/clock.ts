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

/**
 * `promise`'s value, or `undefined` when `ms` pass first. The timer is cleared when the promise
 * wins, so nothing is left running (a bare `Promise.race` with a timer keeps it).
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock = systemClock): Promise<T | undefined> {
  let timer: TimerHandle | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = clock.setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clock.clearTimeout(timer);
  }
}
