// Live events in their session's order: numbers are handed out in commit order with no holes, so a
// live event past a hole waits while the events before it are read from history (a numbered event
// is committed before any later one, so they can be). Used by SessionEventStream.
import type { SupabaseClient } from '@supabase/supabase-js';
import { seqOf, toEntry, type TimelineEntry } from '../shared/entries';
import { delay, type Clock } from './clock';
import { fetchAllAfter } from './history';
import type { Logger } from './log';

export interface InOrderOptions {
  sessionId: string;
  /** The highest number delivered so far. */
  lastSeq(): number | undefined;
  /** Hands entries on (`history`: read to fill a hole, not live). */
  deliver(entries: TimelineEntry[], history: boolean): void;
  client(): SupabaseClient;
  clock: Clock;
  logger: Logger;
  pageSize: number;
}

export class InOrder {
  /** Live entries past a hole, waiting for the events before them. */
  private ahead: TimelineEntry[] = [];
  private filling: Promise<void> | undefined;

  constructor(private readonly o: InOrderOptions) {}

  /**
   * Live entries: those next in line go out now; one past a hole waits while the hole is read.
   * `isCurrent` says whether the join they came on still stands (a rejoin's backfill reads the rest).
   */
  push(entries: TimelineEntry[], isCurrent: () => boolean): void {
    let expected = (this.o.lastSeq() ?? 0) + 1;
    const ready: TimelineEntry[] = [];
    for (const e of [...entries].sort((a, b) => (seqOf(a) ?? 0) - (seqOf(b) ?? 0))) {
      const seq = seqOf(e);
      // Unnumbered (malformed) and already-passed numbers go out as they are (the log places them).
      if (seq === undefined || seq < expected) ready.push(e);
      else if (seq === expected) {
        ready.push(e);
        expected++;
      } else this.ahead.push(e);
    }
    this.o.deliver(ready, false);
    this.release();
    if (this.ahead.length > 0) this.fill(isCurrent);
  }

  /** The join is gone: what waited is read again by the next join's backfill. */
  reset(): void {
    this.ahead = [];
  }

  /** Delivers waiting entries that are next in line now. */
  private release(): void {
    this.ahead.sort((a, b) => seqOf(a)! - seqOf(b)!);
    let expected = (this.o.lastSeq() ?? 0) + 1;
    const ready: TimelineEntry[] = [];
    while (this.ahead.length > 0 && seqOf(this.ahead[0]!)! <= expected) {
      const e = this.ahead.shift()!;
      if (seqOf(e) === expected) expected++;
      ready.push(e);
    }
    this.o.deliver(ready, false);
  }

  /**
   * Fetches what is missing before the entries waiting. A change can reach us before its row is
   * visible to a new query, so an empty answer is retried briefly; after that the waiting entries
   * go out anyway (and a missing one, when it comes, is placed where it belongs).
   */
  private fill(isCurrent: () => boolean): void {
    if (this.filling) return;
    this.filling = (async () => {
      for (let attempt = 0; attempt < 8 && this.ahead.length > 0 && isCurrent(); attempt++) {
        if (attempt > 0) await delay(this.o.clock, 25 * 2 ** attempt);
        try {
          const rows = await fetchAllAfter(this.o.client(), this.o.sessionId, this.o.lastSeq() ?? 0, this.o.pageSize);
          if (!isCurrent()) return;
          this.o.deliver(rows.map(toEntry).filter((e) => (seqOf(e) ?? 0) < seqOf(this.ahead[0]!)!), true);
          this.release();
        } catch (error) {
          this.o.logger.warn('could not fetch the events before a gap', { error: String(error) });
        }
      }
      if (this.ahead.length > 0 && isCurrent()) {
        this.o.logger.warn('events are missing before the ones delivered now', { sessionId: this.o.sessionId, after: this.o.lastSeq(), next: seqOf(this.ahead[0]!) });
        const waiting = this.ahead;
        this.ahead = [];
        this.o.deliver(waiting, false);
      }
    })().finally(() => (this.filling = undefined));
  }
}
