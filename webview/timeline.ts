// The timeline app: header (title, state, connection banner, counts as filter toggles, elapsed,
// tokens), toolbar (search with next/previous, follow-live, replay, export) and a virtualized list
// (@tanstack/virtual-core) of rows. Keyboard: j/k move, Enter opens the file, / searches, Esc clears.
import { elementScroll, measureElement, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import type { ConnectionState, ViewerView } from '../src/shared/connection';
import { insertInOrder, type TimelineEntry } from '../src/shared/entries';
import { decodeEntries, isTimelineHostMessage, type SessionView, type TimelineHostMessage } from '../src/shared/timelineProtocol';
import { Comments } from './comments';
import { h, placeInOrder } from './dom';
import { renderBanner, renderHeader } from './header';
import { renderSteering } from './steering';
import { counts, INITIAL_UI, KIND_LABELS, KINDS, keyOf, matches, visibleEntries, type EntryKind, type UiState } from './model';
import { highestRead, unreadSince } from './readMarker';
import { Replay } from './replay';
import { renderRow } from './rows';
import { loadState, onHostMessage, postTimeline, saveState } from './vscodeApi';

export class Timeline {
  private entries: TimelineEntry[] = [];
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
    const exportButton = h('vscode-button', { secondary: '', title: 'Export the session as JSON Lines' }, 'Export JSONL');
    exportButton.addEventListener('click', () => postTimeline({ type: 'exportJsonl' }));
    this.pill.addEventListener('click', () => this.setFollow(true));
    const toolbar = h('div', { class: 'toolbar' }, this.search, prev, next, this.hitLabel, this.followButton, this.replay.playButton, this.replay.speedSelect, this.replay.scrub, exportButton);
    this.scroller.append(this.inner);
    this.root.append(this.header, this.steer, this.banner, this.filters, toolbar, this.scroller, this.comments.composer, this.pill, this.live);
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.scroller.addEventListener('click', (e) => this.onListClick(e));
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  private onMessage(m: TimelineHostMessage): void {
    switch (m.type) {
      case 'init':
        this.session = m.session;
        this.entries = decodeEntries(m.entries);
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
    // A late commit goes where the stream's log put it; everything else is past the end.
    if (inserted) for (const e of entries) insertInOrder(this.entries, e);
    else this.entries.push(...entries);
    for (const e of entries) {
      if (e.kind === 'event' && e.event.type === 'completion') this.announce(`Session completed: ${e.event.data.message}`);
      if (e.kind === 'event' && e.event.type === 'error') this.announce(`Session error: ${e.event.data.message}`);
    }
    const before = this.visible.length;
    this.refresh();
    const added = this.visible.length - before;
    if (!this.ui.follow && added > 0 && this.replay.at === undefined) {
      this.unseen += added;
      this.pill.textContent = `${this.unseen} new event${this.unseen === 1 ? '' : 's'} ↓`;
      this.pill.hidden = false;
    }
  }

  private refresh(): void {
    this.visible = visibleEntries(this.entries, this.ui.hidden, this.replay.at);
    this.hits = matches(this.visible, this.ui.search);
    this.virtualizer.setOptions({ ...this.virtualizer.options, count: this.visible.length });
    this.virtualizer._willUpdate();
    this.renderHeader();
    this.renderBanner();
    this.renderFilters();
    this.renderHits();
    this.renderRows();
    if (this.ui.follow && this.visible.length > 0) this.scrollToEnd();
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
    const c = counts(this.entries);
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
    this.hitLabel.textContent = this.ui.search.trim() ? (this.hits.length ? `${this.hitIndex >= 0 ? this.hitIndex + 1 : 0}/${this.hits.length}` : 'No matches') : '';
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
      const key = String(item.key);
      const expanded = this.ui.expanded.includes(key);
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
      el.classList.toggle('hit', this.hits[this.hitIndex] === item.index);
      el.classList.toggle('first-unread', key === this.firstUnread);
      rows.push(el);
    }
    // The highest event wholly on screen moves the user's read marker (the host saves it).
    const seen = highestRead(items, this.visible, this.scroller.scrollTop + this.scroller.clientHeight + 1);
    if (seen > this.postedRead && this.scroller.clientHeight > 0) postTimeline({ type: 'read', seq: (this.postedRead = seen) });
    for (const el of placeInOrder(this.inner, rows)) this.virtualizer.measureElement(el);
    if (this.cache.size > 2000) this.cache.clear();
  }

  private onScroll(): void {
    const atBottom = this.scroller.scrollTop + this.scroller.clientHeight >= this.scroller.scrollHeight - 24;
    if (atBottom && !this.ui.follow) this.setFollow(true);
    else if (!atBottom && this.ui.follow && this.virtualizer.isScrolling) this.setFollow(false, false);
    this.ui.scrollTop = this.scroller.scrollTop;
    this.persist();
  }

  /** The bottom of the list; cheaper than scrollToIndex, which re-measures unmeasured rows. */
  private scrollToEnd(): void {
    this.scroller.scrollTop = this.virtualizer.getTotalSize();
  }

  private setFollow(on: boolean, scroll = true): void {
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
    this.ui.hidden = this.ui.hidden.includes(kind) ? this.ui.hidden.filter((k) => k !== kind) : [...this.ui.hidden, kind];
    this.persist();
    this.refresh();
  }

  private setSearch(query: string): void {
    this.ui.search = query;
    this.hitIndex = -1;
    this.persist();
    this.refresh();
    if (this.hits.length) this.nextHit(1);
  }

  private nextHit(direction: 1 | -1): void {
    if (!this.hits.length) return;
    this.hitIndex = (this.hitIndex + direction + this.hits.length) % this.hits.length;
    this.setFollow(false, false);
    this.select(this.hits[this.hitIndex]!);
    this.renderHits();
  }

  private select(index: number): void {
    if (!this.visible.length) return;
    this.selected = Math.max(0, Math.min(this.visible.length - 1, index));
    this.virtualizer.scrollToIndex(this.selected, { align: 'auto' });
    this.renderRows();
  }

  private onListClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const row = target.closest<HTMLElement>('.row');
    if (!row) return;
    const entry = this.visible[Number(row.dataset.index)];
    this.selected = Number(row.dataset.index);
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
    } else if (e.key === 'j' || e.key === 'ArrowDown') {
      e.preventDefault();
      this.setFollow(false, false);
      this.select(this.selected + 1);
    } else if (e.key === 'k' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.setFollow(false, false);
      this.select(this.selected < 0 ? this.visible.length - 1 : this.selected - 1);
    } else if (e.key === 'Enter' && this.selected >= 0) {
      const path = this.inner.querySelector<HTMLElement>(`.row[data-index="${this.selected}"] [data-open]`)?.dataset.open;
      if (path) postTimeline({ type: 'openFile', path, mode: 'preview' });
    } else if (e.key === 'c' && this.selected >= 0) {
      e.preventDefault();
      const row = this.inner.querySelector<HTMLElement>(`.row[data-index="${this.selected}"] [data-comment]`);
      row?.click();
    } else if (e.key === 'End') {
      this.setFollow(true);
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
