// When a watched session's channel is joined again: the attempt count, the retry timer and the
// watchdog that notices a clock jump (a laptop waking up), all on the injected Clock so that unit
// tests specify them in milliseconds of fake time. The stream decides what a failure is and how to
// join; this decides when.
import { backoffDelay, RECONNECT_POLICY, type BackoffPolicy } from './backoff';
import { systemClock, type Clock, type TimerHandle } from './clock';

export type RetryDecision =
  /** A retry is scheduled: `onRetry` runs at `retryAt` (attempt is 1-based). */
  | { retry: true; attempt: number; maxAttempts: number; delayMs: number; retryAt: number }
  /** Every attempt is used up: nothing is scheduled until `restart()`. */
  | { retry: false; attempts: number };

export interface ReconnectScheduleOptions {
  policy?: BackoffPolicy;
  clock?: Clock;
  /** How often the watchdog checks for a clock jump, ms; 0 = never. Default 5,000. */
  watchdogMs?: number;
  /** Runs when a scheduled retry is due. */
  onRetry: () => void;
  /**
   * Runs when the watchdog fired much later than asked (sleep, resume, a clock change): the socket
   * is probably dead without knowing it.
   */
  onClockJump: (lateMs: number) => void;
}

export class ReconnectSchedule {
  private attempts = 0;
  private retryTimer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private lastTick = 0;
  private readonly policy: BackoffPolicy;
  private readonly clock: Clock;
  private readonly watchdogMs: number;

  constructor(private readonly options: ReconnectScheduleOptions) {
    this.policy = options.policy ?? RECONNECT_POLICY;
    this.clock = options.clock ?? systemClock;
    this.watchdogMs = options.watchdogMs ?? 5000;
  }

  /** Failures since the last success (0 while connected or before the first failure). */
  get attempt(): number {
    return this.attempts;
  }

  get maxAttempts(): number {
    return this.policy.maxAttempts;
  }

  /** A retry is waiting for its timer. */
  get pending(): boolean {
    return this.retryTimer !== undefined;
  }

  /** Opening, or a manual reconnect: a fresh set of attempts, no retry waiting, the watchdog on. */
  restart(): void {
    this.cancelRetry();
    this.attempts = 0;
    this.startWatchdog();
  }

  /** The connection is up: the next failure starts again at the first delay. */
  succeeded(): void {
    this.attempts = 0;
  }

  /** The connection failed: schedules the next retry, or gives up after the last attempt. */
  failed(): RetryDecision {
    this.cancelRetry();
    this.attempts++;
    if (this.attempts > this.policy.maxAttempts) {
      this.attempts = this.policy.maxAttempts;
      return { retry: false, attempts: this.policy.maxAttempts };
    }
    const delayMs = backoffDelay(this.attempts, this.policy);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.options.onRetry();
    }, delayMs);
    return { retry: true, attempt: this.attempts, maxAttempts: this.policy.maxAttempts, delayMs, retryAt: this.clock.now() + delayMs };
  }

  /** Closed: no retry, no watchdog. `restart()` starts again. */
  stop(): void {
    this.cancelRetry();
    if (this.watchdog !== undefined) this.clock.clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private cancelRetry(): void {
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /**
   * A timer that should fire every `watchdogMs`; when it fires more than max(10 s, 2 × watchdogMs)
   * late, the machine slept or the clock jumped.
   */
  private startWatchdog(): void {
    const every = this.watchdogMs;
    if (every <= 0 || this.watchdog !== undefined) return;
    this.lastTick = this.clock.now();
    const tick = () => {
      const now = this.clock.now();
      const late = now - this.lastTick - every;
      this.lastTick = now;
      this.watchdog = this.clock.setTimeout(tick, every);
      if (late > Math.max(10_000, every * 2)) this.options.onClockJump(late);
    };
    this.watchdog = this.clock.setTimeout(tick, every);
  }
}
