// The events of one session, exactly once and ordered by `seq`, however they arrive: history pages,
// live changes, backfills that overlap both. Malformed rows are kept (with their reason) in place.
import { idOf, insertInOrder, orderOf, toEntry, type TimelineEntry } from '../shared/entries';
import type { ParsedRow } from '../shared/events';

export interface AddResult {
  /** New entries past everything delivered before, in `seq` order. */
  appended: TimelineEntry[];
  /** New entries that belong before the last delivered one (a late commit): shown in place. */
  inserted: TimelineEntry[];
  /** Entries already in the log (same id), dropped. */
  duplicates: number;
}


export class EventLog {
  private readonly list: TimelineEntry[] = [];
  private readonly ids = new Set<string>();
  private highest = -1;
  /** Numbers below this were delivered and let go of (the log keeps only the latest `maxEntries`). */
  private floor = 0;

  /**
   * `maxEntries`: keep only the latest this many (a session of any length in bounded memory). What
   * was let go of was delivered, in order: anything numbered below what is kept is a copy, dropped.
   */
  constructor(private readonly maxEntries = Number.POSITIVE_INFINITY) {}

  /** The lowest number still kept (entries below it were delivered and dropped from memory). */
  get firstSeq(): number | undefined {
    const first = this.list[0];
    return first ? (orderOf(first) === Number.MAX_SAFE_INTEGER ? undefined : orderOf(first)) : undefined;
  }

  /** Highest `seq` in the log (the recovery cursor), or undefined when empty. */
  get lastSeq(): number | undefined {
    return this.highest >= 0 ? this.highest : undefined;
  }

  get size(): number {
    return this.list.length;
  }

  entries(): readonly TimelineEntry[] {
    return this.list;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(rows: readonly (ParsedRow | TimelineEntry)[]): AddResult {
    const fresh: TimelineEntry[] = [];
    let duplicates = 0;
    for (const row of rows) {
      const entry = 'kind' in row ? row : toEntry(row);
      if (orderOf(entry) < this.floor) {
        duplicates++;
        continue;
      }
      const id = idOf(entry);
      if (id !== null) {
        if (this.ids.has(id)) {
          duplicates++;
          continue;
        }
        this.ids.add(id);
      }
      fresh.push(entry);
    }
    fresh.sort((a, b) => orderOf(a) - orderOf(b));
    const appended: TimelineEntry[] = [];
    const inserted: TimelineEntry[] = [];
    for (const entry of fresh) {
      const seq = orderOf(entry);
      if (seq >= this.highest || seq === Number.MAX_SAFE_INTEGER) {
        this.list.push(entry);
        appended.push(entry);
        if (seq !== Number.MAX_SAFE_INTEGER) this.highest = seq;
      } else {
        insertInOrder(this.list, entry);
        inserted.push(entry);
      }
    }
    this.trim();
    return { appended, inserted, duplicates };
  }

  private trim(): void {
    const excess = this.list.length - this.maxEntries;
    if (excess <= 0) return;
    for (const gone of this.list.splice(0, excess)) {
      const id = idOf(gone);
      if (id !== null) this.ids.delete(id);
      const seq = orderOf(gone);
      if (seq !== Number.MAX_SAFE_INTEGER) this.floor = Math.max(this.floor, seq + 1);
    }
  }
}
