// A session read in pages, for sessions of any length (docs/long-sessions.md): the events before or
// after a number, or around one (a link, a search hit, a jump on the overview bar), optionally of
// some types only — keyset reads on (session_id, session_seq), so a page costs the same at the
// start of a million events as at the end. Also the session's size, its counts per type, and
// server-side search.
import type { SupabaseClient } from '@supabase/supabase-js';
import { toEntry, seqOf, type TimelineEntry } from '../shared/entries';
import { parseEventRow, type SessionEventType } from '../shared/events';
import { HISTORY_COLUMNS, HistoryError } from './history';

export interface PageRequest {
  /** `before`: up to `limit` events numbered below `seq`; `after`: above it; `around`: centred on it (it included). */
  direction: 'before' | 'after' | 'around';
  seq: number;
  limit?: number;
  /** Only these types (the timeline's filters); all when absent. */
  types?: readonly SessionEventType[];
}

export interface Page {
  entries: TimelineEntry[];
  /** Nothing of these types comes before the first entry. */
  reachedStart: boolean;
  /** Nothing of these types comes after the last entry (as of this read). */
  reachedEnd: boolean;
}

const MAX_PAGE = 1000;

async function read(client: SupabaseClient, sessionId: string, o: { below?: number; above?: number; from?: number; ascending: boolean; limit: number; types?: readonly string[] }): Promise<TimelineEntry[]> {
  let q = client.from('session_events').select(HISTORY_COLUMNS).eq('session_id', sessionId);
  if (o.types && o.types.length > 0) q = q.in('event_type', [...o.types]);
  if (o.below !== undefined) q = q.lt('session_seq', o.below);
  if (o.above !== undefined) q = q.gt('session_seq', o.above);
  if (o.from !== undefined) q = q.gte('session_seq', o.from);
  const { data, error, status } = await q.order('session_seq', { ascending: o.ascending }).limit(o.limit);
  if (error) throw new HistoryError(`Could not load events of the session: ${error.message}`, status, error.code ?? '');
  const rows = ((data ?? []) as unknown[]).map((r) => toEntry(parseEventRow(r)));
  return o.ascending ? rows : rows.reverse();
}

/** One page of the session (see PageRequest), oldest first. */
export async function fetchPage(client: SupabaseClient, sessionId: string, request: PageRequest): Promise<Page> {
  const limit = Math.max(1, Math.min(MAX_PAGE, request.limit ?? 200));
  const types = request.types;
  if (request.direction === 'before') {
    const entries = await read(client, sessionId, { below: request.seq, ascending: false, limit, types });
    return { entries, reachedStart: entries.length < limit, reachedEnd: false };
  }
  if (request.direction === 'after') {
    const entries = await read(client, sessionId, { above: request.seq, ascending: true, limit, types });
    return { entries, reachedStart: false, reachedEnd: entries.length < limit };
  }
  const half = Math.floor(limit / 2);
  const [before, after] = await Promise.all([read(client, sessionId, { below: request.seq, ascending: false, limit: half, types }), read(client, sessionId, { from: request.seq, ascending: true, limit: limit - half, types })]);
  return { entries: [...before, ...after], reachedStart: before.length < half, reachedEnd: after.length < limit - half };
}

/** The session's highest event number: its length (numbers are dense, 1 to N). */
export async function sessionLength(client: SupabaseClient, sessionId: string): Promise<number> {
  const { data, error } = await client.from('session_events').select('session_seq').eq('session_id', sessionId).order('session_seq', { ascending: false }).limit(1);
  if (error) throw new Error(`Could not read the session's length: ${error.message}`);
  const row = (data ?? [])[0] as { session_seq?: number | string } | undefined;
  return row?.session_seq === undefined ? 0 : Number(row.session_seq);
}

/** Events per type over the whole session. */
export async function typeCounts(client: SupabaseClient, sessionId: string): Promise<Partial<Record<SessionEventType, number>>> {
  const { data, error } = await client.rpc('session_event_type_counts', { p_session_id: sessionId });
  if (error) throw new Error(`Could not count the session's events: ${error.message}`);
  return Object.fromEntries(((data ?? []) as Array<{ event_type: string; events: number | string }>).map((r) => [r.event_type, Number(r.events)]));
}

export interface SearchHit {
  seq: number;
  type: string;
  snippet: string;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Events that match, counted up to `cap`. */
  total: number;
  /** `total` reached the cap: there are at least that many. */
  capped: boolean;
}

/** Searches the whole session on the server (case-insensitive substring), hits in order after `after`. */
export async function searchSession(client: SupabaseClient, sessionId: string, query: string, o: { types?: readonly SessionEventType[]; after?: number; limit?: number; cap?: number; count?: boolean } = {}): Promise<SearchResult> {
  const types = o.types && o.types.length > 0 ? [...o.types] : null;
  const cap = o.cap ?? 10_000;
  const [hits, count] = await Promise.all([
    client.rpc('search_session_events', { p_session_id: sessionId, p_query: query, p_types: types, p_after: o.after ?? 0, p_limit: o.limit ?? 200 }),
    o.count === false ? Promise.resolve({ data: null, error: null }) : client.rpc('count_session_event_hits', { p_session_id: sessionId, p_query: query, p_types: types, p_cap: cap }),
  ]);
  const error = hits.error ?? count.error;
  if (error) {
    if (error.code === 'PGRST202' || /could not find the function/i.test(error.message)) throw new Error('This project cannot search sessions on the server yet: its database lacks the search migration. Apply the migrations (`supabase db push`, or `supabase db reset` locally).');
    throw new Error(`Could not search the session: ${error.message}`);
  }
  const list = ((hits.data ?? []) as Array<{ session_seq: number | string; event_type: string; snippet: string | null }>).map((h) => ({ seq: Number(h.session_seq), type: h.event_type, snippet: h.snippet ?? '' }));
  const total = count.data === null ? list.length : Number(count.data);
  return { hits: list, total, capped: total >= cap };
}

/**
 * Every event of the session after `afterSeq`, a page at a time, to `onPage` (an export of any
 * length in constant memory). Resolves with how many there were.
 */
export async function forEachPage(client: SupabaseClient, sessionId: string, onPage: (entries: TimelineEntry[]) => Promise<void> | void, o: { afterSeq?: number; pageSize?: number } = {}): Promise<number> {
  const size = o.pageSize ?? 1000;
  let count = 0;
  for (let cursor = o.afterSeq ?? 0; ; ) {
    const page = await fetchPage(client, sessionId, { direction: 'after', seq: cursor, limit: size });
    if (page.entries.length > 0) await onPage(page.entries);
    count += page.entries.length;
    const last = page.entries.at(-1);
    const lastSeq = last ? seqOf(last) : undefined;
    if (page.reachedEnd || lastSeq === undefined) return count;
    cursor = lastSeq;
  }
}
