// The part of a session the timeline holds: a run of consecutive entries (all the events of the
// shown types between two numbers), at most MAX_WINDOW of them, whatever the session's length.
// Pages from the host extend it at either end — and the far end is let go of, so memory stays
// bounded; a jump (a link, a search hit, the overview bar) replaces it. `total` is the session's
// length (its highest event number: numbers are 1 to N with no holes). Pure: unit-tested.
import { seqOf, orderOf, type TimelineEntry } from '../src/shared/entries';

/** Most entries held at once (a few screens of rows either way, and a page to grow into). */
export const MAX_WINDOW = 3000;
/** Entries per page asked of the host. */
export const PAGE_SIZE = 250;

export interface PageAnswer {
  entries: TimelineEntry[];
  reachedStart: boolean;
  reachedEnd: boolean;
  total: number;
}

export class SessionWindow {
  entries: TimelineEntry[] = [];
  /** The session's length as last heard. */
  total = 0;
  /** Nothing (of the shown types) before the first entry. */
  reachedStart = true;
  /** The last entry is the session's latest (of the shown types): live events join at the end. */
  reachedEnd = true;
  /** How many entries were let go of so far (for tests and the heap figure). */
  evicted = 0;

  constructor(private readonly max = MAX_WINDOW) {}

  get firstSeq(): number | undefined {
    for (const e of this.entries) if (seqOf(e) !== undefined) return seqOf(e);
    return undefined;
  }

  get lastSeq(): number | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (seqOf(this.entries[i]!) !== undefined) return seqOf(this.entries[i]!);
    return undefined;
  }

  /** Whether the event numbered `seq` falls inside what is held (loaded, or known not to be shown). */
  covers(seq: number): boolean {
    const first = this.reachedStart ? 1 : this.firstSeq;
    const last = this.reachedEnd ? Number.POSITIVE_INFINITY : this.lastSeq;
    return first !== undefined && last !== undefined && seq >= first && seq <= last;
  }

  /** Everything anew (the first load, a jump, another filter). */
  replace(page: PageAnswer): void {
    this.entries = [...page.entries];
    this.reachedStart = page.reachedStart;
    this.reachedEnd = page.reachedEnd;
    this.total = Math.max(page.total, this.lastSeq ?? 0);
  }

  /** Older entries, before the first: returns how many were added at the top. The far end is let go of. */
  prepend(page: PageAnswer): number {
    const first = this.firstSeq ?? Number.POSITIVE_INFINITY;
    const older = page.entries.filter((e) => orderOf(e) < first);
    this.entries.unshift(...older);
    this.reachedStart = page.reachedStart;
    this.total = Math.max(this.total, page.total);
    const excess = this.entries.length - this.max;
    if (excess > 0) {
      this.entries.splice(this.entries.length - excess, excess);
      this.evicted += excess;
      this.reachedEnd = false;
    }
    return older.length;
  }

  /** Newer entries, after the last: returns how many were let go of at the top. */
  append(page: PageAnswer): number {
    const last = this.lastSeq ?? 0;
    this.entries.push(...page.entries.filter((e) => orderOf(e) > last));
    this.reachedEnd = page.reachedEnd;
    this.total = Math.max(this.total, page.total, this.lastSeq ?? 0);
    return this.trimStart();
  }

  /**
   * Live entries (numbered past the end, or a late one in place). Held only when the window reaches
   * the end; otherwise only the session's length moves. Returns the entries taken in, and how many
   * were let go of at the top to make room.
   */
  live(entries: readonly TimelineEntry[], insert: (list: TimelineEntry[], e: TimelineEntry) => void, inserted: boolean): { taken: TimelineEntry[]; dropped: number } {
    for (const e of entries) this.total = Math.max(this.total, seqOf(e) ?? 0);
    if (!this.reachedEnd) return { taken: [], dropped: 0 };
    // Numbers have no holes: a first entry past 1 in an empty list means there are older ones
    // (the panel opened before the session's history had arrived).
    const arriving = entries.map((e) => seqOf(e)).filter((n): n is number => n !== undefined);
    if (this.entries.length === 0 && arriving.length > 0 && Math.min(...arriving) > 1) this.reachedStart = false;
    const first = this.reachedStart ? 0 : (this.firstSeq ?? 0);
    const taken = entries.filter((e) => orderOf(e) >= first);
    if (inserted) for (const e of taken) insert(this.entries, e);
    else this.entries.push(...taken);
    return { taken, dropped: this.trimStart() };
  }

  private trimStart(): number {
    const excess = this.entries.length - this.max;
    if (excess <= 0) return 0;
    this.entries.splice(0, excess);
    this.evicted += excess;
    this.reachedStart = false;
    return excess;
  }
}
