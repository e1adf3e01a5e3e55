// The timeline's reads of a session, as the host answers them: a page request becomes a page of
// entries, a search request a batch of hits. A read that fails throws; the request's reply then
// says why (src/shared/requests.ts), so the list can say what went wrong and keep what it has.
// Shared by the extension host and the `long` benchmark.
import type { SupabaseClient } from '@supabase/supabase-js';
import { encodeEntries, type PageParams, type PageResult, type SearchParams, type SearchResult } from '../shared/timelineProtocol';
import { fetchPage, searchSession } from './pages';

const SEARCH_BATCH = 200;

export async function answerPage(client: SupabaseClient, sessionId: string, p: PageParams): Promise<PageResult> {
  const page = await fetchPage(client, sessionId, { direction: p.direction, seq: p.seq, limit: p.limit, types: p.types });
  // The session's length, when this page reaches its end unfiltered (numbers are 1 to N).
  const last = page.entries.at(-1);
  const total = page.reachedEnd && !p.types && last ? (last.kind === 'event' ? last.event.seq : (last.malformed.seq ?? 0)) : 0;
  return { entries: encodeEntries(page.entries), reachedStart: page.reachedStart, reachedEnd: page.reachedEnd, total };
}

export async function answerSearch(client: SupabaseClient, sessionId: string, p: SearchParams): Promise<SearchResult> {
  const r = await searchSession(client, sessionId, p.query, { types: p.types, after: p.after, limit: SEARCH_BATCH, count: p.after === undefined });
  return { hits: r.hits, total: r.total, capped: r.capped, more: r.hits.length === SEARCH_BATCH };
}
