// The few calls SessionEventStream makes on a supabase-js client, in memory, for unit tests of its
// state machine on fake time (as realtime-js tests its reconnect logic on a fake socket). Each join
// is a FakeChannel the test answers: joined, errored, or fed live rows. Integration tests run the
// same stream with real supabase-js against the local stack.
import type { SupabaseClient } from '@supabase/supabase-js';

export interface EventRow {
  id: string;
  session_id: string;
  seq: number;
  session_seq: number;
  event_type: string;
  event_data: Record<string, unknown>;
  created_at: string;
}

type Status = 'SUBSCRIBED' | 'CHANNEL_ERROR' | 'TIMED_OUT' | 'CLOSED';

export class FakeChannel {
  removed = false;
  private insert: ((payload: { new: unknown }) => void) | undefined;
  private broadcastListener: ((message: { payload: unknown }) => void) | undefined;
  private status: ((status: Status, error?: Error) => void) | undefined;

  constructor(
    readonly topic: string,
    readonly config: { private?: boolean } = {},
  ) {}

  on(type: string, filter: { table?: string }, callback: (payload: never) => void): this {
    if (type === 'postgres_changes' && filter.table === 'session_events') this.insert = callback as (payload: { new: unknown }) => void;
    if (type === 'broadcast') this.broadcastListener = callback as (message: { payload: unknown }) => void;
    if (type === 'presence') this.presenceBound = true;
    return this;
  }

  /** A broadcast on this channel (from the database: realtime.broadcast_changes' payload). */
  broadcast(payload: unknown): void {
    this.broadcastListener?.({ payload });
  }

  unsubscribe(): Promise<'ok'> {
    this.removed = true;
    return Promise.resolve('ok');
  }

  teardown(): void {}

  subscribe(callback: (status: Status, error?: Error) => void): this {
    this.status = callback;
    return this;
  }

  /** What this client showed of itself (presence). */
  readonly tracked: unknown[] = [];
  presenceBound = false;

  track(meta: unknown): Promise<'ok'> {
    this.tracked.push(meta);
    return Promise.resolve('ok');
  }

  presenceState(): Record<string, unknown[]> {
    return {};
  }

  /** The server answered the join. */
  joined(): void {
    this.status?.('SUBSCRIBED');
  }

  /** The channel failed (socket lost, server error). */
  error(message = 'socket closed'): void {
    this.status?.('CHANNEL_ERROR', new Error(message));
  }

  /** A live INSERT for this channel (as postgres_changes, or as a database broadcast on a private one). */
  push(row: EventRow): void {
    if (this.config.private) this.broadcast({ table: 'session_events', schema: 'public', operation: 'INSERT', record: row, old_record: null });
    else this.insert?.({ new: row });
  }
}

export class FakeRealtimeClient {
  /** What the database holds for the session (history reads from here). */
  readonly rows: EventRow[] = [];
  /** Every channel joined, in order; the last one is the current attempt. */
  readonly channels: FakeChannel[] = [];
  /** History reads fail while set (a REST outage). */
  historyError: string | undefined;
  historyReads = 0;
  /** Whether the project has private session channels (the function their migration adds). */
  privateChannels = false;
  readonly realtime = { setAuth: async (): Promise<void> => undefined };

  get current(): FakeChannel {
    const channel = this.channels.at(-1);
    if (!channel) throw new Error('no channel joined yet');
    return channel;
  }

  getChannels(): FakeChannel[] {
    return this.channels.filter((c) => !c.removed);
  }

  channel(topic: string, options?: { config?: { private?: boolean } }): FakeChannel {
    const channel = new FakeChannel(`realtime:${topic}`, options?.config);
    this.channels.push(channel);
    return channel;
  }

  removeChannel(channel: FakeChannel): Promise<'ok'> {
    channel.removed = true;
    return Promise.resolve('ok');
  }

  async rpc(name: string): Promise<{ data: unknown; error: { message: string; code: string } | null; status: number }> {
    if (name === 'may_read_session_topic' && this.privateChannels) return { data: false, error: null, status: 200 };
    return { data: null, error: { message: `Could not find the function public.${name}`, code: 'PGRST202' }, status: 404 };
  }

  from(_table: string) {
    const query = { sessionId: '', after: undefined as number | undefined, ascending: true, limit: 1000 };
    const builder = {
      select: () => builder,
      eq: (_column: string, value: string) => ((query.sessionId = value), builder),
      gt: (_column: string, value: number) => ((query.after = value), builder),
      order: (_column: string, options: { ascending: boolean }) => ((query.ascending = options.ascending), builder),
      limit: (n: number) => ((query.limit = n), builder),
      then: (resolve: (result: { data: EventRow[] | null; error: { message: string; code: string } | null; status: number }) => void) => {
        this.historyReads++;
        if (this.historyError) return resolve({ data: null, error: { message: this.historyError, code: 'PGRST000' }, status: 503 });
        const matching = this.rows.filter((r) => r.session_id === query.sessionId && (query.after === undefined || r.session_seq > query.after)).sort((a, b) => a.session_seq - b.session_seq);
        if (!query.ascending) matching.reverse();
        resolve({ data: matching.slice(0, query.limit), error: null, status: 200 });
      },
    };
    return builder;
  }

  /** As the client the stream expects (only the calls above are used). */
  asSupabase(): SupabaseClient {
    return this as unknown as SupabaseClient;
  }
}

/** A stored `thinking` event, number `n` of `sessionId`. */
export function eventRow(sessionId: string, n: number): EventRow {
  return { id: `${sessionId}-${n}`, session_id: sessionId, seq: n, session_seq: n, event_type: 'thinking', event_data: { iteration: n, toolsUsed: [] }, created_at: new Date(Date.UTC(2026, 10, 30, 12, 0, n)).toISOString() };
}
