// `/realtime/v1/websocket`: Phoenix channels as Supabase Realtime speaks them — heartbeats, joins
// with postgres_changes bindings (replied in the client's order with the same fields), access
// token updates and expiry, broadcast and presence, public and private channels (Realtime
// Authorization: the RLS policies on realtime.messages, see authorization.ts). Table changes go
// through the ChangeRouter; inserts into realtime.messages (Broadcast from Database) go straight to
// the channels joined on their topic with the same privacy.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { JwtError, type Claims, type Keys } from '../keys';
import type { Logger } from '../log';
import { PolicyError, readAuthorization, writeAuthorization, type Extension } from './authorization';
import type { Change } from './cdc';
import { ChangeRouter, type Binding } from './changeRouter';
import { parseRealtimeFilter } from './filters';
import { decodeFrame, FrameError, type PhoenixMessage, type Vsn } from './phoenixSerializer';
import { PresenceRegistry, type PresenceDiff } from './presence';
import { handleBroadcastApi } from './broadcastApi';
import { Connection, expiryTimer, LIMITS, type JoinedChannel } from './connection';

export interface RealtimeOptions {
  keys: Keys;
  pool: pg.Pool;
  log: Logger;
  /** Close a socket that sent nothing (not even a heartbeat) for this long. Phoenix: 60 s. */
  idleTimeoutMs?: number;
  /** Largest frame accepted; a larger one closes the socket with 1009 (default 1 MiB). */
  maxFrameBytes?: number;
  /** permessage-deflate on the socket (default off: it serialized the gateway's sends, see docs/benchmarks.md). */
  compression?: boolean;
}

const CHANGE_EVENTS = new Set(['INSERT', 'UPDATE', 'DELETE', '*']);

export class RealtimeServer {
  readonly router: ChangeRouter;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly presence = new PresenceRegistry();
  private readonly idleTimer: NodeJS.Timeout;
  private nextBindingId = 1000;
  /** Deliveries of realtime.messages rows to channels. */
  private fromDatabase = 0;

  constructor(private readonly options: RealtimeOptions) {
    this.router = new ChangeRouter(options.pool, options.log);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes ?? 1024 * 1024,
      perMessageDeflate: options.compression ?? false,
    });
    const idle = options.idleTimeoutMs ?? 60_000;
    this.idleTimer = setInterval(() => {
      const now = Date.now();
      for (const c of this.connections) if (now - c.lastSeen > idle) c.ws.terminate();
    }, Math.min(idle, 5000));
    this.idleTimer.unref();
  }

  stats(): Record<string, number> {
    let channels = 0;
    for (const c of this.connections) channels += c.channels.size;
    return { connections: this.connections.size, channels, broadcastsFromDatabase: this.fromDatabase, changeSubscribers: this.router.size, presences: this.presence.count(), delivered: this.router.delivered, routingFailures: this.router.failed, rlsHidden: this.router.visibilityStats.hidden, rlsRetries: this.router.visibilityStats.retries, rlsGone: this.router.visibilityStats.gone, rlsUndecided: this.router.visibilityStats.undecided };
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const apikey = url.searchParams.get('apikey') ?? (req.headers.apikey as string | undefined);
    const vsn = (url.searchParams.get('vsn') ?? '1.0.0') as Vsn;
    let claims: Claims | undefined;
    if (apikey && (await this.options.keys.isProjectKey(apikey))) claims = await this.options.keys.verify(apikey);
    if (!claims || (vsn !== '1.0.0' && vsn !== '2.0.0')) {
      const reason = !claims ? 'Invalid or missing apikey' : `Unsupported vsn ${vsn}`;
      socket.end(`HTTP/1.1 ${claims ? 400 : 401} ${reason}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`);
      return;
    }
    const apikeyClaims = claims;
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, vsn, apikeyClaims, headers));
  }

  /** A committed transaction from the change feed. */
  onTransaction(changes: readonly Change[]): void {
    const tableChanges: Change[] = [];
    for (const change of changes) {
      if (change.schema === 'realtime' && change.table === 'messages') {
        if (change.type === 'INSERT' && change.record) this.fromDatabaseMessage(change.record);
      } else tableChanges.push(change);
    }
    if (tableChanges.length > 0) this.router.onTransaction(tableChanges);
  }

  /** A realtime.messages row: a broadcast to every channel on its topic with its privacy. */
  private fromDatabaseMessage(row: Record<string, string | null | undefined>): void {
    if (row.extension !== 'broadcast' || !row.topic) return;
    let payload: unknown = null;
    try {
      payload = row.payload === null || row.payload === undefined ? null : JSON.parse(row.payload);
    } catch {
      this.options.log.warn('a realtime.messages row with a payload that is not JSON', { topic: row.topic });
      return;
    }
    const isPrivate = row.private === 't' || row.private === 'true';
    for (const channel of this.channelsOn(`realtime:${row.topic}`, isPrivate)) {
      channel.send('broadcast', { type: 'broadcast', event: row.event, payload, meta: { id: row.id } });
      this.fromDatabase++;
    }
  }

  /** The REST broadcast API (broadcastApi.ts). */
  handleApi(req: IncomingMessage, res: ServerResponse, url: URL, rest: string): Promise<void> {
    return handleBroadcastApi(req, res, url, rest, { keys: this.options.keys, pool: this.options.pool, send: (topic, isPrivate, event, payload) => this.sendToTopic(topic, isPrivate, event, payload) });
  }

  private sendToTopic(subTopic: string, isPrivate: boolean, event: string, payload: unknown): void {
    for (const channel of this.channelsOn(`realtime:${subTopic}`, isPrivate)) channel.send('broadcast', { type: 'broadcast', event, payload });
  }

  /** Closes every socket (e.g. to simulate or perform a restart). */
  close(): void {
    clearInterval(this.idleTimer);
    for (const c of this.connections) c.ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket, vsn: Vsn, apikeyClaims: Claims, headers: Record<string, string>): void {
    const connection = new Connection(ws, vsn, apikeyClaims, headers);
    this.connections.add(connection);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      connection.lastSeen = Date.now();
      let message: PhoenixMessage;
      try {
        message = decodeFrame(data, isBinary, vsn);
      } catch (error) {
        const reason = error instanceof FrameError ? error.message : 'undecodable frame';
        this.options.log.warn('closing a socket that sent a malformed frame', { reason });
        ws.close(1007, reason.slice(0, 120));
        return;
      }
      if (connection.waiting >= LIMITS.inbox) {
        ws.close(1008, 'too many messages waiting');
        return;
      }
      connection.waiting++;
      connection.inbox = connection.inbox.then(() => {
        connection.waiting--;
        // A socket that closed meanwhile: its waiting messages (joins above all) are dropped.
        if (connection.closed) return;
        return this.onMessage(connection, message).catch((error: unknown) => {
          this.options.log.error('realtime message failed', { error: String(error), event: message.event });
          connection.reply(message, 'error', { reason: 'internal error' });
        });
      });
    });
    ws.on('close', () => {
      connection.closed = true;
      this.connections.delete(connection);
      for (const channel of connection.channels.values()) this.leave(connection, channel);
    });
    ws.on('error', (error) => this.options.log.debug('socket error', { error: error.message }));
  }

  private async onMessage(c: Connection, m: PhoenixMessage): Promise<void> {
    if (m.topic === 'phoenix') {
      if (m.event === 'heartbeat') c.reply(m, 'ok', {});
      else c.reply(m, 'error', { reason: `unknown event "${m.event}" on topic phoenix` });
      return;
    }
    if (m.event === 'phx_join') return this.join(c, m);
    const channel = c.channels.get(m.topic);
    if (!channel) {
      c.reply(m, 'error', { reason: 'unmatched topic' });
      return;
    }
    switch (m.event) {
      case 'phx_leave':
        c.reply(m, 'ok', {});
        this.leave(c, channel);
        c.push({ join_ref: channel.joinRef, ref: m.ref, topic: m.topic, event: 'phx_close', payload: {} });
        return;
      case 'access_token':
        return this.updateToken(c, channel, m.payload.access_token);
      case 'broadcast':
        // On a private channel only who may write (the INSERT policy); an unauthorized send is
        // dropped silently, as Realtime does.
        if (channel.private && !(await this.mayWrite(c, channel, 'broadcast'))) return;
        this.broadcast(channel, m.payload);
        if (channel.broadcastAck) c.reply(m, 'ok', {});
        return;
      case 'presence':
        if (channel.private && !(await this.mayWrite(c, channel, 'presence'))) {
          c.reply(m, 'error', { reason: `Unauthorized: You do not have permissions to track presence on this Channel topic: ${channel.subTopic}` });
          return;
        }
        this.onPresence(c, channel, m);
        return;
      default:
        c.reply(m, 'error', { reason: `unknown event "${m.event}"` });
    }
  }

  private async verify(token: unknown): Promise<{ claims?: Claims; reason?: string }> {
    if (typeof token !== 'string' || !token) return { reason: 'missing access_token' };
    try {
      return { claims: await this.options.keys.verify(token) };
    } catch (error) {
      if (error instanceof JwtError && error.expired) return { reason: 'Token has expired' };
      return { reason: (error as Error).message };
    }
  }

  private async join(c: Connection, m: PhoenixMessage): Promise<void> {
    const config = (m.payload.config ?? {}) as Record<string, unknown>;
    const existing = c.channels.get(m.topic);
    if (existing) {
      this.leave(c, existing);
      c.push({ join_ref: existing.joinRef, ref: null, topic: m.topic, event: 'phx_close', payload: {} });
    }
    const isPrivate = config.private === true;
    const subTopic = m.topic.replace(/^realtime:/, '');
    const token = m.payload.access_token;
    const verified = token === undefined ? { claims: c.apikeyClaims } : await this.verify(token);
    if (!verified.claims) {
      c.reply(m, 'error', { reason: verified.reason ?? 'invalid access_token' });
      return;
    }
    const presenceConfig = (config.presence ?? {}) as { key?: string; enabled?: boolean };
    if (isPrivate) {
      if (!verified.claims.role || !verified.claims.exp) {
        c.reply(m, 'error', { reason: 'InvalidJWTToken: Fields `role` and `exp` are required in JWT' });
        return;
      }
      const readable = await this.readable(c, verified.claims, subTopic, presenceConfig.enabled === true);
      if (readable === 'error') {
        c.reply(m, 'error', { reason: 'Unable to check the authorization of this channel; try again' });
        return;
      }
      if (readable.size === 0) {
        c.reply(m, 'error', { reason: `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}` });
        return;
      }
    }
    if (!existing && c.channels.size >= LIMITS.channelsPerSocket) {
      c.reply(m, 'error', { reason: `Too many channels on this socket (at most ${LIMITS.channelsPerSocket})` });
      return;
    }
    const requested = config.postgres_changes;
    if (Array.isArray(requested) && requested.length > LIMITS.bindingsPerJoin) {
      c.reply(m, 'error', { reason: `Too many postgres_changes bindings (${requested.length}; at most ${LIMITS.bindingsPerJoin} per channel)` });
      return;
    }
    let bindings: Binding[];
    try {
      bindings = await this.bindingsFor(config.postgres_changes);
    } catch (error) {
      c.reply(m, 'error', { reason: (error as Error).message });
      return;
    }
    // The socket may have closed while the bindings were checked: no subscriber for it.
    if (c.closed) return;
    const presence = presenceConfig;
    const broadcast = (config.broadcast ?? {}) as { self?: boolean; ack?: boolean; replication_ready?: boolean };
    const channel: JoinedChannel = {
      topic: m.topic,
      private: isPrivate,
      subTopic,
      writable: new Map(),
      joinRef: m.join_ref,
      bindings,
      claims: verified.claims,
      presenceKey: presence.key || randomUUID(),
      presenceEnabled: presence.enabled === true,
      broadcastSelf: broadcast.self === true,
      broadcastAck: broadcast.ack === true,
      open: true,
      isOpen: () => channel.open && c.ws.readyState === c.ws.OPEN,
      send: (event, payload) => c.push({ join_ref: channel.joinRef, ref: null, topic: m.topic, event, payload }),
      // As a Phoenix channel that crashed: phx_error, and the client rejoins (then backfills).
      fail: (reason) => {
        if (!channel.open) return;
        this.options.log.warn('channel errored: a change could not be routed to it', { topic: m.topic, reason });
        this.leave(c, channel);
        channel.send('phx_error', { reason });
      },
    };
    c.channels.set(m.topic, channel);
    this.armExpiry(c, channel);
    const echoed = bindings.map((b, i) => {
      const requested = ((config.postgres_changes as Array<Record<string, unknown>>)[i] ?? {});
      return { id: b.id, event: requested.event, schema: requested.schema, table: requested.table, filter: requested.filter };
    });
    c.reply(m, 'ok', { postgres_changes: echoed });
    this.router.add(channel);
    if (bindings.length > 0) {
      channel.send('system', { status: 'ok', message: 'Subscribed to PostgreSQL', extension: 'postgres_changes', channel: m.topic.replace(/^realtime:/, '') });
    }
    if (broadcast.replication_ready === true) channel.send('system', { extension: 'system', status: 'ok', message: 'Replication connection established', channel: subTopic });
    if (channel.presenceEnabled) channel.send('presence_state', this.presence.state(presenceTopic(channel)));
  }

  private async bindingsFor(raw: unknown): Promise<Binding[]> {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw new Error('config.postgres_changes must be a list');
    const bindings: Binding[] = [];
    for (const item of raw as Array<Record<string, unknown>>) {
      const event = String(item?.event ?? '').toUpperCase();
      const schema = typeof item?.schema === 'string' ? item.schema : '';
      const table = typeof item?.table === 'string' && item.table !== '' ? item.table : undefined;
      const describe = `[event: ${event}, schema: ${schema}, table: ${table ?? '*'}, filters: [${item?.filter ?? ''}]]`;
      if (!CHANGE_EVENTS.has(event) || !schema) throw new Error(`Invalid postgres_changes binding ${describe}: event must be INSERT, UPDATE, DELETE or *, and schema is required`);
      const filter = typeof item.filter === 'string' && item.filter !== '' ? parseRealtimeFilter(item.filter) : undefined;
      if (filter && (!table || table === '*')) throw new Error(`Invalid postgres_changes binding ${describe}: a filter needs a table`);
      const published = await this.options.pool.query<{ columns: string[] }>(
        `select array(select a.attname from pg_attribute a where a.attrelid = format('%I.%I', p.schemaname, p.tablename)::regclass and a.attnum > 0)::text[] as columns
           from pg_publication_tables p
          where p.pubname = 'supabase_realtime' and ($1 = '*' or p.schemaname = $1) and ($2::text is null or $2 = '*' or p.tablename = $2)`,
        [schema, table ?? null],
      );
      if (published.rowCount === 0) {
        throw new Error(`Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: ${describe}`);
      }
      if (filter && !published.rows[0]!.columns.includes(filter.column)) {
        throw new Error(`Invalid postgres_changes binding ${describe}: column "${filter.column}" does not exist`);
      }
      bindings.push({ id: this.nextBindingId++, event: event as Binding['event'], schema, table, filter });
    }
    return bindings;
  }

  private armExpiry(c: Connection, channel: JoinedChannel): void {
    clearTimeout(channel.expiryTimer);
    const exp = channel.claims.exp;
    if (!exp) return;
    const timer = expiryTimer(exp, Date.now());
    channel.expiryTimer = setTimeout(() => (timer.rearm ? this.armExpiry(c, channel) : this.expire(c, channel, 'Token has expired 0 seconds ago')), timer.delayMs);
    channel.expiryTimer.unref();
  }

  /** As real Realtime: a system error on the channel, then phx_close (the client ends CLOSED). */
  private expire(c: Connection, channel: JoinedChannel, message: string): void {
    if (!channel.open) return;
    channel.send('system', { extension: 'system', status: 'error', message, channel: channel.topic.replace(/^realtime:/, '') });
    this.leave(c, channel);
    channel.send('phx_close', {});
  }

  private async updateToken(c: Connection, channel: JoinedChannel, token: unknown): Promise<void> {
    const verified = await this.verify(token);
    if (!verified.claims) {
      this.expire(c, channel, verified.reason === 'Token has expired' ? 'Token has expired 0 seconds ago' : `Invalid access_token: ${verified.reason}`);
      return;
    }
    const changed = JSON.stringify(verified.claims) !== JSON.stringify(channel.claims);
    channel.claims = verified.claims;
    this.armExpiry(c, channel);
    // A private channel is authorized again with every new token: a reader who lost access is told
    // and closed, as Realtime does.
    if (channel.private && changed) {
      channel.writable.clear();
      const readable = await this.readable(c, verified.claims, channel.subTopic, channel.presenceEnabled);
      if (readable !== 'error' && readable.size === 0) this.expire(c, channel, `You no longer have permission to read from this Channel topic: ${channel.subTopic}`);
    }
  }

  private leave(c: Connection, channel: JoinedChannel): void {
    if (!channel.open) return;
    channel.open = false;
    clearTimeout(channel.expiryTimer);
    this.router.remove(channel);
    if (c.channels.get(channel.topic) === channel) c.channels.delete(channel.topic);
    const diff = this.presence.untrack(presenceTopic(channel), channel);
    if (diff) this.pushPresenceDiff(channel, diff);
  }

  /** The open channels on `topic` with that privacy: a private and a public channel never mix. */
  private *channelsOn(topic: string, isPrivate: boolean): Iterable<JoinedChannel> {
    for (const c of this.connections) {
      const channel = c.channels.get(topic);
      if (channel?.open && channel.private === isPrivate) yield channel;
    }
  }

  /** The extensions `claims` may read on a private topic, or 'error' when that cannot be told. */
  private async readable(c: Connection, claims: Claims, subTopic: string, presence: boolean): Promise<Set<Extension> | 'error'> {
    try {
      return await readAuthorization(this.options.pool, claims, subTopic, presence ? ['broadcast', 'presence'] : ['broadcast'], c.headers);
    } catch (error) {
      if (error instanceof PolicyError) {
        this.options.log.warn('a policy on realtime.messages failed; the channel is not authorized', { topic: subTopic, error: error.message });
        return new Set();
      }
      this.options.log.warn('could not check a private channel’s read authorization', { topic: subTopic, error: String(error) });
      return 'error';
    }
  }

  private mayWrite(c: Connection, channel: JoinedChannel, extension: Extension): Promise<boolean> {
    let answer = channel.writable.get(extension);
    if (!answer) {
      answer = writeAuthorization(this.options.pool, channel.claims, channel.subTopic, extension, c.headers).catch((error: unknown) => {
        this.options.log.warn('could not check a private channel’s write authorization', { topic: channel.subTopic, error: String(error) });
        channel.writable.delete(extension);
        return false;
      });
      channel.writable.set(extension, answer);
    }
    return answer;
  }

  private broadcast(from: JoinedChannel, payload: Record<string, unknown>): void {
    for (const channel of this.channelsOn(from.topic, from.private)) {
      if (channel === from && !from.broadcastSelf) continue;
      channel.send('broadcast', { type: 'broadcast', event: payload.event, payload: payload.payload });
    }
  }

  private onPresence(c: Connection, channel: JoinedChannel, m: PhoenixMessage): void {
    const event = m.payload.event;
    if (event === 'track') {
      const tracked = (m.payload.payload ?? {}) as Record<string, unknown>;
      this.pushPresenceDiff(channel, this.presence.track(presenceTopic(channel), channel, channel.presenceKey, tracked));
      c.reply(m, 'ok', {});
    } else if (event === 'untrack') {
      const diff = this.presence.untrack(presenceTopic(channel), channel);
      if (diff) this.pushPresenceDiff(channel, diff);
      c.reply(m, 'ok', {});
    } else c.reply(m, 'error', { reason: `unknown presence event "${String(event)}"` });
  }

  private pushPresenceDiff(on: JoinedChannel, diff: PresenceDiff): void {
    for (const channel of this.channelsOn(on.topic, on.private)) channel.send('presence_diff', diff as unknown as Record<string, unknown>);
  }
}

/** Presence is kept per topic and privacy: who is on a private channel is not shown on the public one. */
function presenceTopic(channel: JoinedChannel): string {
  return `${channel.private ? 'private' : 'public'}|${channel.topic}`;
}
