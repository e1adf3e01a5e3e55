// The worker: what a runner, a bridge or a custom worker uses to write a session. It composes two
// siblings — the EventQueue (validated, journalled, retried, in-order event inserts) and the
// SessionStore (create, read and move sessions through their lifecycle, which waits on the queue)
// — and adds steering (onCommand) and reads of what is stored.
import type { SupabaseClient } from '@supabase/supabase-js';
import { systemClock, type Clock } from '../core/clock';
import { fetchHistory, HISTORY_COLUMNS } from '../core/history';
import { silentLogger, type Logger } from '../core/log';
import type { AgentRequest } from '../shared/commands';
import { parseEventRow, type SessionEvent, type SessionEventType, type SessionState, type SessionStats } from '../shared/events';
import { listenForCommands, type CommandHandler, type CommandReceiver, type CommandReceiverOptions } from './commandReceiver';
import type { EmitOutcome, GivenUp } from './emitOutcome';
import { EventQueue, type EventQueueOptions, type QueueStats } from './eventQueue';
import type { SessionRow } from '../shared/sessions';
import { SessionStore } from './sessionStore';

export type { EmitOutcome, GivenUp } from './emitOutcome';
export type LifecycleOptions = EventQueueOptions;
export type LifecycleStats = QueueStats;

export class SessionLifecycleManager {
  /** The events on their way to the database. */
  readonly events: EventQueue;
  /** The sessions: create, read, move through the lifecycle. */
  readonly sessions: SessionStore;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(
    private readonly client: SupabaseClient,
    options: LifecycleOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.events = new EventQueue(client, options);
    this.sessions = new SessionStore(client, this.events);
  }

  // ── events (EventQueue) ──

  /**
   * Validates and stores one event. Never throws; see {@link EmitOutcome}. A caller that can emit
   * the same event again (a bridge re-reading a file) passes its own stable `id`: a second copy is
   * then ignored by the database.
   */
  emitEvent(sessionId: string, type: SessionEventType | string, data: unknown, options: { id?: string } = {}): Promise<EmitOutcome> {
    return this.events.emitEvent(sessionId, type, data, options);
  }

  /** Waits until every event of `sessionId` emitted so far is stored; throws when that does not happen in time. */
  settle(sessionId: string, timeoutMs?: number): Promise<void> {
    return this.events.settle(sessionId, timeoutMs);
  }

  /**
   * Retries everything now and waits until the queue is empty or `timeoutMs` passed; resolves with
   * what is still pending and what was given up since the last flush (never stored).
   */
  flush(timeoutMs?: number): Promise<{ pending: number; givenUp: GivenUp[] }> {
    return this.events.flush(timeoutMs);
  }

  /** The final outcome of an event that was `queued`: stored, or given up (with why). */
  whenSettled(id: string): Promise<EmitOutcome> {
    return this.events.whenSettled(id);
  }

  /** Why a session's events are no longer stored, if they are not. */
  stoppedReason(sessionId: string): string | undefined {
    return this.events.stoppedReason(sessionId);
  }

  /** Queues again what earlier processes with the same journal left unstored; returns how many. */
  recover(): number {
    return this.events.recover();
  }

  stats(): LifecycleStats {
    return this.events.stats();
  }

  /** Stops retry timers (pending events stay counted; call flush() first to store them). */
  dispose(): void {
    this.events.dispose();
  }

  // ── sessions (SessionStore) ──

  /** See {@link SessionStore.transition}. */
  transition(sessionId: string, to: SessionState, reason = '', stats?: SessionStats): Promise<EmitOutcome> {
    return this.sessions.transition(sessionId, to, reason, stats);
  }

  /** See {@link SessionStore.setWaiting}. */
  setWaiting(sessionId: string, requests: readonly AgentRequest[], reason: string): Promise<void> {
    return this.sessions.setWaiting(sessionId, requests, reason);
  }

  /** The success flow: COMPLETION with the stats, then STATE_CHANGED → completed. */
  completeSession(sessionId: string, stats: SessionStats, message?: string): Promise<EmitOutcome> {
    return this.sessions.completeSession(sessionId, stats, message);
  }

  /** The failure flow: ERROR with the message (and stats), then STATE_CHANGED → failed. */
  failSession(sessionId: string, message: string, stats?: SessionStats): Promise<EmitOutcome> {
    return this.sessions.failSession(sessionId, message, stats);
  }

  /** See {@link SessionStore.createSession}. */
  createSession(...args: Parameters<SessionStore['createSession']>): Promise<SessionRow> {
    return this.sessions.createSession(...args);
  }

  /** See {@link SessionStore.setAgentInfo}. */
  setAgentInfo(sessionId: string, info: { agentSessionId?: string; model?: string }): Promise<{ agentSessionId?: string; model?: string }> {
    return this.sessions.setAgentInfo(sessionId, info);
  }

  getSession(sessionId: string): Promise<SessionRow> {
    return this.sessions.getSession(sessionId);
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
    return listenForCommands(this, handler, { ...options, client: this.client, sessionId, logger: options.logger ?? this.log, clock: options.clock ?? this.clock });
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
}
