// Where the user left off (their read marker, kept per user and session by the host): which
// entries are new since then, and how far down the user has now read.
import type { TimelineEntry } from '../src/shared/entries';

/** Events after the marker, oldest first (none when there is no marker). */
export function unreadSince(entries: readonly TimelineEntry[], readSeq: number | undefined): TimelineEntry[] {
  if (readSeq === undefined) return [];
  return entries.filter((e) => e.kind === 'event' && e.event.seq > readSeq);
}

/** The highest `seq` among the rows wholly above `bottom` (px), or -1. */
export function highestRead(items: ReadonlyArray<{ index: number; end: number }>, visible: readonly TimelineEntry[], bottom: number): number {
  let seen = -1;
  for (const item of items) {
    const e = visible[item.index];
    if (item.end <= bottom && e?.kind === 'event') seen = Math.max(seen, e.event.seq);
  }
  return seen;
}
