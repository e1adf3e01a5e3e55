// One insert of a session's queued events, as the worker sends them: idempotent (ON CONFLICT (id)
// DO NOTHING, and this session's rows already there read back; an id another session holds is an
// error, never success), bounded in time by a timer that keeps the process
// alive, and the failure told apart: one a later attempt can get past, or one for good.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Clock } from '../core/clock';
import { HISTORY_COLUMNS } from '../core/history';
import { parseEventRow, type SessionEvent, type SessionEventType } from '../shared/events';

export type InsertResult = { kind: 'stored'; events: SessionEvent[] } | { kind: 'retry'; error: string } | { kind: 'permanent'; error: string };

export interface QueuedEvent {
  id: string;
  sessionId: string;
  type: SessionEventType;
  data: unknown;
}

/** PostgREST/PostgreSQL failures that a later attempt can get past. */
function isTransient(status: number, code: string): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500 || /^(08|40|53|57|58)/.test(code) || /^PGRST00/.test(code);
}

/** Inserts `batch` in one request (a multi-row insert keeps their order); each event once, whatever was sent before. */
export async function insertEvents(client: SupabaseClient, batch: readonly QueuedEvent[], o: { timeoutMs: number; clock: Clock }): Promise<InsertResult> {
  // A timer of our own, not AbortSignal.timeout: that one does not keep the process alive, and a
  // request stuck on a reset connection then let a short-lived worker exit (code 0) with the
  // event neither stored nor retried.
  const controller = new AbortController();
  const timer = o.clock.setTimeout(() => controller.abort(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
  const signal = controller.signal;
  try {
    const rows = batch.map((e) => ({ id: e.id, session_id: e.sessionId, event_type: e.type, event_data: e.data }));
    const inserted = await client.from('session_events').upsert(rows, { onConflict: 'id', ignoreDuplicates: true }).select(HISTORY_COLUMNS).abortSignal(signal);
    if (inserted.error) {
      const error = `${inserted.error.message}${inserted.error.code ? ` (${inserted.error.code})` : ''}`;
      return isTransient(inserted.status, inserted.error.code ?? '') ? { kind: 'retry', error } : { kind: 'permanent', error };
    }
    const byId = new Map((inserted.data as Array<{ id: string }>).map((r) => [r.id, r as unknown]));
    const missing = batch.filter((e) => !byId.has(e.id)).map((e) => e.id);
    if (missing.length > 0) {
      // Already there: an earlier attempt committed but its reply was lost. Read them back — from
      // this session only: a row with the same id elsewhere is not this event.
      const existing = await client.from('session_events').select(HISTORY_COLUMNS).eq('session_id', batch[0]!.sessionId).in('id', missing).abortSignal(signal);
      if (existing.error) return { kind: 'retry', error: existing.error.message };
      for (const r of existing.data as Array<{ id: string }>) byId.set(r.id, r);
    }
    const events: SessionEvent[] = [];
    for (const e of batch) {
      const row = byId.get(e.id);
      // The insert conflicted, yet the row is not this session's to read: never "stored".
      if (row === undefined) return { kind: 'permanent', error: `event ${e.id} was not stored: its id is taken by a row this user cannot read (another session's)` };
      const parsed = parseEventRow(row);
      if (!parsed.ok) return { kind: 'retry', error: `event ${e.id} could not be read back: ${parsed.malformed.reason}` };
      events.push(parsed.event);
    }
    return { kind: 'stored', events };
  } catch (error) {
    return { kind: 'retry', error: error instanceof Error ? error.message : String(error) };
  } finally {
    o.clock.clearTimeout(timer);
  }
}
