// Our Clock on @sinonjs/fake-timers' clock: timers run only when a test moves time on (tick), and
// the wall clock can jump (setSystemTime) as it does when a laptop sleeps.
import type FakeTimers from '@sinonjs/fake-timers';
import type { Clock } from '../../src/core/clock';

export function fakeClock(time: FakeTimers.Clock): Clock {
  return {
    now: () => time.now,
    setTimeout: (callback, ms) => time.setTimeout(callback, ms),
    clearTimeout: (handle) => time.clearTimeout(handle as FakeTimers.TimerId),
  };
}
