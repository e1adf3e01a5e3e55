// One watched session: a supabase-js channel `session:{id}` (its events as the database's broadcasts
// or as postgres_changes, delivery.ts), our own bounded reconnect policy on top of supabase-js
// (ReconnectSchedule: 1, 2, 4, 8, 16, 30… s, 10 attempts, then `error`), and a history backfill after
// EVERY successful (re)join, merged with the live events that arrived meanwhile, so the listener sees
// every event exactly once, in order, with no gap. Events are numbered 1, 2, 3 … per session in
// commit order (docs/reliability.md): a live event past a gap is held back while the missing ones
// are fetched (inOrder.ts). Options and figures: streamOptions.ts.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { AnnotationChanges, AnnotationSet } from '../shared/annotations';
import type { SessionCommand } from '../shared/commands';
import { parseEventRow } from '../shared/events';
import { AnnotationFeed } from './annotationFeed';
import { CommandFeed } from './commandFeed';
import { fetchCommands } from './commands';
import { fetchAnnotations } from './annotations';
import { systemClock, withTimeout, type Clock } from './clock';
import { Emitter, type Event } from './emitter';
import type { ConnectionState } from '../shared/connection';
import { seqOf, toEntry, type TimelineEntry } from '../shared/entries';
import { EventLog } from './eventLog';
import { InOrder } from './inOrder';
import { bindSession, hasPrivateSessionChannels, type Delivery } from './delivery';
import { fetchHistory } from './history';
import { silentLogger, type Logger } from './log';
import { ReconnectSchedule } from './reconnectSchedule';
import { freshChannel, leaveChannel, LEAVE_TIMEOUT_MS } from './supabaseClient';
import { viewersOf, type Viewer } from './viewers';

export type { Viewer } from './viewers';
export type { StreamBatch, StreamOptions, StreamStats } from './streamOptions';
import type { StreamBatch, StreamOptions, StreamStats } from './streamOptions';

const PAGE = 1000;
const LATENCY_SAMPLES = 1000;

/** Why a stream ended when its viewer may no longer read the session. */
export const ACCESS_ENDED = 'You no longer have access to this session: you were removed from its team, or it is no longer shared with you.';

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
  private readonly inOrder: InOrder;
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
    this.inOrder = new InOrder({ sessionId: options.sessionId, lastSeq: () => this.log.lastSeq, deliver: (entries, history) => this.deliver(entries, history), client: () => this.client, clock: this.clock, logger: this.logger, pageSize: PAGE });
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

  /**
   * Asks again whether the viewer may still read this session (they were told their access
   * changed: removed from its team, no longer shared). If not, the channel is left and the stream
   * ends in `error` saying so: nothing arrives after, and it does not reconnect. When it cannot
   * tell (the stack out of reach), it goes on: the next join is checked by Realtime anyway.
   */
  async recheckAccess(): Promise<boolean> {
    if (this.current.state === 'closed') return true;
    const { data, error } = await this.client.rpc('may_read_session', { session: this.options.sessionId });
    // (closed meanwhile: nothing to end)
    if (error || data !== false || (this.current as ConnectionState).state === 'closed') return true;
    this.schedule.stop();
    this.generation++;
    this.liveBuffer = undefined;
    this.feed.drop();
    this.commandFeed.drop();
    this.dropChannel();
    this.setViewers([]);
    this.logger.warn('access to the session ended', { sessionId: this.options.sessionId });
    this.setState({ state: 'error', reason: ACCESS_ENDED });
    return false;
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
      this.logger.warn('this project has no private session channels (its database lacks the migration that adds them): events arrive by postgres_changes on a public channel, and who watches is not shown (there, anyone who knows the session id could see it, and pose as a viewer)', { sessionId: this.options.sessionId });
    }
    this.currentDelivery = delivery;
    // Live rows wait here until the backfill is merged, so the order holds across the join.
    this.liveBuffer = [];
    // Presence only where only readers of the session can join: on a public channel anyone could
    // read who watches, and show themselves as anyone.
    const presence = privateChannel ? this.options.presence : undefined;
    if (!presence) this.setViewers([]);
    const channel = freshChannel(this.client, `session:${this.options.sessionId}`, { presenceKey: presence?.key, private: privateChannel });
    this.channel = channel;
    const isCurrent = () => generation === this.generation;
    const onEventRow = (row: unknown) => {
      if (!isCurrent()) return;
      if (this.liveBuffer) this.liveBuffer.push(row);
      else this.deliverLive([row]);
    };
    if (presence) channel.on('presence', { event: 'sync' }, () => isCurrent() && this.setViewers(viewersOf(channel.presenceState())));
    bindSession(channel, { delivery, sessionId: this.options.sessionId, events: this.options.events !== false, onEventRow, annotations: this.options.annotations ? this.feed : undefined, commands: this.options.commands ? this.commandFeed : undefined, isCurrent });
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
    const generation = this.generation;
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
    this.inOrder.push(entries, () => generation === this.generation);
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
    this.inOrder.reset(); // the backfill after the rejoin fetches them
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
