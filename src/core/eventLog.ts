// The events of one session, exactly once and ordered by `seq`, however they arrive: history pages,
// live changes, backfills that overlap both. Malformed rows are kept (with their reason) in place.
import type { MalformedEvent, ParsedRow, SessionEvent } from '../shared/events';

export type LogEntry = { kind: 'event'; event: SessionEvent } | { kind: 'malformed'; malformed: MalformedEvent };

export interface AddResult {
  /** New entries past everything delivered before, in `seq` order. */
  appended: LogEntry[];
  /** New entries that belong before the last delivered one (a late commit): shown in place. */
  inserted: LogEntry[];
  /** Entries already in the log (same id), dropped. */
  duplicates: number;
}

const orderOf = (e: LogEntry): number => (e.kind === 'event' ? e.event.seq : (e.malformed.seq ?? Number.MAX_SAFE_INTEGER));

/** An entry's number in its session (undefined for a malformed row without one). */
export const seqOf = (e: LogEntry): number | undefined => (e.kind === 'event' ? e.event.seq : (e.malformed.seq ?? undefined));
const idOf = (e: LogEntry): string | null => (e.kind === 'event' ? e.event.id : e.malformed.id);

export function toEntry(row: ParsedRow): LogEntry {
  return row.ok ? { kind: 'event', event: row.event } : { kind: 'malformed', malformed: row.malformed };
}

export class EventLog {
  private readonly list: LogEntry[] = [];
  private readonly ids = new Set<string>();
  private highest = -1;

  /** Highest `seq` in the log (the recovery cursor), or undefined when empty. */
  get lastSeq(): number | undefined {
    return this.highest >= 0 ? this.highest : undefined;
  }

  get size(): number {
    return this.list.length;
  }

  entries(): readonly LogEntry[] {
    return this.list;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(rows: readonly (ParsedRow | LogEntry)[]): AddResult {
    const fresh: LogEntry[] = [];
    let duplicates = 0;
    for (const row of rows) {
      const entry = 'kind' in row ? row : toEntry(row);
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
    const appended: LogEntry[] = [];
    const inserted: LogEntry[] = [];
    for (const entry of fresh) {
      const seq = orderOf(entry);
      if (seq >= this.highest || seq === Number.MAX_SAFE_INTEGER) {
        this.list.push(entry);
        appended.push(entry);
        if (seq !== Number.MAX_SAFE_INTEGER) this.highest = seq;
      } else {
        // Binary search for its place: late commits are rare and land near the end.
        let lo = 0;
        let hi = this.list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (orderOf(this.list[mid]!) <= seq) lo = mid + 1;
          else hi = mid;
        }
        this.list.splice(lo, 0, entry);
        inserted.push(entry);
      }
    }
    return { appended, inserted, duplicates };
  }
}
