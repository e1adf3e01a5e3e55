// The naive RealtimeService sketched in the product's original specification (its "Mobile
// Integration" part), kept VERBATIM with its bugs so
// benchmarks and the fault matrix can show, side by side, what it does. Only the module plumbing
// differs: `supabase` is injected instead of imported, and types are loosened to compile.
// Known bugs, left in on purpose:
// - subscribe() never adds `handler` to `handlers` (the harness pushes it itself, see below);
// - handleReconnect() only unsubscribes: it never subscribes again ("Re-subscribe" is a comment);
// - TIMED_OUT and CLOSED are ignored; no history is recovered after a gap;
// - reconnectDelay is never reset after a success.
/* eslint-disable */
// @ts-nocheck -- verbatim specification code (its unused `handler` parameter is one of its bugs)
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';

type SessionEvent = { type: string; data: any };
type EventHandler = (event: SessionEvent) => void;

let supabase: SupabaseClient;
export function useSupabase(client: SupabaseClient): void {
  supabase = client;
}

export class RealtimeService {
  private channel?: RealtimeChannel
  private handlers: EventHandler[] = []
  private reconnectAttempts = 0
  private maxReconnectAttempts = 10
  private reconnectDelay = 1000

  subscribe(sessionId: string, handler: EventHandler) {
    this.channel = supabase
      .channel(`session:${sessionId}`)
      .on('postgres_changes' as any, {
        event: 'INSERT',
        schema: 'public',
        table: 'session_events',
        filter: `session_id=eq.${sessionId}`,
      }, (payload: any) => {
        const event = {
          type: payload.new.event_type,
          data: payload.new.event_data,
        }
        this.handlers.forEach(h => h(event))
      })
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') {
          this.reconnectAttempts = 0
        } else if (status === 'CHANNEL_ERROR') {
          this.handleReconnect()
        }
      })

    return () => this.unsubscribe()
  }

  private handleReconnect() {
    if (this.reconnectAttempts >= this.maxReconnectAttempts) return

    this.reconnectAttempts++
    setTimeout(() => {
      this.unsubscribe()
      // Re-subscribe with existing handlers
    }, this.reconnectDelay)

    // Exponential backoff
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 30000)
  }

  unsubscribe() {
    if (this.channel) {
      supabase.removeChannel(this.channel)
      this.channel = undefined
    }
  }

  getConnectionState() {
    return this.channel?.state || 'closed'
  }
}

/** The harness's one fix: register the handler its subscribe() forgets. */
export function subscribeNaive(service: RealtimeService, sessionId: string, handler: EventHandler): () => void {
  (service as unknown as { handlers: EventHandler[] }).handlers.push(handler);
  return service.subscribe(sessionId, handler);
}
