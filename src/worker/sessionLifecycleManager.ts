// The worker's side of the stream, with these guarantees (docs/architecture.md, "Decisions"): every event is validated before it is sent; an event's id is made here, so
// a retried insert cannot duplicate it (ON CONFLICT (id) DO NOTHING); when the database or the
// network fails, the event waits in a bounded retry queue with exponential backoff, in order per
// session, instead of being lost; and emitEvent never throws into the agent loop.
import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { backoffDelay } from '../core/backoff';
import { systemClock, type Clock, type TimerHandle } from '../core/clock';
import { fetchHistory, HISTORY_COLUMNS } from '../core/history';
import { silentLogger, type Logger } from '../core/log';
import { parseEventRow, validateEventData, type SessionEvent, type SessionEventType, type SessionState, type SessionStats } from '../shared/events';
import { describeOutcome, type AgentRequest, type SessionCommand } from '../shared/commands';
import { CommandReceiver, type CommandHandler, type CommandReceiverOptions, type CommandResult } from './commandReceiver';
import type { Journal } from './journal';
import { SessionError, SessionStore } from './sessionStore';

export interface LifecycleOptions {
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

/** An event the manager gave up on: never stored, and said so. */
export interface GivenUp {
  id: string;
  sessionId: string;
  type: SessionEventType;
  error: string;
}

export type EmitOutcome =
  | { status: 'stored'; event: SessionEvent }
  /** Kept in the retry queue: stored later, in order (see stats() and flush()). */
  | { status: 'queued'; id: string; reason: string }
  /** Invalid before sending: nothing was stored. */
  | { status: 'refused'; error: string }
  /** The database refused it for good (e.g. no such session), or the queue was full. */
  | { status: 'failed'; id: string; error: string };

export interface LifecycleStats {
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
type InsertResult = { kind: 'stored'; events: SessionEvent[] } | { kind: 'retry'; error: string } | { kind: 'permanent'; error: string };

/** Most events sent in one insert when several wait in a session's queue. */
const MAX_BATCH = 200;

/** PostgREST/PostgreSQL failures that a later attempt can get past. */
function isTransient(status: number, code: string): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500 || /^(08|40|53|57|58)/.test(code) || /^PGRST00/.test(code);
}

export class SessionLifecycleManager extends SessionStore {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly queues = new Map<string, SessionQueue>();
  private readonly idleWaiters = new Set<() => void>();
  /** Callers of settle(), per session: resolved when that session's queue empties. */
  private readonly sessionWaiters = new Map<string, Set<(ok: boolean) => void>>();
  private readonly counts = { emitted: 0, retried: 0, givenUp: 0, refused: 0 };
  private readonly options: Required<Omit<LifecycleOptions, 'clock' | 'logger' | 'journal'>>;
  private readonly journal: Journal | undefined;
  /** Sessions whose events stopped being stored, and why: nothing later is stored past a lost one. */
  private readonly stopped = new Map<string, string>();
  /** Given up since the last flush(). */
  private givenUpSinceFlush: GivenUp[] = [];
  /** Waiters for one event's outcome (whenSettled), and the outcomes of recent ones. */
  private readonly settleWaiters = new Map<string, Array<(outcome: EmitOutcome) => void>>();
  private readonly recent = new Map<string, EmitOutcome>();
  private readonly stateChanges = new Map<string, Promise<unknown>>();

  constructor(client: SupabaseClient, options: LifecycleOptions = {}) {
    super(client);
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
    const valid = validateEventData(type, data);
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
   * Moves the session to `to`; the database records the change as a STATE_CHANGED event (with the
   * state it really left and `reason`) in the same transaction. Everything emitted before is stored
   * first, so the change comes after it in `seq`. Throws a SessionError for an impossible
   * transition (e.g. completed → running), a missing session, or events that could not be stored.
   */
  transition(sessionId: string, to: SessionState, reason = '', stats?: SessionStats): Promise<EmitOutcome> {
    return this.oneAtATime(sessionId, () => this.transitionNow(sessionId, to, reason, stats));
  }

  /**
   * State changes of one session run one after another: the agent ending while a command moves it
   * (an answer taking it out of `waiting`) must not make either fail as "changed meanwhile".
   */
  private oneAtATime<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const before = this.stateChanges.get(sessionId) ?? Promise.resolve();
    const next = before.then(work, work);
    const tail = next.catch(() => undefined);
    this.stateChanges.set(sessionId, tail);
    void tail.then(() => this.stateChanges.get(sessionId) === tail && this.stateChanges.delete(sessionId));
    return next;
  }

  private async transitionNow(sessionId: string, to: SessionState, reason: string, stats?: SessionStats): Promise<EmitOutcome> {
    await this.settle(sessionId);
    await this.moveState(sessionId, to, reason, stats);
    const { data, error } = await this.client.from('session_events').select(HISTORY_COLUMNS).eq('session_id', sessionId).eq('event_type', 'state_changed').order('session_seq', { ascending: false }).limit(1);
    const parsed = !error && data?.[0] ? parseEventRow(data[0]) : undefined;
    if (parsed?.ok) return { status: 'stored', event: parsed.event };
    return { status: 'failed', id: '', error: `the session is ${to}, but its state_changed event could not be read back${error ? `: ${error.message}` : ''}` };
  }

  /**
   * The agent waits for its user: the session becomes `waiting` with what it asked (`requests`,
   * shown in VS Code with Approve / Deny / Reply), or — already waiting — its list of requests is
   * replaced. An empty list moves a waiting session back to running with `reason`.
   */
  setWaiting(sessionId: string, requests: readonly AgentRequest[], reason: string): Promise<void> {
    return this.oneAtATime(sessionId, () => this.setWaitingNow(sessionId, requests, reason));
  }

  private async setWaitingNow(sessionId: string, requests: readonly AgentRequest[], reason: string): Promise<void> {
    await this.settle(sessionId);
    const current = await this.getSession(sessionId);
    if (requests.length === 0) {
      if (current.state === 'waiting') await this.moveState(sessionId, 'running', reason);
      return;
    }
    if (current.state !== 'waiting') {
      await this.moveState(sessionId, 'waiting', reason, undefined, { waiting_for: requests });
      return;
    }
    const { error } = await this.client.from('coding_sessions').update({ waiting_for: requests }).eq('id', sessionId).eq('state', 'waiting');
    if (error) throw new SessionError(`Could not update what session ${sessionId} waits for: ${error.message}`);
  }

  /**
   * Listens for the commands sent to `sessionId` (stop, pause, resume, messages, approve / deny)
   * and hands each to `handler` once, in the order they were sent — live, and after every
   * reconnect also those sent while this worker was away. The handler acts and says what became of
   * it; the outcome is then recorded on the command (so the sender sees it), and the timeline gets
   * an event saying who asked and what happened: the state change when the handler returns a
   * `state` to move to, a note for a delivered message or answer, an `error` event for a refused or
   * unsupported command. Returns what stops listening.
   */
  onCommand(sessionId: string, handler: CommandHandler, options: Omit<CommandReceiverOptions, 'client' | 'sessionId' | 'handler'> = {}): CommandReceiver {
    const receiver = new CommandReceiver({
      ...options,
      client: this.client,
      sessionId,
      logger: options.logger ?? this.log,
      clock: options.clock ?? this.clock,
      handler: async (command) => {
        const result = await handler(command);
        await this.recordCommand(command, result);
        return result;
      },
    });
    receiver.start();
    return receiver;
  }

  /** The timeline's record of a handled command: a state change, a note, or an error event. */
  private async recordCommand(command: SessionCommand, result: CommandResult): Promise<void> {
    const by = command.createdByName || 'someone';
    const about = { id: command.id, kind: command.kind, by, outcome: result.outcome };
    try {
      if (result.outcome !== 'done') {
        await this.emitEvent(command.sessionId, 'error', { message: describeOutcome({ ...command, outcome: result.outcome, reason: result.reason }), command: about });
      } else if (result.state) {
        const current = await this.getSession(command.sessionId);
        if (current.state !== result.state) await this.transition(command.sessionId, result.state, result.reason);
      } else if (result.note !== false) {
        await this.emitEvent(command.sessionId, 'thinking', { iteration: 0, toolsUsed: [], text: result.reason, kind: 'note', command: about });
      }
    } catch (error) {
      this.log.warn('could not record what became of a command in the timeline', { id: command.id, error: (error as Error).message });
    }
  }

  /** The success flow: COMPLETION with the stats, then STATE_CHANGED → completed. */
  async completeSession(sessionId: string, stats: SessionStats, message = 'Session completed'): Promise<EmitOutcome> {
    const completion = await this.emitEvent(sessionId, 'completion', { message, stats });
    if (completion.status === 'refused' || completion.status === 'failed') return completion;
    return this.transition(sessionId, 'completed', message, stats);
  }

  /** The failure flow: ERROR with the message (and stats), then STATE_CHANGED → failed. */
  async failSession(sessionId: string, message: string, stats?: SessionStats): Promise<EmitOutcome> {
    const failure = await this.emitEvent(sessionId, 'error', stats ? { message, stats } : { message });
    if (failure.status === 'refused' || failure.status === 'failed') return failure;
    return this.transition(sessionId, 'failed', message, stats);
  }

  /** Emits a FILES_CHANGED batch (one event for several files) for paths or `{ path, action }`. */
  emitFilesChanged(sessionId: string, files: Array<string | { path: string; action?: 'write' | 'delete' }>): Promise<EmitOutcome> {
    return this.emitEvent(sessionId, 'files_changed', { files: files.map((f) => (typeof f === 'string' ? { path: f, action: 'write' } : f)) });
  }

  /** The latest `limit` events, oldest first; with `afterSeq`, the next ones after it. */
  async getEventHistory(sessionId: string, options: { limit?: number; afterSeq?: number } = {}): Promise<SessionEvent[]> {
    const rows = await fetchHistory(this.client, sessionId, options);
    const events: SessionEvent[] = [];
    for (const row of rows) {
      if (row.ok) events.push(row.event);
      else this.log.warn('malformed event in history', { sessionId, id: row.malformed.id, reason: row.malformed.reason });
    }
    return events;
  }

  /** One stored event by id (undefined when it is not there, e.g. still queued). */
  async getEvent(id: string): Promise<SessionEvent | undefined> {
    const { data, error } = await this.client.from('session_events').select(HISTORY_COLUMNS).eq('id', id).maybeSingle();
    if (error) throw new Error(`Could not read event ${id}: ${error.message}`);
    if (!data) return undefined;
    const parsed = parseEventRow(data);
    return parsed.ok ? parsed.event : undefined;
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

  stats(): LifecycleStats {
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
      const attempt = await this.insert(batch);
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

  private async insert(batch: Entry[]): Promise<InsertResult> {
    // A timer of our own, not AbortSignal.timeout: that one does not keep the process alive, and a
    // request stuck on a reset connection then let a short-lived worker exit (code 0) with the
    // event neither stored nor retried.
    const controller = new AbortController();
    const timer = this.clock.setTimeout(() => controller.abort(new Error(`no answer within ${this.options.requestTimeoutMs} ms`)), this.options.requestTimeoutMs);
    const signal = controller.signal;
    try {
      const rows = batch.map((e) => ({ id: e.id, session_id: e.sessionId, event_type: e.type, event_data: e.data }));
      const inserted = await this.client.from('session_events').upsert(rows, { onConflict: 'id', ignoreDuplicates: true }).select(HISTORY_COLUMNS).abortSignal(signal);
      if (inserted.error) {
        const error = `${inserted.error.message}${inserted.error.code ? ` (${inserted.error.code})` : ''}`;
        return isTransient(inserted.status, inserted.error.code ?? '') ? { kind: 'retry', error } : { kind: 'permanent', error };
      }
      const byId = new Map((inserted.data as Array<{ id: string }>).map((r) => [r.id, r as unknown]));
      const missing = batch.filter((e) => !byId.has(e.id)).map((e) => e.id);
      if (missing.length > 0) {
        // Already there: an earlier attempt committed but its reply was lost. Read them back.
        const existing = await this.client.from('session_events').select(HISTORY_COLUMNS).in('id', missing).abortSignal(signal);
        if (existing.error) return { kind: 'retry', error: existing.error.message };
        for (const r of existing.data as Array<{ id: string }>) byId.set(r.id, r);
      }
      const events: SessionEvent[] = [];
      for (const e of batch) {
        const parsed = parseEventRow(byId.get(e.id));
        if (!parsed.ok) return { kind: 'retry', error: `event ${e.id} could not be read back: ${parsed.malformed.reason}` };
        events.push(parsed.event);
      }
      return { kind: 'stored', events };
    } catch (error) {
      return { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
    } finally {
      this.clock.clearTimeout(timer);
    }
  }
}
