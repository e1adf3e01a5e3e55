// How a session's changes reach a viewer. `broadcast`: the session's PRIVATE channel, where the
// database writes every stored event and comment change once (Broadcast from Database): the
// viewer's right to read is checked once at join, not per change and viewer. `postgres_changes`:
// Realtime reads each change as each subscriber (RLS) — the original path, kept for projects
// without the private-channel migration. Presence is on the private channel whenever the project
// has one, so only those who may read the session see who watches it.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { AnnotationFeed } from './annotationFeed';
import type { CommandFeed } from './commandFeed';

export type Delivery = 'broadcast' | 'postgres_changes';

export const DELIVERIES: readonly Delivery[] = ['broadcast', 'postgres_changes'];

export function isDelivery(value: unknown): value is Delivery {
  return DELIVERIES.includes(value as Delivery);
}

/** What a database broadcast carries (realtime.broadcast_changes). */
export interface DatabaseBroadcast {
  table: string;
  operation: 'INSERT' | 'UPDATE' | 'DELETE';
  record: Record<string, unknown> | null;
  old_record: Record<string, unknown> | null;
}

export function asDatabaseBroadcast(payload: unknown): DatabaseBroadcast | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  if (typeof p.table !== 'string' || (p.operation !== 'INSERT' && p.operation !== 'UPDATE' && p.operation !== 'DELETE')) return undefined;
  const row = (v: unknown) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null);
  return { table: p.table, operation: p.operation, record: row(p.record), old_record: row(p.old_record) };
}

const probes = new WeakMap<SupabaseClient, Promise<boolean>>();

/**
 * Whether the project has private session channels (the migration that adds their policies and
 * broadcasts): asked once per client through the function that migration adds. A failure to ask
 * (offline) is not remembered, so the next join asks again.
 */
export function hasPrivateSessionChannels(client: SupabaseClient): Promise<boolean> {
  let probe = probes.get(client);
  if (!probe) {
    probe = Promise.resolve(client.rpc('may_read_session_topic')).then(({ error, status }) => {
      // 42501: the function is there, only not for this caller's role.
      if (!error || error.code === '42501') return true;
      // PGRST202: no such function (PostgREST); 404 from an older gateway: the project lacks it.
      if (error.code === 'PGRST202' || status === 404) return false;
      throw new Error(error.message);
    });
    probe.catch(() => probes.delete(client));
    probes.set(client, probe);
  }
  return probe;
}

export interface SessionBindings {
  delivery: Delivery;
  sessionId: string;
  /** Follow the session's events (off for a runner that listens for commands only). */
  events: boolean;
  onEventRow(row: unknown): void;
  annotations?: AnnotationFeed;
  commands?: CommandFeed;
  /** Whether the join this channel belongs to still stands. */
  isCurrent(): boolean;
}

/**
 * Binds what a stream follows to the session's channel: as the database's broadcasts on it, or as
 * postgres_changes of each table (comments and commands also reload after the join, held back
 * until then).
 */
export function bindSession(channel: RealtimeChannel, b: SessionBindings): void {
  if (b.delivery === 'broadcast') {
    b.annotations?.begin();
    b.commands?.begin();
    channel.on('broadcast', { event: '*' }, (message: { payload?: unknown }) => {
      const change = asDatabaseBroadcast(message.payload);
      if (!change || !b.isCurrent()) return;
      if (change.table === 'session_events' && change.operation === 'INSERT' && change.record?.session_id === b.sessionId) {
        if (b.events) b.onEventRow(change.record);
      } else if (change.table === 'session_event_annotations') b.annotations?.receive(change.operation, change.operation === 'DELETE' ? change.old_record : change.record);
      else if (change.table === 'session_commands' && change.record) b.commands?.receive(change.record);
    });
    return;
  }
  if (b.events) channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'session_events', filter: `session_id=eq.${b.sessionId}` }, (payload) => b.onEventRow(payload.new));
  b.annotations?.listen(channel, b.isCurrent);
  b.commands?.listen(channel, b.isCurrent);
}
