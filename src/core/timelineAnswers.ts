// The timeline's reads of a session, as the host answers them: a page request becomes a `page`
// message, a search request a `searchResults` one — errors included, so the list can say what went
// wrong and keep what it has. Shared by the extension host and the `long` benchmark.
import type { SupabaseClient } from '@supabase/supabase-js';
import { encodeEntries, type PageMessage, type PageRequestMessage, type SearchRequestMessage, type SearchResultsMessage } from '../shared/timelineProtocol';
import { fetchPage, searchSession } from './pages';

const SEARCH_BATCH = 200;

export async function answerPage(client: SupabaseClient, sessionId: string, m: PageRequestMessage): Promise<PageMessage> {
  try {
    const page = await fetchPage(client, sessionId, { direction: m.direction, seq: m.seq, limit: m.limit, types: m.types });
    // The session's length, when this page reaches its end unfiltered (numbers are 1 to N).
    const last = page.entries.at(-1);
    const total = page.reachedEnd && !m.types && last ? (last.kind === 'event' ? last.event.seq : (last.malformed.seq ?? 0)) : 0;
    return { type: 'page', requestId: m.requestId, entries: encodeEntries(page.entries), reachedStart: page.reachedStart, reachedEnd: page.reachedEnd, total };
  } catch (error) {
    return { type: 'page', requestId: m.requestId, entries: encodeEntries([]), reachedStart: false, reachedEnd: false, total: 0, error: (error as Error).message };
  }
}

export async function answerSearch(client: SupabaseClient, sessionId: string, m: SearchRequestMessage): Promise<SearchResultsMessage> {
  try {
    const r = await searchSession(client, sessionId, m.query, { types: m.types, after: m.after, limit: SEARCH_BATCH, count: m.after === undefined });
    return { type: 'searchResults', requestId: m.requestId, query: m.query, hits: r.hits, total: r.total, capped: r.capped, more: r.hits.length === SEARCH_BATCH };
  } catch (error) {
    return { type: 'searchResults', requestId: m.requestId, query: m.query, hits: [], total: 0, capped: false, more: false, error: (error as Error).message };
  }
}
