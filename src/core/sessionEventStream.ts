// One watched session: a supabase-js channel `session:{id}` with postgres_changes INSERT on
// session_events filtered by session_id, our own bounded reconnect policy on top of supabase-js
// (ReconnectSchedule: 1, 2, 4, 8, 16, 30… s, 10 attempts, then `error`), and a history backfill after EVERY successful
// (re)join, merged with the live events that arrived meanwhile, so the listener sees every event
// exactly once, in order, with no gap. Events are numbered 1, 2, 3 … per session in commit order
// (docs/reliability.md): a live event past a gap is held back while the missing ones are fetched.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { AnnotationChanges, AnnotationSet } from '../shared/annotations';
import type { SessionCommand } from '../shared/commands';
import { parseEventRow } from '../shared/events';
import { AnnotationFeed } from './annotationFeed';
import { CommandFeed } from './commandFeed';
import { fetchCommands } from './commands';
import { fetchAnnotations } from './annotations';
import type { BackoffPolicy } from './backoff';
import { delay, systemClock, withTimeout, type Clock } from './clock';
import { Emitter, type Event } from './emitter';
import type { ConnectionState } from '../shared/connection';
import { seqOf, toEntry, type TimelineEntry } from '../shared/entries';
import { EventLog } from './eventLog';
import { asDatabaseBroadcast, hasPrivateSessionChannels, type Delivery } from './delivery';
import { fetchAllAfter, fetchHistory } from './history';
import { silentLogger, type Logger } from './log';
import { ReconnectSchedule } from './reconnectSchedule';
import { freshChannel } from './supabaseClient';
import { viewersOf, type Viewer } from './viewers';

export type { Viewer } from './viewers';

export interface StreamBatch {
  entries: TimelineEntry[];
  /** Entries that belong before ones already delivered (a late commit): insert them in place. */
  inserted: boolean;
  /** From history (initial load or a backfill), not from the live subscription. */
  history: boolean;
  /** The history loaded when the stream opened: what happened before the viewer looked. */
  initial: boolean;
}

export interface StreamOptions {
  /**
   * A supabase-js client acting as the viewer: signed in, or made with an `accessToken` provider
   * (createSupabaseClient). Before every (re)join the stream asks it for a current token.
   */
  client: SupabaseClient;
  sessionId: string;
  /** Events loaded on open (the latest N). Default 1,000. */
  historyLimit?: number;
  policy?: BackoffPolicy;
  /** How often to check for a clock jump (laptop sleep), ms; 0 = never. Default 5,000. */
  watchdogMs?: number;
  clock?: Clock;
  logger?: Logger;
  /**
   * Who is watching (Realtime presence on the session's channel): this viewer is tracked under
   * `key` (one per window or terminal) with `name` and `client`, and `viewers` lists everyone.
   */
  presence?: { key: string; name: string; client: 'vscode' | 'cli' };
  /**
   * Also keep the session's comments (`annotations`, `onDidChangeAnnotations`): live through the same
   * channel, and reloaded whole after every (re)join, as events are backfilled.
   */
  annotations?: boolean;
  /**
   * How events and comments arrive (see delivery.ts). Default `broadcast`; a project without
   * private session channels falls back to `postgres_changes` on a public channel (logged once).
   */
  delivery?: Delivery;
  /**
   * Also keep the session's commands (stop, pause, messages… and their outcomes: `commands`,
   * `onDidChangeCommands`): live through the same channel, and reloaded after every (re)join.
   */
  commands?: boolean;
  /** Follow the session's events (default true). The agent's runner listens for commands only. */
  events?: boolean;
  /**
   * Start after this event number instead of with the latest `historyLimit`: every event after it,
   * read and delivered a page at a time (`tail --since-seq`, an export that follows).
   */
  sinceSeq?: number;
  /** Keep at most this many entries in `log` (default: all); older ones were delivered and let go. */
  maxEntries?: number;
}

export interface StreamStats {
  live: number;
  backfilled: number;
  duplicates: number;
  malformed: number;
  joins: number;
  lastEventAt?: number;
  /** createdAt → received for the last live event, ms (same clock only on the local stack). */
  lastLatencyMs?: number;
}

const PAGE = 1000;
/** How long a leave waits for the server's answer before the channel is closed anyway. */
const LEAVE_TIMEOUT_MS = 1000;

/**
 * Leaves and removes a channel, closed within LEAVE_TIMEOUT_MS. supabase-js forgets a closed channel
 * by its topic name, so a leave still pending when the same topic is joined again (a restarted
 * server that answers the old leave with an error, leaving it to time out) would, on closing, take
 * the NEW channel out of the client too: it would then receive nothing. A private topic cannot
 * take a stand-in name, so the old channel must be closed before the join.
 */
async function leaveChannel(channel: RealtimeChannel): Promise<void> {
  await channel.unsubscribe(LEAVE_TIMEOUT_MS).catch(() => undefined);
  channel.teardown();
}
const LATENCY_SAMPLES = 1000;

export class SessionEventStream {
  readonly log: EventLog;
  private readonly stateEmitter = new Emitter<ConnectionState>();
  private readonly batchEmitter = new Emitter<StreamBatch>();
  /** Fires on every state change (no polling). */
  readonly onDidChangeState: Event<ConnectionState> = this.stateEmitter.event;
  /** Fires with each batch of new entries, in order. */
  readonly onDidReceive: Event<StreamBatch> = this.batchEmitter.event;
  private readonly viewersEmitter = new Emitter<Viewer[]>();
  /** Fires when someone starts or stops watching (presence sync). */
  readonly onDidChangeViewers: Event<Viewer[]> = this.viewersEmitter.event;
  private currentViewers: Viewer[] = [];
  private readonly feed: AnnotationFeed;
  /** Fires with comments added, edited (upserted) or deleted (removed), live or after a reload. */
  readonly onDidChangeAnnotations: Event<AnnotationChanges>;
  private readonly commandFeed: CommandFeed;
  /** Fires with commands sent, taken or handled, live or after a reload (with the `commands` option). */
  readonly onDidChangeCommands: Event<SessionCommand[]>;
  private readonly since = new Date().toISOString();

  private current: ConnectionState = { state: 'closed' };
  private channel: RealtimeChannel | undefined;
  private generation = 0;
  private readonly schedule: ReconnectSchedule;
  private liveBuffer: unknown[] | undefined;
  /** Live entries past a gap, waiting for the events before them. */
  private ahead: TimelineEntry[] = [];
  private gapFill: Promise<void> | undefined;
  private removing: Promise<unknown> = Promise.resolve();
  private loadedOnce = false;
  private readonly latencySamples: number[] = [];
  private readonly counters: StreamStats = { live: 0, backfilled: 0, duplicates: 0, malformed: 0, joins: 0 };
  private readonly clock: Clock;
  private readonly logger: Logger;
  private client: SupabaseClient;
  private warnedPublic = false;
  private currentDelivery: Delivery | undefined;

  constructor(private readonly options: StreamOptions) {
    this.client = options.client;
    this.log = new EventLog(options.maxEntries);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.schedule = new ReconnectSchedule({
      policy: options.policy,
      clock: this.clock,
      watchdogMs: options.watchdogMs,
      onRetry: () => void this.join(),
      onClockJump: (lateMs) => {
        if (this.current.state !== 'joined') return;
        this.logger.warn('clock jumped (sleep or resume?); rejoining', { sessionId: this.options.sessionId, lateMs });
        void this.join();
      },
    });
    this.feed = new AnnotationFeed(options.sessionId);
    this.onDidChangeAnnotations = this.feed.onDidChange;
    this.commandFeed = new CommandFeed(options.sessionId);
    this.onDidChangeCommands = this.commandFeed.onDidChange;
  }

  /** The session's commands known so far, oldest first (with the `commands` option). */
  get commands(): CommandFeed {
    return this.commandFeed;
  }

  /** The session's comments (with the `annotations` option). */
  get annotations(): AnnotationSet {
    return this.feed.set;
  }

  get state(): ConnectionState {
    return this.current;
  }

  get sessionId(): string {
    return this.options.sessionId;
  }

  /** Everyone watching, as of the last presence sync (this viewer included once joined). */
  get viewers(): readonly Viewer[] {
    return this.currentViewers;
  }

  stats(): StreamStats {
    return { ...this.counters };
  }

  /** createdAt → received of the last 1,000 live events, ms (meaningful where clocks agree). */
  latencies(): number[] {
    return [...this.latencySamples];
  }

  /** Starts watching: loads history, subscribes, and keeps it so until close(). */
  open(): void {
    if (this.current.state !== 'closed') return;
    this.schedule.restart();
    void this.join();
  }

  /** Manual reconnect (the "Reconnect" action): a fresh set of attempts, starting now. */
  reconnect(): void {
    this.schedule.restart();
    void this.join();
  }

  /** How events arrive on the current channel (undefined before the first join). */
  get delivery(): Delivery | undefined {
    return this.currentDelivery;
  }

  /**
   * Moves to another client (the project's URL or key changed and the sign-in was restored on a new
   * one): the channel on the old client is dropped and the stream rejoins on the new one, keeping
   * its log, so the backfill brings only what it missed.
   */
  useClient(client: SupabaseClient): void {
    if (client === this.client) return;
    const channel = this.channel;
    this.channel = undefined;
    this.client = client;
    if (channel) this.removing = leaveChannel(channel);
    if (this.current.state !== 'closed') this.reconnect();
  }

  async close(): Promise<void> {
    this.schedule.stop();
    this.generation++;
    const channel = this.channel;
    this.channel = undefined;
    this.setState({ state: 'closed' });
    this.setViewers([]);
    if (channel) await this.client.removeChannel(channel).catch(() => undefined);
  }

  dispose(): void {
    void this.close();
    this.stateEmitter.dispose();
    this.batchEmitter.dispose();
    this.viewersEmitter.dispose();
    this.feed.dispose();
    this.commandFeed.dispose();
  }

  private setState(next: ConnectionState): void {
    this.current = next;
    this.stateEmitter.fire(next);
  }

  private setViewers(viewers: Viewer[]): void {
    const key = (v: Viewer[]) => v.map((x) => `${x.key}|${x.name}|${x.client}`).join(',');
    if (key(viewers) === key(this.currentViewers)) return;
    this.currentViewers = viewers;
    this.viewersEmitter.fire(viewers);
  }

  private dropChannel(): void {
    const channel = this.channel;
    this.channel = undefined;
    // Not awaited here; the next join waits for it (with a dead socket phoenix answers at once).
    if (channel) this.removing = leaveChannel(channel);
  }

  private async join(): Promise<void> {
    const generation = ++this.generation;
    this.dropChannel();
    this.setState({ state: 'joining', attempt: this.schedule.attempt });
    // The topic must be free before it is joined again: presence (and broadcast) are per topic, so a
    // channel under a stand-in name (freshChannel) would neither see nor be seen by the others.
    await withTimeout(this.removing, LEAVE_TIMEOUT_MS + 1000, this.clock);
    if (generation !== this.generation) return;
    try {
      // No argument: supabase-js asks its token source (the accessToken provider or the signed-in
      // session, refreshed if due). Must happen BEFORE subscribing, or the join is anonymous.
      await this.client.realtime.setAuth();
    } catch (error) {
      this.logger.warn('could not refresh the access token before joining', { error: String(error) });
    }
    if (generation !== this.generation) return;
    let privateChannel: boolean;
    try {
      privateChannel = await hasPrivateSessionChannels(this.client);
    } catch (error) {
      return this.fail(generation, `could not reach the project: ${(error as Error).message}`);
    }
    if (generation !== this.generation) return;
    const delivery: Delivery = privateChannel ? (this.options.delivery ?? 'broadcast') : 'postgres_changes';
    if (!privateChannel && !this.warnedPublic) {
      this.warnedPublic = true;
      this.logger.warn('this project has no private session channels (its database lacks the migration that adds them): events arrive by postgres_changes on a public channel, where anyone who knows the session id can see who watches', { sessionId: this.options.sessionId });
    }
    this.currentDelivery = delivery;
    // Live rows wait here until the backfill is merged, so the order holds across the join.
    this.liveBuffer = [];
    const presence = this.options.presence;
    const channel = freshChannel(this.client, `session:${this.options.sessionId}`, { presenceKey: presence?.key, private: privateChannel });
    this.channel = channel;
    const isCurrent = () => generation === this.generation;
    const onEventRow = (row: unknown) => {
      if (!isCurrent()) return;
      if (this.liveBuffer) this.liveBuffer.push(row);
      else this.deliverLive([row]);
    };
    if (presence) channel.on('presence', { event: 'sync' }, () => isCurrent() && this.setViewers(viewersOf(channel.presenceState())));
    const events = this.options.events !== false;
    if (delivery === 'broadcast') {
      if (this.options.annotations) this.feed.begin();
      if (this.options.commands) this.commandFeed.begin();
      channel.on('broadcast', { event: '*' }, (message: { payload?: unknown }) => {
        const change = asDatabaseBroadcast(message.payload);
        if (!change || !isCurrent()) return;
        if (change.table === 'session_events' && change.operation === 'INSERT' && change.record?.session_id === this.options.sessionId) {
          if (events) onEventRow(change.record);
        } else if (change.table === 'session_event_annotations' && this.options.annotations) this.feed.receive(change.operation, change.operation === 'DELETE' ? change.old_record : change.record);
        else if (change.table === 'session_commands' && this.options.commands && change.record) this.commandFeed.receive(change.record);
      });
    } else {
      if (events) channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'session_events', filter: `session_id=eq.${this.options.sessionId}` }, (payload) => onEventRow(payload.new));
      if (this.options.annotations) this.feed.listen(channel, isCurrent);
      if (this.options.commands) this.commandFeed.listen(channel, isCurrent);
    }
    channel.subscribe((status, error) => {
      if (generation !== this.generation) return;
      if (status === 'SUBSCRIBED') {
        if (presence) {
          void channel
            .track({ name: presence.name, client: presence.client, since: this.since })
            .then((result) => result !== 'ok' && this.logger.warn('could not show this viewer to others (presence)', { result }))
            .catch((error: unknown) => this.logger.warn('could not show this viewer to others (presence)', { error: String(error) }));
        }
        void this.afterJoin(generation);
      }
      else this.fail(generation, `${status}${error?.message ? `: ${error.message}` : ''}`);
    });
  }

  private async afterJoin(generation: number): Promise<void> {
    try {
      const side = Promise.all([
        this.options.annotations ? fetchAnnotations(this.client, this.options.sessionId) : undefined,
        this.options.commands ? fetchCommands(this.client, this.options.sessionId) : undefined,
      ]);
      side.catch(() => undefined);
      if (this.options.events !== false) {
        const last = this.log.lastSeq;
        if (!this.loadedOnce && last === undefined && this.options.sinceSeq === undefined) {
          const rows = await fetchHistory(this.client, this.options.sessionId, { limit: this.options.historyLimit ?? 1000 });
          if (generation !== this.generation) return;
          this.deliver(rows.map(toEntry), true);
        } else if (!(await this.deliverAllAfter(last ?? this.options.sinceSeq ?? 0, generation))) return;
      }
      const [notes, commands] = await side;
      if (generation !== this.generation) return;
      const buffered = this.liveBuffer ?? [];
      this.liveBuffer = undefined;
      if (buffered.length > 0) this.deliverLive(buffered);
      if (notes) this.feed.settle(notes);
      if (commands) this.commandFeed.settle(commands);
      this.loadedOnce = true;
      this.schedule.succeeded();
      this.counters.joins++;
      this.setState({ state: 'joined', at: this.clock.now() });
      this.logger.info('joined', { sessionId: this.options.sessionId, events: this.log.size });
    } catch (error) {
      this.fail(generation, `history: ${(error as Error).message}`);
    }
  }

  /**
   * Everything past `after`, read and delivered a page at a time (memory stays bounded however
   * much was missed). False when a newer join took over meanwhile.
   */
  private async deliverAllAfter(after: number, generation: number): Promise<boolean> {
    for (let cursor = after; ; ) {
      const page = await fetchHistory(this.client, this.options.sessionId, { afterSeq: cursor, limit: PAGE });
      if (generation !== this.generation) return false;
      this.deliver(page.map(toEntry), true);
      const lastSeq = page.length > 0 ? seqOf(toEntry(page.at(-1)!)) : undefined;
      if (page.length < PAGE || lastSeq === undefined) return true;
      cursor = lastSeq;
    }
  }

  private deliverLive(rows: unknown[]): void {
    const entries = rows.map((row) => toEntry(parseEventRow(row)));
    const now = this.clock.now();
    for (const e of entries) {
      if (e.kind !== 'event') continue;
      this.counters.lastEventAt = now;
      const created = Date.parse(e.event.createdAt);
      if (!Number.isFinite(created)) continue;
      this.counters.lastLatencyMs = Math.max(0, now - created);
      if (this.latencySamples.push(this.counters.lastLatencyMs) > LATENCY_SAMPLES) this.latencySamples.shift();
    }
    this.deliverInOrder(entries);
  }

  /**
   * Live entries go out when they are next in line; one past a gap waits while the events before it
   * are fetched (a numbered event is committed before any later one, so they can be).
   */
  private deliverInOrder(entries: TimelineEntry[]): void {
    let expected = (this.log.lastSeq ?? 0) + 1;
    const ready: TimelineEntry[] = [];
    for (const e of [...entries].sort((a, b) => (seqOf(a) ?? 0) - (seqOf(b) ?? 0))) {
      const seq = seqOf(e);
      // Unnumbered (malformed) and already-passed numbers go out as they are (the log places them).
      if (seq === undefined || seq < expected) ready.push(e);
      else if (seq === expected) {
        ready.push(e);
        expected++;
      } else this.ahead.push(e);
    }
    this.deliver(ready, false);
    this.releaseAhead();
    if (this.ahead.length > 0) this.fillGap();
  }

  /** Delivers waiting entries that are next in line now. */
  private releaseAhead(): void {
    this.ahead.sort((a, b) => seqOf(a)! - seqOf(b)!);
    let expected = (this.log.lastSeq ?? 0) + 1;
    const ready: TimelineEntry[] = [];
    while (this.ahead.length > 0 && seqOf(this.ahead[0]!)! <= expected) {
      const e = this.ahead.shift()!;
      if (seqOf(e) === expected) expected++;
      ready.push(e);
    }
    this.deliver(ready, false);
  }

  /**
   * Fetches what is missing before the entries waiting. A change can reach us before its row is
   * visible to a new query, so an empty answer is retried briefly; after that the waiting entries
   * go out anyway (and a missing one, when it comes, is placed where it belongs).
   */
  private fillGap(): void {
    if (this.gapFill) return;
    const generation = this.generation;
    this.gapFill = (async () => {
      for (let attempt = 0; attempt < 8 && this.ahead.length > 0 && generation === this.generation; attempt++) {
        if (attempt > 0) await delay(this.clock, 25 * 2 ** attempt);
        try {
          const rows = await fetchAllAfter(this.client, this.options.sessionId, this.log.lastSeq ?? 0, PAGE);
          if (generation !== this.generation) return;
          this.deliver(rows.map(toEntry).filter((e) => (seqOf(e) ?? 0) < seqOf(this.ahead[0]!)!), true);
          this.releaseAhead();
        } catch (error) {
          this.logger.warn('could not fetch the events before a gap', { error: String(error) });
        }
      }
      if (this.ahead.length > 0 && generation === this.generation) {
        this.logger.warn('events are missing before the ones delivered now', { sessionId: this.options.sessionId, after: this.log.lastSeq, next: seqOf(this.ahead[0]!) });
        const waiting = this.ahead;
        this.ahead = [];
        this.deliver(waiting, false);
      }
    })().finally(() => (this.gapFill = undefined));
  }

  private deliver(entries: TimelineEntry[], history: boolean): void {
    if (entries.length === 0) return;
    const { appended, inserted, duplicates } = this.log.add(entries);
    this.counters.duplicates += duplicates;
    const fresh = appended.length + inserted.length;
    if (history) this.counters.backfilled += fresh;
    else this.counters.live += fresh;
    this.counters.malformed += [...appended, ...inserted].filter((e) => e.kind === 'malformed').length;
    for (const e of [...appended, ...inserted]) if (e.kind === 'malformed') this.logger.warn('malformed event', { id: e.malformed.id, reason: e.malformed.reason });
    if (history && fresh > 0) this.logger.info(this.loadedOnce ? 'backfilled' : 'history loaded', { sessionId: this.options.sessionId, events: fresh, duplicates });
    const initial = history && !this.loadedOnce;
    if (inserted.length > 0) this.batchEmitter.fire({ entries: inserted, inserted: true, history, initial });
    if (appended.length > 0) this.batchEmitter.fire({ entries: appended, inserted: false, history, initial });
  }

  private fail(generation: number, reason: string): void {
    if (generation !== this.generation) return;
    this.generation++;
    this.liveBuffer = undefined;
    this.ahead = []; // the backfill after the rejoin fetches them
    this.feed.drop();
    this.commandFeed.drop();
    this.dropChannel();
    const next = this.schedule.failed();
    if (!next.retry) {
      this.logger.error('giving up reconnecting', { sessionId: this.options.sessionId, reason, attempts: next.attempts });
      this.setState({ state: 'error', reason });
      return;
    }
    this.logger.warn('connection lost; reconnecting', { sessionId: this.options.sessionId, reason, attempt: next.attempt, inMs: next.delayMs });
    this.setState({ state: 'reconnecting', attempt: next.attempt, maxAttempts: next.maxAttempts, retryAt: next.retryAt, reason });
  }
}
