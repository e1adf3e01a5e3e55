// One entry of a session's timeline — an event, or a row that is not a valid event (kept with its
// reason) — and its place in the session's order. The stream's log, the command line and the
// webview all hold these, and place a late entry the same way.
import type { MalformedEvent, ParsedRow, SessionEvent } from './events';

export type TimelineEntry = { kind: 'event'; event: SessionEvent } | { kind: 'malformed'; malformed: MalformedEvent };

export function toEntry(row: ParsedRow): TimelineEntry {
  return row.ok ? { kind: 'event', event: row.event } : { kind: 'malformed', malformed: row.malformed };
}

/** An entry's number in its session (undefined for a malformed row without one). */
export const seqOf = (e: TimelineEntry): number | undefined => (e.kind === 'event' ? e.event.seq : (e.malformed.seq ?? undefined));

/** Where an entry sorts: its number; a malformed row without one goes last. */
export const orderOf = (e: TimelineEntry): number => seqOf(e) ?? Number.MAX_SAFE_INTEGER;

export const idOf = (e: TimelineEntry): string | null => (e.kind === 'event' ? e.event.id : e.malformed.id);

/**
 * Puts `entry` into `list` (already in order) after every entry that sorts before or with it, and
 * returns its index. A binary search: late commits are rare and land near the end.
 */
export function insertInOrder(list: TimelineEntry[], entry: TimelineEntry): number {
  const seq = orderOf(entry);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (orderOf(list[mid]!) <= seq) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, entry);
  return lo;
}
