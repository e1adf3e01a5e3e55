// One place that makes supabase-js clients the way every part of the product needs them: no
// session persistence (the host keeps tokens in SecretStorage, the CLI in memory), and the `ws`
// transport where there is no global WebSocket (Node 20: the extension host, the CLI, tests).
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';

export interface ClientOptions {
  /** Refresh the access token before it expires (for a signed-in user). */
  autoRefreshToken?: boolean;
  /** Realtime join/push timeout, ms. */
  realtimeTimeoutMs?: number;
  /** Realtime heartbeat interval, ms (supabase-js defaults to 25 s). */
  heartbeatIntervalMs?: number;
  /**
   * Where the viewer's access token comes from (supabase-js' `accessToken` option): REST and
   * Realtime both ask it, and Realtime asks again on every heartbeat, so a refreshed token reaches
   * the socket without a reconnect. Auth methods are then disabled on this client.
   */
  accessToken?: () => Promise<string | null>;
  /** supabase-js' `global.fetch` (timeouts, proxies, fault injection in tests). */
  fetch?: typeof fetch;
}

export function createSupabaseClient(url: string, key: string, options: ClientOptions = {}): SupabaseClient {
  const transport = typeof globalThis.WebSocket === 'function' ? undefined : (WebSocket as never);
  return createClient(url, key, {
    ...(options.fetch ? { global: { fetch: options.fetch } } : {}),
    ...(options.accessToken ? { accessToken: options.accessToken } : {}),
    auth: { persistSession: false, autoRefreshToken: options.autoRefreshToken ?? false, detectSessionInUrl: false },
    realtime: { ...(transport ? { transport } : {}), timeout: options.realtimeTimeoutMs ?? 10_000, heartbeatIntervalMs: options.heartbeatIntervalMs },
  });
}

/** True when a supabase-js error message means the server was not reached at all. */
export function isUnreachable(message: string): boolean {
  return /fetch failed|ECONNREFUSED|ENOTFOUND|network/i.test(message);
}

/** A clear message for "cannot reach Supabase" (style rule 13). */
export function unreachableMessage(url: string, detail: string): string {
  return `Cannot reach Supabase at ${url}: ${detail}. Check the URL, or start the local stack with \`npm run stack\`.`;
}

let channelSerial = 0;

/**
 * A NEW channel named `topic`. supabase-js' `channel(topic)` returns an existing channel with the
 * same topic — including one still leaving after removeChannel() — and bindings added to that one
 * are lost. When the name of a public channel is taken, a numbered suffix keeps the new channel
 * separate (the topic name means nothing to postgres_changes).
 */
export function freshChannel(client: SupabaseClient, topic: string, options: { presenceKey?: string; private?: boolean } = {}): RealtimeChannel {
  const config = { ...(options.presenceKey ? { presence: { key: options.presenceKey } } : {}), ...(options.private ? { private: true } : {}) };
  const named = Object.keys(config).length > 0 ? { config } : undefined;
  // A private topic is authorized and broadcast to by its exact name: the caller removes the old
  // channel first (a stand-in name would be refused).
  if (options.private) return client.channel(topic, named);
  const taken = client.getChannels().some((c) => c.topic === `realtime:${topic}`);
  return client.channel(taken ? `${topic}:${++channelSerial}` : topic, named);
}

/** How long a leave waits for the server's answer before the channel is closed anyway. */
export const LEAVE_TIMEOUT_MS = 1000;

/**
 * Leaves and removes a channel, closed within LEAVE_TIMEOUT_MS. supabase-js forgets a closed channel
 * by its topic name, so a leave still pending when the same topic is joined again (a restarted
 * server that answers the old leave with an error, leaving it to time out) would, on closing, take
 * the NEW channel out of the client too: it would then receive nothing. A private topic cannot
 * take a stand-in name, so the old channel must be closed before the join.
 */
export async function leaveChannel(channel: RealtimeChannel): Promise<void> {
  await channel.unsubscribe(LEAVE_TIMEOUT_MS).catch(() => undefined);
  channel.teardown();
}
