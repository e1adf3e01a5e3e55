// The server half of the health panel: the two monitoring views (security invoker, so RLS
// limits them to the viewer's own sessions) read through supabase-js as the signed-in user.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { ServerHealth } from '../shared/health';

export async function fetchServerHealth(client: SupabaseClient): Promise<ServerHealth> {
  const [latency, volume] = await Promise.all([
    client.from('session_event_latency').select('event_type, avg_latency_seconds, event_count').order('event_type'),
    client.from('session_event_volume').select('minute, event_type, event_count').order('minute').order('event_type'),
  ]);
  const error = latency.error ?? volume.error;
  if (error) throw new Error(`Could not load the server's figures: ${error.message}`);
  return {
    latency: ((latency.data ?? []) as Array<{ event_type: string; avg_latency_seconds: number; event_count: number | string }>).map((r) => ({ eventType: r.event_type, avgAgeSeconds: Number(r.avg_latency_seconds), eventCount: Number(r.event_count) })),
    volume: ((volume.data ?? []) as Array<{ minute: string; event_type: string; event_count: number | string }>).map((r) => ({ minute: new Date(r.minute.replace(' ', 'T')).toISOString(), eventType: r.event_type, eventCount: Number(r.event_count) })),
  };
}
