// The timeline's way through a session of any length: what it holds (a SessionWindow), the pages it
// asks the host for as the list nears either end of that, and jumps — to the start, the end, an
// event (a link, a search hit, the overview bar) — which replace it. Answers that no longer fit
// (another jump, other filters, the other end let go of) are dropped; a page that could not be
// read is announced, and asked again the next time the list nears that end.
import { seqOf, type TimelineEntry } from '../src/shared/entries';
import type { SessionEventType } from '../src/shared/events';
import { decodeEntries, pageRequest } from '../src/shared/timelineProtocol';
import { request } from './hostRequests';
import { keyOf } from './model';
import type { Anchor } from './rowList';
import { PAGE_SIZE, SessionWindow, type PageAnswer } from './window';

/** What the timeline does for its pages: its filters, its list, its scroll and selection. */
export interface PagingView {
  /** The event types the filters show (undefined: all). */
  types(): SessionEventType[] | undefined;
  visible(): readonly TimelineEntry[];
  anchor(): Anchor | undefined;
  /** Lists what is held again (keeping `anchor` in place). */
  refresh(anchor?: Anchor): void;
  /** Selects row `index` and scrolls there at once (a jump). */
  land(index: number, align: 'start' | 'center'): void;
  setFollow(on: boolean, scroll?: boolean): void;
  /** Highlights the row with this key (a link's event). */
  reveal(key: string): void;
  scrollToTop(): void;
  /** Replay shows a past moment: nothing is paged meanwhile. */
  replaying(): boolean;
  announce(text: string): void;
  /** The list shows the end of the session again: nothing new is unseen. */
  caughtUp(): void;
  repaint(): void;
}

type Direction = 'before' | 'after' | 'around';

/** How near either end (in rows) the list asks for the next page. */
const EDGE = 40;

export class Paging {
  readonly window = new SessionWindow();
  /** The types what is held was read with (undefined: all of them). */
  private windowTypes: SessionEventType[] | undefined;
  private readonly loading = { before: false, after: false };
  /** An event to show once it is held (a link, a search hit). */
  private target: { seq: number; flash: boolean } | undefined;
  /** A jump's scroll is settling: the edges wait (two frames). */
  private landing = false;

  constructor(private readonly view: PagingView) {}

  /** A jump is under way (the list is not the user's to follow or page yet). */
  get jumping(): boolean {
    return this.target !== undefined || this.landing;
  }

  /** A jump is looking for its event (the list must not start following live meanwhile). */
  get targeting(): boolean {
    return this.target !== undefined;
  }

  /** What is held is the whole session with every type (filters can work on it here). */
  get holdsAll(): boolean {
    return this.windowTypes === undefined && this.window.reachedStart && this.window.reachedEnd;
  }

  /**
   * Asks the host for a page; `then` gets it unless it failed (said) or the filters changed
   * meanwhile. `settled` hears of every answer first, `ok` false when there was no page.
   */
  private load(direction: Direction, seq: number, then: (page: PageAnswer) => void, settled?: (ok: boolean) => void): void {
    const types = this.view.types();
    request(pageRequest, { direction, seq, limit: direction === 'around' ? PAGE_SIZE * 2 : PAGE_SIZE, types }).then(
      (m) => {
        settled?.(true);
        if (JSON.stringify(types) !== JSON.stringify(this.view.types())) return;
        then({ entries: decodeEntries(m.entries), reachedStart: m.reachedStart, reachedEnd: m.reachedEnd, total: m.total });
      },
      (error: Error) => {
        settled?.(false);
        this.view.announce(`Could not load events: ${error.message}`);
      },
    );
  }

  /** A page from the host takes the place of what is held (read with the filters of now). */
  replace(page: PageAnswer): void {
    this.window.replace(page);
    this.windowTypes = this.view.types();
  }

  /** After a paint: near either end of what is held, the next page in (one at a time per end). */
  edges(first: number, last: number): void {
    if (this.view.replaying() || this.window.entries.length === 0 || this.jumping) return;
    if (first < EDGE && !this.window.reachedStart) this.extend('before');
    if (last > this.view.visible().length - EDGE && !this.window.reachedEnd) this.extend('after');
  }

  private extend(end: 'before' | 'after'): void {
    if (this.loading[end]) return;
    this.loading[end] = true;
    const from = (end === 'before' ? this.window.firstSeq : this.window.lastSeq) ?? (end === 'before' ? 1 : 0);
    this.load(
      end,
      from,
      (page) => {
        // What is held changed meanwhile (a jump, the other end let go of): this page no longer joins it.
        if ((end === 'before' ? this.window.firstSeq : this.window.lastSeq) !== from) return;
        const anchor = this.view.anchor();
        if (end === 'before') this.window.prepend(page);
        else this.window.append(page);
        this.view.refresh(anchor);
      },
      () => (this.loading[end] = false),
    );
  }

  /** Shows the event numbered `seq` (loading the part of the session around it if it is not held). */
  jumpTo(seq: number, flash: boolean): void {
    this.view.setFollow(false, false);
    this.target = { seq, flash };
    const held = this.window.covers(seq) && this.view.visible().some((e) => (seqOf(e) ?? 0) >= seq);
    if (held) return this.showTarget();
    const target = this.target;
    this.load(
      'around',
      seq,
      (page) => {
        this.replace(page);
        this.settle(() => {
          this.view.refresh();
          this.showTarget();
        });
      },
      // No page: the jump is over (the list pages at its edges again).
      (ok) => {
        if (!ok && this.target === target) this.target = undefined;
      },
    );
  }

  private showTarget(): void {
    const target = this.target;
    if (!target) return;
    this.target = undefined;
    const visible = this.view.visible();
    const index = visible.findIndex((e) => (seqOf(e) ?? 0) >= target.seq);
    if (index < 0) return;
    if (target.flash) this.view.reveal(keyOf(visible[index]!, index));
    this.settle(() => this.view.land(index, 'center'));
    if (target.flash) this.view.announce(`Event ${seqOf(visible[index]!) ?? target.seq} of ${this.window.total.toLocaleString()}.`);
  }

  /** Runs a jump's scroll, and keeps the edges from asking for pages until it has settled (two frames). */
  private settle(scroll: () => void): void {
    this.landing = true;
    scroll();
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        this.landing = false;
        this.view.repaint();
      }),
    );
  }

  jumpToStart(): void {
    this.view.setFollow(false, false);
    if (this.window.reachedStart) return this.view.land(0, 'start');
    this.load('after', 0, (page) => {
      this.replace({ ...page, reachedStart: true });
      this.view.scrollToTop();
      this.settle(() => {
        this.view.refresh();
        this.view.land(0, 'start');
      });
    });
  }

  jumpToEnd(): void {
    if (this.window.reachedEnd) return this.view.setFollow(true);
    this.load('before', Number.MAX_SAFE_INTEGER, (page) => {
      this.replace({ ...page, reachedEnd: true });
      this.view.caughtUp();
      this.view.refresh();
      this.view.setFollow(true);
    });
  }

  /** The filters changed: the end of the session, or the part around `at`, read anew with them. */
  reload(at: number | undefined, atEnd: boolean): void {
    if (atEnd) {
      this.load('before', Number.MAX_SAFE_INTEGER, (page) => {
        this.replace({ ...page, reachedEnd: true });
        this.view.refresh();
      });
      return;
    }
    this.load('around', at ?? 1, (page) => {
      this.replace(page);
      this.view.refresh();
      if (at !== undefined) this.jumpTo(at, false);
    });
  }

  /** Where the user left off is older than what is held: that part of the session, then `then`. */
  around(seq: number, then: () => void): void {
    this.load('around', seq, (page) => {
      this.replace(page);
      then();
    });
  }
}
