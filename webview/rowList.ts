// The timeline's list of rows: a scroller with a virtualized list (@tanstack/virtual-core) of what
// the timeline shows. Only rows on screen are in the DOM, each built once and reused while what it
// shows is the same; rows are painted once per frame.
import { elementScroll, measureElement, observeElementOffset, observeElementRect, Virtualizer, type VirtualItem } from '@tanstack/virtual-core';
import type { TimelineEntry } from '../src/shared/entries';
import { h, placeInOrder } from './dom';
import { keyOf } from './model';

/** A row on screen and how far below the top of the list it is: kept in place when rows come or go above it. */
export interface Anchor {
  key: string;
  offset: number;
}

export interface RowSource {
  /** What a row's look depends on besides its event (search, expanded, its comments): a change builds it anew. */
  signature(key: string): string;
  render(entry: TimelineEntry, key: string): HTMLElement;
  /** Marks a row for where it is (selected, a hit…), on every paint. */
  decorate(el: HTMLElement, entry: TimelineEntry, index: number, key: string): void;
  /** After each paint: the rows laid out (with overscan) and the first and last index wholly or partly on screen. */
  painted(items: VirtualItem[], onScreen: { first?: number; last?: number }): void;
}

export class RowList {
  readonly scroller = h('div', { class: 'scroller', role: 'list', tabindex: '0', 'aria-label': 'Session events' });
  readonly inner = h('div', { class: 'inner' });
  /** What is listed, in order. */
  visible: TimelineEntry[] = [];
  private version = 0;
  private readonly cache = new Map<string, { version: number; el: HTMLElement }>();
  private readonly virtualizer: Virtualizer<HTMLDivElement, HTMLElement>;
  private rendering = false;
  private rerender = false;
  private frame = 0;

  constructor(private readonly source: RowSource) {
    this.scroller.append(this.inner);
    this.virtualizer = new Virtualizer<HTMLDivElement, HTMLElement>({
      count: 0,
      getScrollElement: () => this.scroller,
      estimateSize: () => 44,
      overscan: 6,
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
      measureElement,
      getItemKey: (i) => keyOf(this.visible[i]!, i),
      onChange: () => this.schedule(),
    });
  }

  mount(): void {
    this.virtualizer._didMount();
  }

  get isScrolling(): boolean {
    return this.virtualizer.isScrolling;
  }

  /** Lists `visible`; with an anchor, the row it names stays where it was on screen. */
  show(visible: TimelineEntry[], anchor?: Anchor): void {
    this.visible = visible;
    // A new key function each time: the virtualizer keeps its measurements while its options stay the
    // same, and a full window that took a page at one end and let one go at the other has the same
    // count with other rows at every index.
    this.virtualizer.setOptions({ ...this.virtualizer.options, count: visible.length, getItemKey: (i) => keyOf(visible[i]!, i) });
    this.virtualizer._willUpdate();
    if (!anchor) return;
    const index = this.indexOfKey(anchor.key);
    const at = index >= 0 ? this.virtualizer.getOffsetForIndex(index, 'start')?.[0] : undefined;
    if (at !== undefined) this.scroller.scrollTop = at - anchor.offset;
  }

  indexOfKey(key: string): number {
    return this.visible.findIndex((e, i) => keyOf(e, i) === key);
  }

  /** The first row on screen, to keep in place. */
  anchor(): Anchor | undefined {
    const top = this.scroller.scrollTop;
    const item = this.virtualizer.getVirtualItems().find((i) => i.end > top);
    const entry = item && this.visible[item.index];
    return item && entry ? { key: keyOf(entry, item.index), offset: item.start - top } : undefined;
  }

  /**
   * Scrolls to a row. After a jump the rows are new: the scroll is put there at once (the
   * virtualizer's own scroll settles over frames, while the edges already ask for more pages from the
   * old position).
   */
  scrollTo(index: number, align: 'auto' | 'start' | 'center', jump = false): void {
    const at = jump ? this.virtualizer.getOffsetForIndex(index, align === 'auto' ? 'center' : align)?.[0] : undefined;
    if (at !== undefined) this.scroller.scrollTop = at;
    else this.virtualizer.scrollToIndex(index, { align });
  }

  /** The bottom of the list; cheaper than scrollToIndex, which re-measures unmeasured rows. */
  scrollToEnd(): void {
    this.scroller.scrollTop = this.virtualizer.getTotalSize();
  }

  /** Every row is built anew on the next paint (relative times, Expand All). */
  invalidate(): void {
    this.version++;
  }

  /**
   * The virtualizer reports every scroll and every measured size; rows are painted once per frame.
   * A change reported while painting (a measured size moved the rows) gets one more pass at once,
   * instead of re-entering the paint from inside `measureElement` for every row.
   */
  schedule(): void {
    if (this.rendering) this.rerender = true;
    else this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render(): void {
    this.rendering = true;
    try {
      for (let pass = 0; pass < 3; pass++) {
        this.rerender = false;
        this.paint();
        if (!this.rerender) break;
      }
    } finally {
      this.rendering = false;
    }
  }

  private paint(): void {
    const items = this.virtualizer.getVirtualItems();
    this.inner.style.height = `${this.virtualizer.getTotalSize()}px`;
    const rows: HTMLElement[] = [];
    for (const item of items) {
      const entry = this.visible[item.index];
      if (!entry) continue;
      const key = keyOf(entry, item.index);
      const cacheKey = `${key}|${this.source.signature(key)}`;
      let cached = this.cache.get(cacheKey);
      if (!cached || cached.version !== this.version) {
        cached = { version: this.version, el: this.source.render(entry, key) };
        this.cache.set(cacheKey, cached);
      }
      const el = cached.el;
      el.dataset.index = String(item.index);
      el.dataset.key = key;
      el.style.transform = `translateY(${item.start}px)`;
      this.source.decorate(el, entry, item.index, key);
      rows.push(el);
    }
    for (const el of placeInOrder(this.inner, rows)) this.virtualizer.measureElement(el);
    if (this.cache.size > 2000) this.cache.clear();
    const top = this.scroller.scrollTop;
    const bottom = top + this.scroller.clientHeight;
    const onScreen = items.filter((i) => i.end > top && i.start < bottom);
    this.source.painted(items, { first: onScreen[0]?.index, last: onScreen.at(-1)?.index });
  }
}
