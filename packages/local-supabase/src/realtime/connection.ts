// One Realtime socket and what it joined: its channels, the order its messages are handled in, and
// the limits that keep one client from exhausting the gateway; and how long a token's channel may
// stay open. Used by realtimeServer.ts.
import type { WebSocket } from 'ws';
import type { Claims } from '../keys';
import type { Extension, RequestHeaders } from './authorization';
import type { ChangeSubscriber } from './changeRouter';
import { encodeFrame, type PhoenixMessage, type Vsn } from './phoenixSerializer';

export interface JoinedChannel extends ChangeSubscriber {
  joinRef: string | null;
  /** Joined with `config.private: true`: authorized by the project's policies. */
  private: boolean;
  /** The topic without `realtime:`, as policies see it through realtime.topic(). */
  subTopic: string;
  /** Write checks of a private channel, by extension, made once (as Realtime caches them). */
  writable: Map<Extension, Promise<boolean>>;
  presenceKey: string;
  presenceEnabled: boolean;
  broadcastSelf: boolean;
  broadcastAck: boolean;
  expiryTimer?: NodeJS.Timeout;
  open: boolean;
}

export class Connection {
  readonly channels = new Map<string, JoinedChannel>();
  lastSeen = Date.now();
  /**
   * A socket's messages are handled one after another, as a Phoenix socket does: a join waits for
   * the database, and a later join of the same topic (a client flushing joins it buffered while
   * offline) must not finish first and be replaced by an earlier, stale one.
   */
  inbox: Promise<void> = Promise.resolve();
  /** Messages waiting in the inbox. */
  waiting = 0;
  closed = false;
  constructor(
    readonly ws: WebSocket,
    readonly vsn: Vsn,
    readonly apikeyClaims: Claims,
    /** The upgrade request's headers, as policies see them in `request.headers`. */
    readonly headers: RequestHeaders = {},
  ) {}

  push(message: PhoenixMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    // A client that does not read its socket is not buffered for without end.
    if (this.ws.bufferedAmount > LIMITS.outboundBytes) {
      this.ws.close(1008, 'too much unread data');
      return;
    }
    this.ws.send(encodeFrame(message, this.vsn));
  }
  reply(m: PhoenixMessage, status: 'ok' | 'error', response: Record<string, unknown>): void {
    this.push({ join_ref: m.join_ref, ref: m.ref, topic: m.topic, event: 'phx_reply', payload: { status, response } });
  }
}

/** Limits that keep one client from exhausting the gateway (hosted Realtime: 100 channels). */
export const LIMITS = {
  channelsPerSocket: 100,
  bindingsPerJoin: 100,
  /** Messages read but not handled yet, per socket. */
  inbox: 1000,
  /** Bytes waiting to be written to a socket that does not read: past this it is closed. */
  outboundBytes: 16 * 1024 * 1024,
};

/** Node's timers hold at most 2^31−1 ms (≈ 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * When to close a channel whose token expires at `exp` (seconds): a token that lives longer than
 * a timer can wait is waited for in steps (`rearm`), never closed early as "expired".
 */
export function expiryTimer(exp: number, now: number): { delayMs: number; rearm: boolean } {
  const ms = exp * 1000 - now;
  return ms > MAX_TIMER_MS ? { delayMs: MAX_TIMER_MS, rearm: true } : { delayMs: Math.max(0, ms), rearm: false };
}
