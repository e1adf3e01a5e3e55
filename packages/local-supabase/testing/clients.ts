// Unmodified @supabase/supabase-js against the local stack, configured as a Node user would
// (the `ws` transport on Node 20, no session persistence).
import { randomUUID } from 'node:crypto';
import { createClient, type RealtimeChannel, type Session, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { stack } from './fixture';

export function client(key: string = stack().env.ANON_KEY, url: string = stack().env.API_URL): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never, timeout: 5000 },
  });
}

export function serviceClient(): SupabaseClient {
  return client(stack().env.SERVICE_ROLE_KEY);
}

export interface TestUser {
  client: SupabaseClient;
  id: string;
  email: string;
  password: string;
  session: Session;
}

export async function signUp(url?: string, anonKey?: string): Promise<TestUser> {
  const c = client(anonKey, url);
  const email = `user-${randomUUID()}@example.test`;
  const password = 'correct horse battery';
  const { data, error } = await c.auth.signUp({ email, password });
  if (error || !data.session || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
  await c.realtime.setAuth(data.session.access_token);
  return { client: c, id: data.user.id, email, password, session: data.session };
}

export async function createSession(userId: string, title = 'integration session'): Promise<string> {
  const { data, error } = await serviceClient().from('coding_sessions').insert({ user_id: userId, title }).select('id').single();
  if (error) throw new Error(`create session failed: ${error.message}`);
  return (data as { id: string }).id;
}

export async function emit(sessionId: string, type = 'thinking', data: Record<string, unknown> = { iteration: 1, toolsUsed: [] }, svc = serviceClient()) {
  const { data: rows, error } = await svc.from('session_events').insert({ session_id: sessionId, event_type: type, event_data: data }).select();
  if (error) throw new Error(`emit failed: ${error.message}`);
  return (rows as Array<{ id: string; seq: number }>)[0]!;
}

export type Status = 'SUBSCRIBED' | 'CHANNEL_ERROR' | 'TIMED_OUT' | 'CLOSED';

/** Subscribes and resolves with the first status (SUBSCRIBED or an error status and its message). */
export function subscribe(channel: RealtimeChannel): Promise<{ status: Status; error?: string }> {
  return new Promise((resolve) => {
    let settled = false;
    channel.subscribe((status, error) => {
      if (settled) return;
      settled = true;
      resolve({ status: status as Status, error: error?.message });
    });
  });
}

/** Resolves with the channel's statuses as they come, until `until` matches one. */
export function statusUntil(statuses: Status[], until: Status, timeoutMs = 15_000): Promise<Status[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${until} within ${timeoutMs} ms; saw ${statuses.join(', ')}`)), timeoutMs);
    const check = () => {
      if (statuses.includes(until)) {
        clearTimeout(timer);
        resolve(statuses);
      } else setTimeout(check, 10);
    };
    check();
  });
}

/** A list that resolves `waitFor(n)` once it holds n items (or rejects after a timeout). */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => (this.items.length >= w.n ? (w.resolve(), false) : true));
  };

  waitFor(n: number, timeoutMs = 10_000): Promise<T[]> {
    if (this.items.length >= n) return Promise.resolve(this.items);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${n} items within ${timeoutMs} ms, got ${this.items.length}`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve(this.items)) });
    });
  }
}

export function sessionChannel(c: SupabaseClient, sessionId: string, onEvent: (row: Record<string, unknown>) => void, filter = `session_id=eq.${sessionId}`): RealtimeChannel {
  return c
    .channel(`session:${sessionId}:${randomUUID()}`)
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'session_events', filter }, (payload) => onEvent(payload.new));
}
