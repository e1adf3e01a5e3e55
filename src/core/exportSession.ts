// A whole session written out — JSON Lines (one event per line, as the timeline exports them) or
// Markdown (sessionMarkdown) — read a page at a time and written as it comes, so a session of any
// length takes constant memory. Used by `session-stream export` and the timeline's Export buttons.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { TimelineEntry } from '../shared/entries';
import { entryMarkdown, markdownHeader, type MarkdownHeader } from '../shared/markdown';
import { forEachPage } from './pages';
import { readSession } from './sessions';

export type ExportFormat = 'jsonl' | 'markdown';

/** One line of the JSON Lines export. */
export function jsonlLine(entry: TimelineEntry): string {
  return JSON.stringify(entry.kind === 'event' ? entry.event : { malformed: entry.malformed });
}

/** The session's title, state, stats… for the Markdown header, as the signed-in user sees them. */
export async function sessionHeader(client: SupabaseClient, sessionId: string): Promise<MarkdownHeader> {
  const s = await readSession(client, sessionId, 'title, state, stats, created_at, source');
  if (!s) throw new Error(`There is no session ${sessionId} that you can see.`);
  return { title: s.title, state: s.state, stats: s.stats ?? undefined, createdAt: s.created_at, source: s.source ?? undefined };
}

/**
 * Writes every event of the session to `write` (awaited, so a slow file or pipe holds the reading
 * back). Resolves with the number of events written.
 */
export async function exportSession(client: SupabaseClient, sessionId: string, format: ExportFormat, write: (chunk: string) => Promise<void>, o: { header?: MarkdownHeader; afterSeq?: number } = {}): Promise<number> {
  if (format === 'markdown') await write(`${markdownHeader(o.header ?? (await sessionHeader(client, sessionId)))}\n`);
  let first = true;
  return forEachPage(
    client,
    sessionId,
    async (entries) => {
      const text = format === 'jsonl' ? entries.map(jsonlLine).join('\n') : entries.map(entryMarkdown).join('\n\n');
      await write(`${first || format === 'jsonl' ? '' : '\n\n'}${text}${format === 'jsonl' ? '\n' : ''}`);
      first = false;
    },
    { afterSeq: o.afterSeq },
  ).then(async (n) => {
    if (format === 'markdown') await write('\n');
    return n;
  });
}
