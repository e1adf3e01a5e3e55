// The worker's queue of events on their way to the database, with these guarantees
// (docs/architecture.md, "Decisions"): every event is validated before it is sent; an event's id is
// made here (or by the caller), so a retried insert cannot duplicate it; when the database or the
// network fails, the event waits in a bounded retry queue with exponential backoff, in order per
// session, instead of being lost; and emitEvent never throws into the agent loop.
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { backoffDelay } from '../core/backoff';
import { systemClock, type Clock, type TimerHandle } from '../core/clock';
import { silentLogger, type Logger } from '../core/log';
import { STATE_CHANGED_IS_THE_DATABASES, validateEventData, withoutNul, type SessionEvent, type SessionEventType } from '../shared/events';
import type { EmitOutcome, GivenUp } from './emitOutcome';
import { insertEvents } from './eventInsert';
import type { Journal } from './journal';
import { SessionError } from '../core/sessions';
import type { EventSink } from './sessionStore';

export interface EventQueueOptions {
  clock?: Clock;
  logger?: Logger;
  /** Most events waiting for a retry, over all sessions (default 10,000). */
  maxPending?: number;
  /** Retry delays: initial · 2^(n−1) up to the cap (default 500 ms → 30 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Attempts before an event is given up (default 30: ≈ 13 minutes of outage). */
  maxAttempts?: number;
  /** One insert may take this long before it counts as failed and is retried (default 15 s). */
  requestTimeoutMs?: number;
  /** Keep the queue on disk too, so a crash or kill loses nothing (see journal.ts and recover()). */
  journal?: Journal;
}

export interface QueueStats {
  emitted: number;
  retried: number;
  pending: number;
  givenUp: number;
  refused: number;
}

interface Entry {
  id: string;
  sessionId: string;
  type: SessionEventType;
  data: unknown;
  attempts: number;
}

interface SessionQueue {
  entries: Entry[];
  busy: boolean;
  /** After a refused batch: how many more inserts go one event at a time. */
  singles: number;
  timer?: TimerHandle;
}

type Attempt = { kind: 'stored'; event: SessionEvent } | { kind: 'retry'; error: string } | { kind: 'permanent'; error: string } | { kind: 'split' };

/** Most events sent in one insert when several wait in a session's queue. */
const MAX_BATCH = 200;


export class EventQueue implements EventSink {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly queues = new Map<string, SessionQueue>();
  private readonly idleWaiters = new Set<() => void>();
  /** Callers of settle(), per session: resolved when that session's queue empties. */
  private readonly sessionWaiters = new Map<string, Set<(ok: boolean) => void>>();
  private readonly counts = { emitted: 0, retried: 0, givenUp: 0, refused: 0 };
  private readonly options: Required<Omit<EventQueueOptions, 'clock' | 'logger' | 'journal'>>;
  private readonly journal: Journal | undefined;
  /** Sessions whose events stopped being stored, and why: nothing later is stored past a lost one. */
  private readonly stopped = new Map<string, string>();
  /** Given up since the last flush(). */
  private givenUpSinceFlush: GivenUp[] = [];
  /** Waiters for one event's outcome (whenSettled), and the outcomes of recent ones. */
  private readonly settleWaiters = new Map<string, Array<(outcome: EmitOutcome) => void>>();
  private readonly recent = new Map<string, EmitOutcome>();

  constructor(
    private readonly client: SupabaseClient,
    options: EventQueueOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.journal = options.journal;
    this.options = {
      maxPending: options.maxPending ?? 10_000,
      retryInitialMs: options.retryInitialMs ?? 500,
      retryMaxMs: options.retryMaxMs ?? 30_000,
      maxAttempts: options.maxAttempts ?? 30,
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    };
  }

  /**
   * Validates and stores one event. Never throws; see {@link EmitOutcome}. A caller that can emit
   * the same event again (a bridge re-reading a file) passes its own stable `id`: a second copy is
   * then ignored by the database.
   */
  async emitEvent(sessionId: string, type: SessionEventType | string, data: unknown, options: { id?: string } = {}): Promise<EmitOutcome> {
    const valid = type === 'state_changed' ? { ok: false as const, error: STATE_CHANGED_IS_THE_DATABASES } : validateEventData(type, withoutNul(data));
    if (!valid.ok) {
      this.counts.refused++;
      this.log.warn('event refused', { sessionId, type, error: valid.error });
      return { status: 'refused', error: valid.error };
    }
    const stopped = this.stopped.get(sessionId);
    if (stopped) return { status: 'failed', id: options.id ?? '', error: `not stored: ${stopped}` };
    if (this.pending >= this.options.maxPending) {
      const error = `the retry queue is full (${this.options.maxPending} events waiting); is the database down?`;
      const id = options.id ?? randomUUID();
      this.giveUp({ id, sessionId, type: type as SessionEventType, data: valid.value, attempts: 0 }, error);
      this.stop(sessionId, `an earlier event (${id}) of this session was not stored: ${error}`);
      return { status: 'failed', id, error };
    }
    const entry: Entry = { id: options.id ?? randomUUID(), sessionId, type: type as SessionEventType, data: valid.value, attempts: 0 };
    this.journal?.add({ id: entry.id, sessionId, type: entry.type, data: entry.data });
    const queue = this.queueOf(sessionId);
    queue.entries.push(entry);
    if (queue.busy || queue.entries.length > 1) {
      return { status: 'queued', id: entry.id, reason: `waiting behind ${queue.entries.length - 1} earlier event(s) of this session` };
    }
    const attempt = await this.attemptHead(queue);
    void this.pump(sessionId);
    switch (attempt.kind) {
      case 'stored':
        return { status: 'stored', event: attempt.event };
      case 'permanent':
        return { status: 'failed', id: entry.id, error: attempt.error };
      case 'retry':
        return { status: 'queued', id: entry.id, reason: attempt.error };
      default:
        return { status: 'queued', id: entry.id, reason: 'retrying on its own' };
    }
  }

  /**
   * Retries everything now and waits until the queue is empty or `timeoutMs` passed; resolves with
   * what is still pending and what was given up since the last flush (never stored).
   */
  async flush(timeoutMs = 10_000): Promise<{ pending: number; givenUp: GivenUp[] }> {
    for (const [sessionId, queue] of this.queues) {
      if (queue.timer !== undefined) {
        this.clock.clearTimeout(queue.timer);
        queue.timer = undefined;
        void this.pump(sessionId);
      }
    }
    if (this.pending > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.clock.clearTimeout(timer);
          this.idleWaiters.delete(done);
          resolve();
        };
        const timer = this.clock.setTimeout(done, timeoutMs);
        this.idleWaiters.add(done);
      });
    }
    const givenUp = this.givenUpSinceFlush;
    this.givenUpSinceFlush = [];
    return { pending: this.pending, givenUp };
  }

  /** The final outcome of an event that was `queued`: stored, or given up (with why). */
  whenSettled(id: string): Promise<EmitOutcome> {
    const known = this.recent.get(id);
    if (known) return Promise.resolve(known);
    if (![...this.queues.values()].some((q) => q.entries.some((e) => e.id === id))) return Promise.resolve({ status: 'failed', id, error: 'no such event is waiting here' });
    return new Promise((resolve) => this.settleWaiters.set(id, [...(this.settleWaiters.get(id) ?? []), resolve]));
  }

  /** Why a session's events are no longer stored, if they are not. */
  stoppedReason(sessionId: string): string | undefined {
    return this.stopped.get(sessionId);
  }

  /**
   * Takes over what earlier worker processes with the same journal left unstored (they crashed or
   * were killed) and queues it again, in order. Returns how many events that was.
   */
  recover(): number {
    const entries = this.journal?.takeOver() ?? [];
    for (const e of entries) {
      this.journal!.add(e);
      this.queueOf(e.sessionId).entries.push({ ...e, attempts: 0 });
    }
    for (const sessionId of new Set(entries.map((e) => e.sessionId))) void this.pump(sessionId);
    if (entries.length > 0) this.log.info('recovered events an earlier process left unstored', { events: entries.length });
    return entries.length;
  }

  private settled(id: string, outcome: EmitOutcome): void {
    this.recent.set(id, outcome);
    if (this.recent.size > 10_000) this.recent.delete(this.recent.keys().next().value!);
    for (const resolve of this.settleWaiters.get(id) ?? []) resolve(outcome);
    this.settleWaiters.delete(id);
  }

  private giveUp(entry: Entry, error: string): void {
    this.counts.givenUp++;
    this.givenUpSinceFlush.push({ id: entry.id, sessionId: entry.sessionId, type: entry.type, error });
    if (this.givenUpSinceFlush.length > 1000) this.givenUpSinceFlush.shift();
    this.journal?.done(entry.sessionId, entry.id);
    this.log.error('event given up', { sessionId: entry.sessionId, id: entry.id, type: entry.type, error });
    this.settled(entry.id, { status: 'failed', id: entry.id, error });
  }

  /** Stops storing a session's events after one was lost: the rest of its queue is given up too. */
  private stop(sessionId: string, reason: string): void {
    this.stopped.set(sessionId, reason);
    const queue = this.queues.get(sessionId);
    for (const entry of queue?.entries.splice(0) ?? []) this.giveUp(entry, `not stored: ${reason}`);
  }

  /** Waits until every event of `sessionId` emitted so far is stored; throws when that does not happen in time. */
  async settle(sessionId: string, timeoutMs = this.options.requestTimeoutMs * 4): Promise<void> {
    const queue = this.queues.get(sessionId);
    if (!queue || queue.entries.length === 0) return;
    if (queue.timer !== undefined) {
      this.clock.clearTimeout(queue.timer);
      queue.timer = undefined;
      void this.pump(sessionId);
    }
    const settled = await new Promise<boolean>((resolve) => {
      const waiters = this.sessionWaiters.get(sessionId) ?? new Set<(ok: boolean) => void>();
      this.sessionWaiters.set(sessionId, waiters);
      const done = (ok: boolean) => {
        this.clock.clearTimeout(timer);
        waiters.delete(done);
        resolve(ok);
      };
      const timer = this.clock.setTimeout(() => done(false), timeoutMs);
      waiters.add(done);
    });
    if (!settled) throw new SessionError(`${this.queues.get(sessionId)?.entries.length ?? 0} event(s) of session ${sessionId} are still waiting to be stored; the session stays open so they can be.`);
  }

  stats(): QueueStats {
    return { ...this.counts, pending: this.pending };
  }

  /** Stops retry timers (pending events stay counted; call flush() first to store them). */
  dispose(): void {
    for (const queue of this.queues.values()) if (queue.timer !== undefined) this.clock.clearTimeout(queue.timer);
  }

  private get pending(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.entries.length;
    return n;
  }

  private queueOf(sessionId: string): SessionQueue {
    let queue = this.queues.get(sessionId);
    if (!queue) {
      queue = { entries: [], busy: false, singles: 0 };
      this.queues.set(sessionId, queue);
    }
    return queue;
  }

  /** Works through one session's queue in order until it is empty or must wait for a retry. */
  private async pump(sessionId: string): Promise<void> {
    const queue = this.queues.get(sessionId);
    if (!queue || queue.busy || queue.timer !== undefined) return;
    while (queue.entries.length > 0) {
      const head = queue.entries[0]!;
      const attempt = await this.attemptHead(queue);
      if (attempt.kind === 'retry') {
        if (head.attempts >= this.options.maxAttempts) {
          const error = `gave up after ${head.attempts} attempts: ${attempt.error}`;
          this.dropHead(queue, head, error);
          // Later events must not be stored past a lost one: the session's stream stops here.
          this.stop(sessionId, `an earlier event (${head.type} ${head.id}) of this session was not stored (${error}); later events of the session are not stored either`);
          continue;
        }
        const wait = backoffDelay(head.attempts, { initialMs: this.options.retryInitialMs, maxMs: this.options.retryMaxMs });
        queue.timer = this.clock.setTimeout(() => {
          queue.timer = undefined;
          void this.pump(sessionId);
        }, wait);
        return;
      }
    }
    this.queues.delete(sessionId);
    for (const resolve of [...(this.sessionWaiters.get(sessionId) ?? [])]) resolve(true);
    this.sessionWaiters.delete(sessionId);
    if (this.pending === 0) for (const resolve of [...this.idleWaiters]) resolve();
  }

  private dropHead(queue: SessionQueue, head: Entry, error: string): void {
    queue.entries.shift();
    this.giveUp(head, error);
  }

  /**
   * Inserts the head of the queue — and, when more events wait behind it, up to MAX_BATCH of them
   * in one request (a multi-row insert keeps their order in `seq`). A batch the database refuses
   * for good is retried one event at a time, so one bad event cannot sink its neighbours.
   */
  private async attemptHead(queue: SessionQueue): Promise<Attempt> {
    const head = queue.entries[0]!;
    const batch = queue.entries.slice(0, queue.singles > 0 ? 1 : MAX_BATCH);
    queue.busy = true;
    try {
      head.attempts++;
      if (head.attempts > 1) this.counts.retried++;
      const attempt = await insertEvents(this.client, batch, { timeoutMs: this.options.requestTimeoutMs, clock: this.clock });
      if (attempt.kind === 'stored') {
        queue.entries.splice(0, batch.length);
        this.counts.emitted += batch.length;
        attempt.events.forEach((event, i) => {
          this.journal?.done(batch[i]!.sessionId, batch[i]!.id);
          this.settled(batch[i]!.id, { status: 'stored', event });
        });
        if (queue.singles > 0) queue.singles--;
        return { kind: 'stored', event: attempt.events[0]! };
      }
      if (attempt.kind === 'permanent') {
        if (batch.length > 1) {
          head.attempts--;
          queue.singles = batch.length;
          return { kind: 'split' };
        }
        this.dropHead(queue, head, attempt.error);
      } else if (head.attempts === 1) {
        this.log.warn('event insert failed; it will be retried', { sessionId: head.sessionId, id: head.id, error: attempt.error });
      }
      return attempt;
    } finally {
      queue.busy = false;
    }
  }
}
