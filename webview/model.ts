// What the timeline shows, as pure functions of the entries and the UI state (unit-tested without a
// browser): type filters with counts, text search across commands, output, paths and messages,
// totals for the header, and the replay cursor.
import type { SessionEventType } from '../src/shared/events';
import type { TimelineEntry } from '../src/shared/entries';

export type EntryKind = SessionEventType | 'malformed';
export const KINDS: readonly EntryKind[] = ['state_changed', 'thinking', 'terminal', 'file_change', 'files_changed', 'completion', 'error', 'malformed'];

export const KIND_LABELS: Record<EntryKind, string> = {
  state_changed: 'State',
  thinking: 'Thinking',
  terminal: 'Terminal',
  file_change: 'File',
  files_changed: 'Files',
  completion: 'Completion',
  error: 'Error',
  malformed: 'Malformed',
};

/** What the comment composer is writing: a new comment on an event, or an edit of one (`id`). */
export interface Draft {
  eventId: string;
  id?: string;
  label: string;
  body: string;
}

/** What the webview persists with setState (events are re-sent by the host, never persisted). */
export interface UiState {
  sessionId?: string;
  hidden: EntryKind[];
  search: string;
  follow: boolean;
  scrollTop: number;
  /** Keys of rows shown the other way round from `expandAll` (expanded, or collapsed when all are). */
  expanded: string[];
  /** Expand All: long texts and output whole, unless collapsed one by one. */
  expandAll?: boolean;
  /** A comment being written, kept across a reload of the view. */
  draft?: Draft;
}

export const INITIAL_UI: UiState = { hidden: [], search: '', follow: true, scrollTop: 0, expanded: [] };

export function kindOf(entry: TimelineEntry): EntryKind {
  return entry.kind === 'event' ? entry.event.type : 'malformed';
}

export function keyOf(entry: TimelineEntry, index: number): string {
  return entry.kind === 'event' ? entry.event.id : (entry.malformed.id ?? `malformed-${index}`);
}

export function timeOf(entry: TimelineEntry): number {
  const iso = entry.kind === 'event' ? entry.event.createdAt : entry.malformed.createdAt;
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) ? t : 0;
}

/** All searchable text of an entry, lower-cased. */
export function searchText(entry: TimelineEntry): string {
  if (entry.kind === 'malformed') return `${entry.malformed.reason} ${JSON.stringify(entry.malformed.raw)}`.toLowerCase();
  const e = entry.event;
  switch (e.type) {
    case 'state_changed':
      return `${e.data.from} ${e.data.to} ${e.data.reason}`.toLowerCase();
    case 'thinking':
      return `step ${e.data.iteration} ${e.data.toolsUsed.join(' ')} ${e.data.text ?? ''}`.toLowerCase();
    case 'terminal':
      return `${e.data.command}\n${e.data.output}\n${e.data.error}`.toLowerCase();
    case 'file_change':
      return `${e.data.path}\n${e.data.diff ?? ''}`.toLowerCase();
    case 'files_changed':
      return e.data.files.map((f) => f.path).join(' ').toLowerCase();
    case 'completion':
    case 'error':
      return e.data.message.toLowerCase();
  }
}

export function counts(entries: readonly TimelineEntry[]): Record<EntryKind, number> {
  const c = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<EntryKind, number>;
  for (const e of entries) c[kindOf(e)]++;
  return c;
}

/**
 * Entries that pass the type filter and the replay cursor (ms, or undefined = live). During a
 * replay, entries without a known time (some malformed rows) are left out: they have no place.
 */
export function visibleEntries(entries: readonly TimelineEntry[], hidden: readonly EntryKind[], replayAt?: number): TimelineEntry[] {
  const off = new Set(hidden);
  return entries.filter((e) => !off.has(kindOf(e)) && (replayAt === undefined || (timeOf(e) > 0 && timeOf(e) <= replayAt)));
}

/** Indexes (into `visible`) of entries matching `query` (case-insensitive); empty query = none. */
export function matches(visible: readonly TimelineEntry[], query: string): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const out: number[] = [];
  visible.forEach((e, i) => searchText(e).includes(q) && out.push(i));
  return out;
}

export interface Totals {
  inputTokens: number;
  outputTokens: number;
  /** What the run cost, when the agent reported it. */
  costUsd?: number;
  /** How long the agent says it ran (else undefined: elapsedMs is the events' span). */
  durationMs?: number;
  /** First to last event, ms. */
  elapsedMs: number;
  start: number;
  end: number;
}

export function totals(entries: readonly TimelineEntry[]): Totals {
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd: number | undefined;
  let durationMs: number | undefined;
  for (const e of entries) {
    if (e.kind !== 'event') continue;
    if ((e.event.type === 'completion' || e.event.type === 'error') && e.event.data.stats) {
      const s = e.event.data.stats;
      inputTokens = s.inputTokens;
      outputTokens = s.outputTokens;
      if (typeof s.costUsd === 'number') costUsd = s.costUsd;
      if (typeof s.durationMs === 'number') durationMs = s.durationMs;
    }
  }
  const times = entries.map(timeOf).filter((t) => t > 0);
  const start = times.length ? Math.min(...times) : 0;
  const end = times.length ? Math.max(...times) : 0;
  return { inputTokens, outputTokens, costUsd, durationMs, elapsedMs: end - start, start, end };
}

/** "$0.2472" (four places below a dollar, two above). */
export function dollars(usd: number): string {
  return `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function relativeTime(t: number, now: number): string {
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 5) return 'now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** Splits text around case-insensitive occurrences of `query`, for highlighting with text nodes. */
export function splitMatches(text: string, query: string): Array<{ text: string; hit: boolean }> {
  const q = query.trim().toLowerCase();
  if (!q) return [{ text, hit: false }];
  const parts: Array<{ text: string; hit: boolean }> = [];
  const lower = text.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    if (i > at) parts.push({ text: text.slice(at, i), hit: false });
    parts.push({ text: text.slice(i, i + q.length), hit: true });
    at = i + q.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false });
  return parts;
}
