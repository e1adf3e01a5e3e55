// The history query, shared by the worker's getEventHistory and the stream's recovery: either the
// latest `limit` events in order, or, with `afterSeq`, the next `limit` events after that cursor;
// and the stream's backfill, every event after a cursor, page by page.
// Order is the session's own event number (`session_seq`: dense and commit-ordered, see
// docs/reliability.md), never `created_at`.
import type { SupabaseClient } from '@supabase/supabase-js';
import { parseEventRow, type ParsedRow } from '../shared/events';

export interface HistoryQuery {
  limit?: number;
  /** Only events numbered above this in their session, oldest first. */
  afterSeq?: number;
  signal?: AbortSignal;
}

export class HistoryError extends Error {
  constructor(
    message: string,
    /** HTTP status from PostgREST (0 = the network failed). */
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export const HISTORY_COLUMNS = 'id, session_id, seq, session_seq, event_type, event_data, created_at';

export async function fetchHistory(client: SupabaseClient, sessionId: string, query: HistoryQuery = {}): Promise<ParsedRow[]> {
  const limit = query.limit ?? 100;
  let request = client.from('session_events').select(HISTORY_COLUMNS).eq('session_id', sessionId);
  if (query.afterSeq !== undefined) request = request.gt('session_seq', query.afterSeq);
  let ordered = request.order('session_seq', { ascending: query.afterSeq !== undefined }).limit(limit);
  if (query.signal) ordered = ordered.abortSignal(query.signal);
  const { data, error, status } = await ordered;
  if (error) throw new HistoryError(`Could not load the session's history: ${error.message}`, status, error.code ?? '');
  const rows = (data ?? []) as unknown[];
  if (query.afterSeq === undefined) rows.reverse();
  return rows.map(parseEventRow);
}

/** Every event numbered above `afterSeq`, oldest first, read `pageSize` at a time. */
export async function fetchAllAfter(client: SupabaseClient, sessionId: string, afterSeq: number, pageSize = 1000): Promise<ParsedRow[]> {
  const all: ParsedRow[] = [];
  for (let after = afterSeq; ; ) {
    const page = await fetchHistory(client, sessionId, { afterSeq: after, limit: pageSize });
    all.push(...page);
    const last = page.at(-1);
    const lastSeq = last ? (last.ok ? last.event.seq : last.malformed.seq) : null;
    if (page.length < pageSize || lastSeq === null) return all;
    after = lastSeq;
  }
}
