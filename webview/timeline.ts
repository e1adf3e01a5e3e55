// The timeline app: header (title, state, connection banner, counts as filter toggles, elapsed,
// tokens), toolbar (search with next/previous, follow-live, replay, export) and a virtualized list
// (@tanstack/virtual-core) of rows. Keyboard: j/k move, Enter opens the file, / searches, Esc clears.
// A session of any length: the list holds a window of it (window.ts) that pages in from the host as
// it scrolls and lets the far end go; the overview bar shows where that is in the whole session;
// search and the type filters apply to the whole session on the server (docs/long-sessions.md).
import { elementScroll, measureElement, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import type { ConnectionState, ViewerView } from '../src/shared/connection';
import { insertInOrder, seqOf, type TimelineEntry } from '../src/shared/entries';
import { SESSION_EVENT_TYPES, type SessionEventType } from '../src/shared/events';
import { sessionMarkdown } from '../src/shared/markdown';
import { decodeEntries, isTimelineHostMessage, type PageMessage, type SessionView, type TimelineHostMessage } from '../src/shared/timelineProtocol';
import { Comments } from './comments';
import { h, placeInOrder } from './dom';
import { renderBanner, renderHeader } from './header';
import { renderSteering } from './steering';
import { counts, INITIAL_UI, KIND_LABELS, KINDS, keyOf, matches, visibleEntries, type EntryKind, type UiState } from './model';
import { highestRead, unreadSince } from './readMarker';
import { Replay } from './replay';
import { renderRow } from './rows';
import { OverviewBar } from './overview';
import { ServerSearch } from './serverSearch';
import { PAGE_SIZE, SessionWindow } from './window';
import { loadState, onHostMessage, postTimeline, saveState } from './vscodeApi';

export class Timeline {
  private readonly window = new SessionWindow();
  /** The types what is held was read with (undefined: all of them). */
  private windowTypes: SessionEventType[] | undefined;
  private get entries(): TimelineEntry[] {
    return this.window.entries;
  }
  /** Events per type in the whole session (the host counts them), kept up with live events. */
  private serverCounts: Partial<Record<SessionEventType, number>> | undefined;
  /** Answers the host owes: page requests by id, and which way each grows the list. */
  private readonly waiting = new Map<string, (m: PageMessage) => void>();
  private loadingBefore = false;
  private loadingAfter = false;
  /** An event to select once it is held (a link, a search hit). */
  private target: { seq: number; flash: boolean } | undefined;
  private flashKey: string | undefined;
  /** The other end of a Shift selection (index into `visible`). */
  private anchor = -1;
  private readonly overview = new OverviewBar((seq) => this.jumpTo(seq, false));
  private readonly server = new ServerSearch(
    (requestId, query, after) => postTimeline({ type: 'search', requestId, query, types: this.types(), after }),
    (i) => this.goToHit(i),
  );
  private readonly position = h('span', { class: 'position muted', 'aria-live': 'off' });
  private visible: TimelineEntry[] = [];
  private hits: number[] = [];
  private hitIndex = -1;
  private selected = -1;
  private session: SessionView | undefined;
  private connection: ConnectionState = { state: 'joining', attempt: 0 };
  private viewers: ViewerView[] = [];
  private clockSkew = 0;
  private ui: UiState;
  private unseen = 0;
  private readonly replay = new Replay(() => this.entries, () => this.refresh(), () => this.setFollow(true));
  private version = 0;
  private readonly cache = new Map<string, { version: number; el: HTMLElement }>();
  private readonly virtualizer: Virtualizer<HTMLDivElement, HTMLElement>;
  private restoredScroll = false;
  private rendering = false;
  private rerender = false;
  private frame = 0;

  private readonly header = h('header', { class: 'header' });
  private readonly banner = h('div', { class: 'banner', role: 'status' });
  private readonly steer = h('div', { class: 'steer', hidden: '' });
  private readonly filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filter by event type' });
  private readonly search = h('vscode-textfield', { placeholder: 'Search commands, output, paths, messages (/)', 'aria-label': 'Search events', class: 'search' }) as HTMLElement & { value: string };
  private readonly hitLabel = h('span', { class: 'hits', 'aria-live': 'off' });
  private readonly followButton = h('button', { class: 'toggle', type: 'button', 'aria-pressed': 'true', title: 'Follow new events' }, 'Follow live');
  private readonly scroller = h('div', { class: 'scroller', role: 'list', tabindex: '0', 'aria-label': 'Session events' });
  private readonly inner = h('div', { class: 'inner' });
  private readonly pill = h('button', { class: 'pill', type: 'button', hidden: '' });
  private readonly live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  private readonly comments = new Comments(() => this.scheduleRows(), (draft) => this.persist({ draft }), () => this.scroller.focus());
  /** This view was restored (a reload): its own scroll position wins over the read marker. */
  private readonly restoring: boolean;
  /** The first entry after the user's read marker (a "New" divider above it). */
  private firstUnread: string | undefined;
  private postedRead = -1;

  constructor(private readonly root: HTMLElement) {
    this.ui = { ...INITIAL_UI, ...loadState<UiState>() };
    if (this.ui.sessionId && this.ui.sessionId !== root.dataset.session) this.ui = { ...INITIAL_UI };
    this.restoring = this.ui.sessionId === root.dataset.session;
    this.ui.sessionId = root.dataset.session;
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
      onChange: () => this.scheduleRows(),
    });
  }

  start(): void {
    this.layout();
    this.persist(); // the session id, so VS Code can restore this panel after a reload
    this.virtualizer._didMount();
    onHostMessage((m) => this.onMessage(m), isTimelineHostMessage);
    postTimeline({ type: 'ready' });
    setInterval(() => {
      this.version++;
      this.renderRows();
      this.renderBanner();
    }, 30_000);
  }

  private layout(): void {
    this.search.value = this.ui.search;
    this.search.addEventListener('input', () => this.setSearch(this.search.value));
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.nextHit(e.shiftKey ? -1 : 1);
      if (e.key === 'Escape') this.setSearch((this.search.value = ''));
    });
    const prev = h('button', { class: 'icon-button', type: 'button', title: 'Previous match (Shift+Enter)', 'aria-label': 'Previous match' }, '↑');
    const next = h('button', { class: 'icon-button', type: 'button', title: 'Next match (Enter)', 'aria-label': 'Next match' }, '↓');
    prev.addEventListener('click', () => this.nextHit(-1));
    next.addEventListener('click', () => this.nextHit(1));
    this.followButton.addEventListener('click', () => this.setFollow(!this.ui.follow));
    const button = (label: string, title: string, run: () => void, attrs: Record<string, string> = {}) => {
      const b = h('vscode-button', { secondary: '', title, ...attrs }, label);
      b.addEventListener('click', run);
      return b;
    };
    this.pill.addEventListener('click', () => this.setFollow(true));
    const toolbar = h(
      'div',
      { class: 'toolbar' },
      this.search,
      prev,
      next,
      this.hitLabel,
      this.followButton,
      this.replay.playButton,
      this.replay.speedSelect,
      this.replay.scrub,
    );
    const nav = h(
      'div',
      { class: 'toolbar nav' },
      button('⇤ Start', 'Jump to Start: the session\'s first event (Home)', () => this.jumpToStart(), { 'data-jump': 'start', 'aria-label': 'Jump to Start' }),
      button('End ⇥', 'Jump to End: the latest event, following live (End)', () => this.jumpToEnd(), { 'data-jump': 'end', 'aria-label': 'Jump to End' }),
      this.position,
      button('Expand All', 'Show every long text and output whole', () => this.setExpandAll(true), { 'data-expand': 'all' }),
      button('Collapse All', 'Show long texts and output as previews', () => this.setExpandAll(false), { 'data-expand': 'none' }),
      button('Copy Markdown', 'Copy as Markdown: the selected events (Shift+j/k or Shift+click), or the whole session (m)', () => this.copyMarkdown(), { 'data-copy-markdown': '1', 'aria-label': 'Copy as Markdown' }),
      button('Export JSONL', 'Export the whole session as JSON Lines', () => postTimeline({ type: 'exportJsonl' })),
      button('Export MD', 'Export the whole session as Markdown (a file)', () => postTimeline({ type: 'exportMarkdown' }), { 'aria-label': 'Export Markdown' }),
    );
    this.scroller.append(this.inner);
    const list = h('div', { class: 'list-area' }, this.scroller, this.overview.el);
    this.root.append(this.header, this.steer, this.banner, this.filters, toolbar, nav, this.server.list, list, this.comments.composer, this.pill, this.live);
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.scroller.addEventListener('click', (e) => this.onListClick(e));
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  private onMessage(m: TimelineHostMessage): void {
    switch (m.type) {
      case 'init':
        this.session = m.session;
        this.window.replace({ entries: decodeEntries(m.entries), reachedStart: m.reachedStart ?? true, reachedEnd: true, total: m.total ?? 0 });
        this.connection = m.connection;
        this.viewers = m.viewers;
        this.clockSkew = m.now - Date.now();
        this.comments.reset(m.annotations, m.me);
        renderSteering(this.steer, this.session);
        if (this.restoredScroll) this.refresh();
        else this.firstShow(m.readSeq);
        break;
      case 'annotations':
      case 'annotationSaved':
        this.comments.onMessage(m);
        break;
      case 'entries':
        this.append(decodeEntries(m.entries), m.inserted);
        break;
      case 'connection':
        this.connection = m.connection;
        this.clockSkew = m.now - Date.now();
        this.renderBanner();
        if (m.connection.state === 'error') this.announce('Disconnected from the session.');
        break;
      case 'viewers':
        this.viewers = m.viewers;
        this.renderHeader();
        break;
      case 'page':
        this.waiting.get(m.requestId)?.(m);
        this.waiting.delete(m.requestId);
        break;
      case 'searchResults':
        if (this.server.receive(m)) {
          if (this.server.failed) this.refresh();
          else if (this.server.index < 0 && this.server.hits.length > 0) this.nextHit(1);
          else if (this.server.index >= 0 && this.server.index < this.server.hits.length - 1 && !this.server.more) this.renderHits();
          this.renderHits();
        }
        break;
      case 'counts':
        this.serverCounts = m.counts;
        this.renderFilters();
        break;
      case 'reveal':
        this.jumpTo(m.seq, true);
        break;
      case 'session':
        if (this.session?.state !== m.session.state) this.announce(m.session.state === 'waiting' ? `The agent needs you: ${m.session.requests?.[0]?.title ?? ''}` : `Session ${m.session.state}.`);
        this.session = m.session;
        this.renderHeader();
        renderSteering(this.steer, this.session);
        break;
    }
  }

  /**
   * The first time entries arrive: a reloaded view goes back to where it was scrolled; a new one
   * opens where the user left off (their read marker, from any window), under a "New" divider.
   */
  private firstShow(readSeq: number | undefined): void {
    this.restoredScroll = true;
    if (!this.restoring && readSeq !== undefined && !this.window.reachedStart && readSeq + 1 < (this.window.firstSeq ?? 0)) {
      // Where the user left off is older than what came with the panel: that part of the session first.
      this.firstUnread = undefined;
      this.setFollow(false, false);
      this.announce(`${(this.window.total - readSeq).toLocaleString()} new events since you last looked.`);
      this.request('around', readSeq + 1, (page) => {
        this.replaceWindow(page);
        const unread = this.entries.find((e) => (seqOf(e) ?? 0) > readSeq);
        if (unread) this.firstUnread = keyOf(unread, 0);
        this.refresh();
        if (unread) this.scrollToEntry(unread, 'start');
      });
      if (this.ui.draft) this.comments.open(this.ui.draft);
      return;
    }
    const news = this.restoring ? [] : unreadSince(this.entries, readSeq);
    const unread = news[0];
    if (unread) {
      this.firstUnread = keyOf(unread, 0);
      this.setFollow(false, false);
    }
    this.refresh();
    if (unread) {
      const index = this.visible.indexOf(unread);
      if (index >= 0) this.virtualizer.scrollToIndex(index, { align: 'start' });
      this.announce(`${news.length} new event${news.length === 1 ? '' : 's'} since you last looked.`);
    } else if (this.restoring && !this.ui.follow) this.scroller.scrollTop = this.ui.scrollTop;
    if (this.ui.draft) this.comments.open(this.ui.draft);
  }

  private append(entries: TimelineEntry[], inserted: boolean): void {
    // A late commit goes where the stream's log put it; everything else is past the end — held only
    // when the list reaches the end of the session (else the session just got longer).
    const totalBefore = this.window.total;
    const { taken } = this.window.live(entries, (list, e) => void insertInOrder(list, e), inserted);
    if (this.serverCounts) for (const e of entries) if (e.kind === 'event') this.serverCounts[e.event.type] = (this.serverCounts[e.event.type] ?? 0) + 1;
    if (taken.length === 0 && entries.length > 0) {
      if (!this.ui.follow || !this.window.reachedEnd) {
        this.unseen += Math.max(0, this.window.total - totalBefore);
        this.showPill();
      }
      this.renderHeader();
      this.renderFilters();
      this.renderPosition();
      return;
    }
    for (const e of entries) {
      if (e.kind === 'event' && e.event.type === 'completion') this.announce(`Session completed: ${e.event.data.message}`);
      if (e.kind === 'event' && e.event.type === 'error') this.announce(`Session error: ${e.event.data.message}`);
    }
    const before = this.visible.length;
    this.refresh();
    const added = this.visible.length - before;
    if (!this.ui.follow && added > 0 && this.replay.at === undefined) {
      this.unseen += added;
      this.showPill();
    }
  }

  private showPill(): void {
    this.pill.textContent = `${this.unseen.toLocaleString()} new event${this.unseen === 1 ? '' : 's'} ↓`;
    this.pill.hidden = this.unseen === 0;
  }

  /** The event types the filters show, for the host (undefined: all of them). */
  private types(): SessionEventType[] | undefined {
    const hidden = SESSION_EVENT_TYPES.filter((t) => this.ui.hidden.includes(t));
    return hidden.length === 0 ? undefined : SESSION_EVENT_TYPES.filter((t) => !hidden.includes(t));
  }

  /** Asks the host for a page of the session; `then` gets the answer unless it failed (then it is said). */
  private request(direction: 'before' | 'after' | 'around', seq: number, then: (page: { entries: TimelineEntry[]; reachedStart: boolean; reachedEnd: boolean; total: number }) => void, always?: () => void): void {
    const requestId = `p${Math.random().toString(36).slice(2)}`;
    const types = this.types();
    this.waiting.set(requestId, (m) => {
      always?.();
      if (m.error) return this.announce(`Could not load events: ${m.error}`);
      // An answer for filters that changed meanwhile is of no use.
      if (JSON.stringify(types) !== JSON.stringify(this.types())) return;
      then({ entries: decodeEntries(m.entries), reachedStart: m.reachedStart, reachedEnd: m.reachedEnd, total: m.total });
    });
    postTimeline({ type: 'page', requestId, direction, seq, limit: direction === 'around' ? PAGE_SIZE * 2 : PAGE_SIZE, types });
  }

  /** Near either end of what is held, the next page in from the host (one at a time per end). */
  private loadMore(first: number, last: number): void {
    // Not while a jump lands: the rows are new and the scroll is still on its way to the target.
    if (this.replay.at !== undefined || this.entries.length === 0 || this.target !== undefined || this.landing) return;
    if (first < 40 && !this.window.reachedStart && !this.loadingBefore) {
      this.loadingBefore = true;
      const from = this.window.firstSeq ?? 1;
      this.request('before', from, (page) => {
        // What is held changed meanwhile (a jump, the other end let go of): this page no longer joins it.
        if (this.window.firstSeq !== from) return;
        const anchor = this.anchorRow();
        this.window.prepend(page);
        this.refresh(anchor);
      }, () => (this.loadingBefore = false));
    }
    if (last > this.visible.length - 40 && !this.window.reachedEnd && !this.loadingAfter) {
      this.loadingAfter = true;
      const from = this.window.lastSeq ?? 0;
      this.request('after', from, (page) => {
        if (this.window.lastSeq !== from) return;
        const anchor = this.anchorRow();
        this.window.append(page);
        this.refresh(anchor);
      }, () => (this.loadingAfter = false));
    }
  }

  /** The first row on screen and how far below the top it is, to keep it in place when rows come or go above it. */
  private anchorRow(): { key: string; offset: number } | undefined {
    const top = this.scroller.scrollTop;
    const item = this.virtualizer.getVirtualItems().find((i) => i.end > top);
    const entry = item && this.visible[item.index];
    return item && entry ? { key: keyOf(entry, item.index), offset: item.start - top } : undefined;
  }

  /** Shows the event numbered `seq` (loading the part of the session around it if it is not held). */
  private jumpTo(seq: number, flash: boolean): void {
    this.setFollow(false, false);
    this.target = { seq, flash };
    const held = this.window.covers(seq) && this.visible.some((e) => (seqOf(e) ?? 0) >= seq);
    if (held) return this.showTarget();
    this.request('around', seq, (page) => {
      this.replaceWindow(page);
      this.land(() => {
        this.refresh();
        this.showTarget();
      });
    });
  }

  private showTarget(): void {
    const target = this.target;
    if (!target) return;
    this.target = undefined;
    const index = this.visible.findIndex((e) => (seqOf(e) ?? 0) >= target.seq);
    if (index < 0) return;
    if (target.flash) this.flashKey = keyOf(this.visible[index]!, index);
    this.land(() => this.select(index, 'center', false, true));
    const seq = seqOf(this.visible[index]!);
    if (target.flash) this.announce(`Event ${seq ?? target.seq} of ${this.window.total.toLocaleString()}.`);
  }

  /** Runs a jump's scroll, and keeps the edges from asking for pages until it has settled (two frames). */
  private landing = false;
  private land(scroll: () => void): void {
    this.landing = true;
    scroll();
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        this.landing = false;
        this.renderRows();
      }),
    );
  }

  private jumpToStart(): void {
    this.setFollow(false, false);
    if (this.window.reachedStart) return this.select(0, 'start', false, true);
    this.request('after', 0, (page) => {
      this.replaceWindow({ ...page, reachedStart: true });
      this.scroller.scrollTop = 0;
      this.land(() => {
        this.refresh();
        this.select(0, 'start', false, true);
      });
    });
  }

  private jumpToEnd(): void {
    if (this.window.reachedEnd) return this.setFollow(true);
    this.request('before', Number.MAX_SAFE_INTEGER, (page) => {
      this.replaceWindow({ ...page, reachedEnd: true });
      this.unseen = 0;
      this.refresh();
      this.setFollow(true);
    });
  }

  private refresh(anchor?: { key: string; offset: number }): void {
    // The selection is kept by its events, not their places: pages coming in above move them.
    const selectedKey = this.visible[this.selected] ? keyOf(this.visible[this.selected]!, this.selected) : undefined;
    const anchorKey = this.visible[this.anchor] ? keyOf(this.visible[this.anchor]!, this.anchor) : undefined;
    this.visible = visibleEntries(this.entries, this.ui.hidden, this.replay.at);
    if (selectedKey !== undefined) this.selected = this.visible.findIndex((e, i) => keyOf(e, i) === selectedKey);
    if (anchorKey !== undefined) this.anchor = this.visible.findIndex((e, i) => keyOf(e, i) === anchorKey);
    this.hits = this.server.failed ? matches(this.visible, this.ui.search) : [];
    // A new key function each time: the virtualizer keeps its measurements while its options stay the
    // same, and a full window that took a page at one end and let one go at the other has the same
    // count with other rows at every index.
    const visible = this.visible;
    this.virtualizer.setOptions({ ...this.virtualizer.options, count: visible.length, getItemKey: (i) => keyOf(visible[i]!, i) });
    this.virtualizer._willUpdate();
    if (anchor) {
      const index = this.visible.findIndex((e, i) => keyOf(e, i) === anchor.key);
      const at = index >= 0 ? this.virtualizer.getOffsetForIndex(index, 'start')?.[0] : undefined;
      if (at !== undefined) this.scroller.scrollTop = at - anchor.offset;
    }
    this.renderHeader();
    this.renderBanner();
    this.renderFilters();
    this.renderHits();
    this.renderRows();
    if (this.ui.follow && this.window.reachedEnd && this.visible.length > 0) this.scrollToEnd();
  }

  private renderPosition(first?: number, last?: number): void {
    const firstSeq = first ?? this.window.firstSeq ?? 0;
    const lastSeq = last ?? this.window.lastSeq ?? 0;
    this.overview.update(firstSeq, lastSeq, this.window.total);
    this.position.textContent = this.window.total > 0 ? `${firstSeq.toLocaleString()}–${lastSeq.toLocaleString()} of ${this.window.total.toLocaleString()}` : '';
  }

  private renderHeader(): void {
    renderHeader(this.header, this.session, this.entries, this.viewers);
  }

  /** The banner's once-a-second countdown while reconnecting: one timer, however often it is rendered. */
  private countdown: ReturnType<typeof setTimeout> | undefined;

  private renderBanner(): void {
    clearTimeout(this.countdown);
    this.countdown = undefined;
    if (renderBanner(this.banner, this.connection, Date.now() + this.clockSkew) > 0) this.countdown = setTimeout(() => this.renderBanner(), 1000);
  }

  private renderFilters(): void {
    const local = counts(this.entries);
    const c = this.serverCounts ? { ...local, ...this.serverCounts } : local;
    this.filters.replaceChildren(
      ...KINDS.filter((k) => c[k] > 0 || k !== 'malformed').map((k) => {
        const on = !this.ui.hidden.includes(k);
        const b = h('button', { class: 'filter', type: 'button', 'aria-pressed': String(on), title: `${on ? 'Hide' : 'Show'} ${KIND_LABELS[k]} events` }, h('span', { class: `dot dot-${k}`, 'aria-hidden': 'true' }), `${KIND_LABELS[k]} ${c[k]}`);
        b.addEventListener('click', () => this.toggleKind(k));
        return b;
      }),
    );
  }

  private renderHits(): void {
    if (!this.server.failed) return void (this.hitLabel.textContent = this.server.label());
    this.hitLabel.textContent = this.ui.search.trim() ? (this.hits.length ? `${this.hitIndex >= 0 ? this.hitIndex + 1 : 0}/${this.hits.length} loaded` : 'No matches loaded') : '';
    this.hitLabel.title = `Searching only what is loaded: ${this.server.failed}`;
  }

  /**
   * The virtualizer reports every scroll and every measured size; rows are painted once per frame.
   * A change reported while painting (a measured size moved the rows) gets one more pass at once,
   * instead of re-entering the paint from inside `measureElement` for every row.
   */
  private scheduleRows(): void {
    if (this.rendering) this.rerender = true;
    else this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.renderRows();
    });
  }

  private renderRows(): void {
    this.rendering = true;
    try {
      for (let pass = 0; pass < 3; pass++) {
        this.rerender = false;
        this.paintRows();
        if (!this.rerender) break;
      }
    } finally {
      this.rendering = false;
    }
  }

  private paintRows(): void {
    const items = this.virtualizer.getVirtualItems();
    this.inner.style.height = `${this.virtualizer.getTotalSize()}px`;
    const now = Date.now() + this.clockSkew;
    const rows: HTMLElement[] = [];
    for (const item of items) {
      const entry = this.visible[item.index];
      if (!entry) continue;
      const key = keyOf(entry, item.index);
      const expanded = this.ui.expanded.includes(key) !== (this.ui.expandAll ?? false);
      const cacheKey = `${key}|${this.ui.search}|${expanded}|${this.comments.version(key)}`;
      let cached = this.cache.get(cacheKey);
      if (!cached || cached.version !== this.version) {
        const el = renderRow(entry, { query: this.ui.search, now, expanded });
        const thread = entry.kind === 'event' ? this.comments.thread(entry.event.id, now) : null;
        if (thread) el.querySelector('.content')!.append(thread);
        cached = { version: this.version, el };
        this.cache.set(cacheKey, cached);
      }
      const el = cached.el;
      el.dataset.index = String(item.index);
      el.dataset.key = key;
      el.style.transform = `translateY(${item.start}px)`;
      el.classList.toggle('selected', item.index === this.selected);
      el.classList.toggle('in-selection', this.anchor >= 0 && item.index >= Math.min(this.anchor, this.selected) && item.index <= Math.max(this.anchor, this.selected));
      el.classList.toggle('hit', this.server.failed ? this.hits[this.hitIndex] === item.index : this.server.index >= 0 && seqOf(entry) === this.server.hits[this.server.index]?.seq);
      el.classList.toggle('revealed', key === this.flashKey);
      el.classList.toggle('first-unread', key === this.firstUnread);
      rows.push(el);
    }
    // The highest event wholly on screen moves the user's read marker (the host saves it).
    const seen = highestRead(items, this.visible, this.scroller.scrollTop + this.scroller.clientHeight + 1);
    if (seen > this.postedRead && this.scroller.clientHeight > 0) postTimeline({ type: 'read', seq: (this.postedRead = seen) });
    for (const el of placeInOrder(this.inner, rows)) this.virtualizer.measureElement(el);
    if (this.cache.size > 2000) this.cache.clear();
    const top = this.scroller.scrollTop;
    const bottom = top + this.scroller.clientHeight;
    const onScreen = items.filter((i) => i.end > top && i.start < bottom);
    const firstOn = onScreen[0] ? seqOf(this.visible[onScreen[0].index]!) : undefined;
    const lastOn = onScreen.at(-1) ? seqOf(this.visible[onScreen.at(-1)!.index]!) : undefined;
    this.renderPosition(firstOn, lastOn);
    if (items.length > 0) this.loadMore(items[0]!.index, items.at(-1)!.index);
  }

  private onScroll(): void {
    const atBottom = this.scroller.scrollTop + this.scroller.clientHeight >= this.scroller.scrollHeight - 24;
    // At the bottom of what is held follows live only when that is the session's end.
    if (atBottom && !this.ui.follow && this.window.reachedEnd && this.target === undefined) this.setFollow(true);
    else if (!atBottom && this.ui.follow && this.virtualizer.isScrolling) this.setFollow(false, false);
    this.ui.scrollTop = this.scroller.scrollTop;
    this.persist();
  }

  /** The bottom of the list; cheaper than scrollToIndex, which re-measures unmeasured rows. */
  private scrollToEnd(): void {
    this.scroller.scrollTop = this.virtualizer.getTotalSize();
  }

  private setFollow(on: boolean, scroll = true): void {
    if (on && !this.window.reachedEnd) return this.jumpToEnd();
    this.ui.follow = on;
    this.followButton.setAttribute('aria-pressed', String(on));
    if (on) {
      this.unseen = 0;
      this.pill.hidden = true;
      if (scroll && this.visible.length) this.scrollToEnd();
    }
    this.persist();
  }

  private toggleKind(kind: EntryKind): void {
    const anchor = this.anchorRow();
    const at = anchor ? seqOf(this.visible.find((e, i) => keyOf(e, i) === anchor.key)!) : undefined;
    this.ui.hidden = this.ui.hidden.includes(kind) ? this.ui.hidden.filter((k) => k !== kind) : [...this.ui.hidden, kind];
    this.persist();
    if (this.ui.search.trim()) this.server.start(this.ui.search);
    // What is held is the whole session with every type: filtered here. Otherwise the filters apply
    // to the whole session on the server: the part around where the list was, anew.
    if (kind === 'malformed' || (this.windowTypes === undefined && this.window.reachedStart && this.window.reachedEnd)) return this.refresh();
    if (this.ui.follow && this.window.reachedEnd) {
      this.request('before', Number.MAX_SAFE_INTEGER, (page) => {
        this.replaceWindow({ ...page, reachedEnd: true });
        this.refresh();
      });
    } else {
      this.request('around', at ?? 1, (page) => {
        this.replaceWindow(page);
        this.refresh();
        if (at !== undefined) this.jumpTo(at, false);
      });
    }
  }

  /** A page from the host takes the place of what is held (read with the filters of now). */
  private replaceWindow(page: { entries: TimelineEntry[]; reachedStart: boolean; reachedEnd: boolean; total: number }): void {
    this.window.replace(page);
    this.windowTypes = this.types();
  }

  private setExpandAll(on: boolean): void {
    this.ui.expandAll = on;
    this.ui.expanded = [];
    this.persist();
    this.version++;
    this.renderRows();
  }

  /** The selection (or the selected event) as Markdown to the clipboard; with nothing selected, the whole session (the host reads it). */
  private copyMarkdown(): void {
    if (this.selected < 0) return void postTimeline({ type: 'copySessionMarkdown' });
    const from = this.anchor >= 0 ? Math.min(this.anchor, this.selected) : this.selected;
    const to = this.anchor >= 0 ? Math.max(this.anchor, this.selected) : this.selected;
    const picked = this.visible.slice(from, to + 1);
    postTimeline({ type: 'copy', text: sessionMarkdown(picked), what: `${picked.length} event${picked.length === 1 ? '' : 's'} as Markdown` });
  }

  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  private setSearch(query: string): void {
    this.ui.search = query;
    this.hitIndex = -1;
    this.persist();
    clearTimeout(this.searchTimer);
    // The server searches the whole session once typing pauses; the rows highlight at once.
    this.searchTimer = setTimeout(() => this.server.start(query), 200);
    this.refresh();
    if (this.server.failed && this.hits.length) this.nextHit(1);
  }

  private nextHit(direction: 1 | -1): void {
    if (!this.server.failed) {
      const i = this.server.step(direction);
      if (i !== undefined) this.goToHit(i);
      this.renderHits();
      return;
    }
    if (!this.hits.length) return;
    this.hitIndex = (this.hitIndex + direction + this.hits.length) % this.hits.length;
    this.setFollow(false, false);
    this.select(this.hits[this.hitIndex]!);
    this.renderHits();
  }

  /** A server hit: shown where it is in the session (its page loaded when it is not held). */
  private goToHit(index: number): void {
    const hit = this.server.hits[index];
    if (!hit) return;
    this.renderHits();
    this.jumpTo(hit.seq, false);
  }

  private select(index: number, align: 'auto' | 'start' | 'center' = 'auto', extend = false, jump = false): void {
    if (!this.visible.length) return;
    if (extend && this.anchor < 0) this.anchor = Math.max(0, this.selected);
    if (!extend) this.anchor = -1;
    this.selected = Math.max(0, Math.min(this.visible.length - 1, index));
    // After a jump the rows are new: put the scroll there at once (the virtualizer's own scroll
    // settles over frames, while the edges already ask for more pages from the old position).
    const at = jump ? this.virtualizer.getOffsetForIndex(this.selected, align === 'auto' ? 'center' : align)?.[0] : undefined;
    if (at !== undefined) this.scroller.scrollTop = at;
    else this.virtualizer.scrollToIndex(this.selected, { align });
    this.renderRows();
  }

  private scrollToEntry(entry: TimelineEntry, align: 'start' | 'center'): void {
    const index = this.visible.indexOf(entry);
    if (index >= 0) this.virtualizer.scrollToIndex(index, { align });
  }

  private onListClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('.row');
    if (!row) return;
    const entry = this.visible[Number(row.dataset.index)];
    if (e.shiftKey && this.selected >= 0 && !target.closest('button, a')) {
      if (this.anchor < 0) this.anchor = this.selected;
    } else if (!target.closest('button, a')) this.anchor = -1;
    this.selected = Number(row.dataset.index);
    this.flashKey = undefined;
    if (entry && this.comments.onClick(target, entry.kind === 'event' ? entry.event.id : undefined, row.getAttribute('aria-label') ?? 'the event')) return;
    const link = target.closest<HTMLElement>('[data-open]');
    const diff = target.closest<HTMLElement>('[data-diff]');
    if (diff) {
      postTimeline({ type: 'openDiff', eventId: diff.dataset.diff! });
    } else if (link) {
      e.preventDefault();
      postTimeline({ type: 'openFile', path: link.dataset.open!, mode: e.altKey ? 'diff' : 'preview' });
    } else if (target.closest('[data-copy]') && entry) {
      postTimeline({ type: 'copy', text: JSON.stringify(entry.kind === 'event' ? entry.event : entry.malformed, null, 2) });
    } else if (target.closest('[data-markdown]') && entry) {
      postTimeline({ type: 'copy', text: sessionMarkdown([entry]), what: 'The event as Markdown' });
    } else if (target.closest('[data-link]')) {
      postTimeline({ type: 'copyLink', seq: Number(target.closest<HTMLElement>('[data-link]')!.dataset.link) });
    } else if (target.closest('[data-toggle]')) {
      const key = row.dataset.key!;
      this.ui.expanded = this.ui.expanded.includes(key) ? this.ui.expanded.filter((k) => k !== key) : [...this.ui.expanded, key];
      this.persist();
    }
    this.renderRows();
  }

  private onKey(e: KeyboardEvent): void {
    const inField = (e.target as HTMLElement).closest('vscode-textfield, input, select, textarea, vscode-button');
    if (e.key === '/' && !inField) {
      e.preventDefault();
      this.search.focus();
    } else if (inField) {
      return;
    } else if (e.key === 'j' || e.key === 'J' || e.key === 'ArrowDown') {
      e.preventDefault();
      this.setFollow(false, false);
      this.select(this.selected + 1, 'auto', e.shiftKey);
    } else if (e.key === 'k' || e.key === 'K' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.setFollow(false, false);
      this.select(this.selected < 0 ? this.visible.length - 1 : this.selected - 1, 'auto', e.shiftKey);
    } else if (e.key === 'm') {
      e.preventDefault();
      this.copyMarkdown();
    } else if (e.key === 'Home') {
      e.preventDefault();
      this.jumpToStart();
    } else if (e.key === 'Enter' && this.selected >= 0) {
      const path = this.inner.querySelector<HTMLElement>(`.row[data-index="${this.selected}"] [data-open]`)?.dataset.open;
      if (path) postTimeline({ type: 'openFile', path, mode: 'preview' });
    } else if (e.key === 'c' && this.selected >= 0) {
      e.preventDefault();
      const row = this.inner.querySelector<HTMLElement>(`.row[data-index="${this.selected}"] [data-comment]`);
      row?.click();
    } else if (e.key === 'End') {
      this.jumpToEnd();
    }
  }

  private announce(text: string): void {
    this.live.textContent = text;
  }

  private persist(change: Partial<UiState> = {}): void {
    Object.assign(this.ui, change);
    saveState(this.ui);
  }
}
