// The timeline app: header (title, state, connection banner, counts as filter toggles, elapsed,
// tokens), toolbars (toolbar.ts) and the list of rows (rowList.ts). Keyboard: j/k move, Enter opens
// the file, / searches, Esc clears. A session of any length: the list holds a window of it that
// pages in from the host as it scrolls and lets the far end go (paging.ts); the overview bar shows
// where that is in the whole session; search and the type filters apply to the whole session on
// the server (docs/long-sessions.md).
import type { ConnectionState, ViewerView } from '../src/shared/connection';
import { insertInOrder, seqOf, type TimelineEntry } from '../src/shared/entries';
import { SESSION_EVENT_TYPES, type SessionEventType } from '../src/shared/events';
import { sessionMarkdown } from '../src/shared/markdown';
import { decodeEntries, isTimelineHostMessage, type SessionView, type TimelineHostMessage } from '../src/shared/timelineProtocol';
import { Comments } from './comments';
import { onKey, onListClick, type InputTarget } from './input';
import { h } from './dom';
import { renderBanner, renderHeader } from './header';
import { renderSteering } from './steering';
import { counts, INITIAL_UI, KIND_LABELS, KINDS, keyOf, visibleEntries, type EntryKind, type UiState } from './model';
import { highestRead, unreadSince } from './readMarker';
import { Replay } from './replay';
import { renderRow } from './rows';
import { OverviewBar } from './overview';
import { SearchBox } from './searchBox';
import { Paging } from './paging';
import { RowList, type Anchor } from './rowList';
import { toolbars } from './toolbar';
import type { SessionWindow } from './window';
import { loadState, onHostMessage, postTimeline, saveState } from './vscodeApi';

export class Timeline {
  private readonly paging: Paging;
  private get window(): SessionWindow {
    return this.paging.window;
  }
  private get entries(): TimelineEntry[] {
    return this.window.entries;
  }
  /** Events per type in the whole session (the host counts them), kept up with live events. */
  private serverCounts: Partial<Record<SessionEventType, number>> | undefined;
  private flashKey: string | undefined;
  /** The other end of a Shift selection (index into `visible`). */
  private anchor = -1;
  private readonly overview = new OverviewBar((seq) => this.paging.jumpTo(seq, false));
  private readonly position = h('span', { class: 'position muted', 'aria-live': 'off' });
  private readonly list: RowList;
  private get visible(): TimelineEntry[] {
    return this.list.visible;
  }
  private selected = -1;
  private session: SessionView | undefined;
  private connection: ConnectionState = { state: 'joining', attempt: 0 };
  private viewers: ViewerView[] = [];
  private clockSkew = 0;
  private ui: UiState;
  private unseen = 0;
  private readonly replay = new Replay(() => this.entries, () => this.refresh(), () => this.setFollow(true));
  private restoredScroll = false;

  private readonly header = h('header', { class: 'header' });
  private readonly banner = h('div', { class: 'banner', role: 'status' });
  private readonly steer = h('div', { class: 'steer', hidden: '' });
  private readonly filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Filter by event type' });
  private readonly search: SearchBox;
  private readonly followButton = h('button', { class: 'toggle', type: 'button', 'aria-pressed': 'true', title: 'Follow new events' }, 'Follow live');
  private readonly pill = h('button', { class: 'pill', type: 'button', hidden: '' });
  private readonly live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  private readonly comments = new Comments(() => this.list.schedule(), (draft) => this.persist({ draft }), () => this.list.scroller.focus());
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
    this.list = new RowList({
      signature: (key) => `${this.ui.search}|${this.expanded(key)}|${this.comments.version(key)}`,
      render: (entry, key) => {
        const now = Date.now() + this.clockSkew;
        const el = renderRow(entry, { query: this.ui.search, now, expanded: this.expanded(key) });
        const thread = entry.kind === 'event' ? this.comments.thread(entry.event.id, now) : null;
        if (thread) el.querySelector('.content')!.append(thread);
        return el;
      },
      decorate: (el, entry, index, key) => {
        el.classList.toggle('selected', index === this.selected);
        el.classList.toggle('in-selection', this.anchor >= 0 && index >= Math.min(this.anchor, this.selected) && index <= Math.max(this.anchor, this.selected));
        el.classList.toggle('hit', this.search.isHit(entry, index));
        el.classList.toggle('revealed', key === this.flashKey);
        el.classList.toggle('first-unread', key === this.firstUnread);
      },
      painted: (items, onScreen) => this.painted(items, onScreen),
    });
    const ui = this.ui;
    this.search = new SearchBox({
      get query() { return ui.search; },
      set query(q) { ui.search = q; },
      persist: () => this.persist(),
      refresh: () => this.refresh(),
      visible: () => this.visible,
      types: () => this.types(),
      select: (index) => this.select(index),
      setFollow: (on, scroll) => this.setFollow(on, scroll),
      jumpTo: (seq) => this.paging.jumpTo(seq, false),
    });
    this.paging = new Paging({
      types: () => this.types(),
      visible: () => this.visible,
      anchor: () => this.list.anchor(),
      refresh: (anchor) => this.refresh(anchor),
      land: (index, align) => this.select(index, align, false, true),
      setFollow: (on, scroll) => this.setFollow(on, scroll),
      reveal: (key) => (this.flashKey = key),
      scrollToTop: () => (this.list.scroller.scrollTop = 0),
      replaying: () => this.replay.at !== undefined,
      announce: (text) => this.announce(text),
      caughtUp: () => (this.unseen = 0),
      repaint: () => this.list.render(),
    });
  }

  /** What the mouse and the keyboard act on (input.ts). */
  private input(): InputTarget {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the accessors below read and set the timeline's own fields
    const self = this;
    return {
      get visible() { return self.visible; },
      get selected() { return self.selected; },
      set selected(v) { self.selected = v; },
      get anchor() { return self.anchor; },
      set anchor(v) { self.anchor = v; },
      get flashKey() { return self.flashKey; },
      set flashKey(v) { self.flashKey = v; },
      ui: this.ui,
      comments: this.comments,
      inner: this.list.inner,
      persist: () => this.persist(),
      repaint: () => this.list.render(),
      focusSearch: () => this.search.focus(),
      setFollow: (on, scroll) => this.setFollow(on, scroll),
      select: (index, align, extend) => this.select(index, align, extend),
      copyMarkdown: () => this.copyMarkdown(),
      jumpToStart: () => this.paging.jumpToStart(),
      jumpToEnd: () => this.paging.jumpToEnd(),
    };
  }

  private expanded(key: string): boolean {
    return this.ui.expanded.includes(key) !== (this.ui.expandAll ?? false);
  }

  start(): void {
    this.layout();
    this.persist(); // the session id, so VS Code can restore this panel after a reload
    this.list.mount();
    onHostMessage((m) => this.onMessage(m), isTimelineHostMessage);
    postTimeline({ type: 'ready' });
    setInterval(() => {
      this.list.invalidate();
      this.list.render();
      this.renderBanner();
    }, 30_000);
  }

  private layout(): void {
    this.followButton.addEventListener('click', () => this.setFollow(!this.ui.follow));
    this.pill.addEventListener('click', () => this.setFollow(true));
    const bars = toolbars({
      search: this.search.field,
      hitLabel: this.search.label,
      followButton: this.followButton,
      position: this.position,
      replay: [this.replay.playButton, this.replay.speedSelect, this.replay.scrub],
      nextHit: (d) => this.search.next(d),
      jumpToStart: () => this.paging.jumpToStart(),
      jumpToEnd: () => this.paging.jumpToEnd(),
      expandAll: (on) => this.setExpandAll(on),
      copyMarkdown: () => this.copyMarkdown(),
    });
    const list = h('div', { class: 'list-area' }, this.list.scroller, this.overview.el);
    this.root.append(this.header, this.steer, this.banner, this.filters, ...bars, this.search.results, list, this.comments.composer, this.pill, this.live);
    this.list.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    const input = this.input();
    this.list.scroller.addEventListener('click', (e) => onListClick(input, e));
    document.addEventListener('keydown', (e) => onKey(input, e));
  }

  private onMessage(m: TimelineHostMessage): void {
    switch (m.type) {
      case 'init':
        this.session = m.session;
        this.paging.replace({ entries: decodeEntries(m.entries), reachedStart: m.reachedStart ?? true, reachedEnd: true, total: m.total ?? 0 });
        this.connection = m.connection;
        this.viewers = m.viewers;
        this.clockSkew = m.now - Date.now();
        this.comments.reset(m.annotations, m.me);
        renderSteering(this.steer, this.session);
        if (this.restoredScroll) this.refresh();
        else this.firstShow(m.readSeq);
        break;
      case 'annotations':
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
      case 'counts':
        this.serverCounts = m.counts;
        this.renderFilters();
        break;
      case 'reveal':
        this.paging.jumpTo(m.seq, true);
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
      this.paging.around(readSeq + 1, () => {
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
      if (index >= 0) this.list.scrollTo(index, 'start');
      this.announce(`${news.length} new event${news.length === 1 ? '' : 's'} since you last looked.`);
    } else if (this.restoring && !this.ui.follow) this.list.scroller.scrollTop = this.ui.scrollTop;
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

  private refresh(anchor?: Anchor): void {
    // The selection is kept by its events, not their places: pages coming in above move them.
    const selectedKey = this.visible[this.selected] ? keyOf(this.visible[this.selected]!, this.selected) : undefined;
    const anchorKey = this.visible[this.anchor] ? keyOf(this.visible[this.anchor]!, this.anchor) : undefined;
    this.list.show(visibleEntries(this.entries, this.ui.hidden, this.replay.at), anchor);
    if (selectedKey !== undefined) this.selected = this.list.indexOfKey(selectedKey);
    if (anchorKey !== undefined) this.anchor = this.list.indexOfKey(anchorKey);
    this.search.relist(this.visible);
    this.renderHeader();
    this.renderBanner();
    this.renderFilters();
    this.search.render();
    this.list.render();
    if (this.ui.follow && this.window.reachedEnd && this.visible.length > 0) this.list.scrollToEnd();
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

  /** After each paint: the read marker, the position, and pages near either end. */
  private painted(items: ReadonlyArray<{ index: number; end: number }>, onScreen: { first?: number; last?: number }): void {
    const scroller = this.list.scroller;
    // The highest event wholly on screen moves the user's read marker (the host saves it).
    const seen = highestRead(items, this.visible, scroller.scrollTop + scroller.clientHeight + 1);
    if (seen > this.postedRead && scroller.clientHeight > 0) postTimeline({ type: 'read', seq: (this.postedRead = seen) });
    const seqAt = (i: number | undefined) => (i === undefined ? undefined : seqOf(this.visible[i]!));
    this.renderPosition(seqAt(onScreen.first), seqAt(onScreen.last));
    if (items.length > 0) this.paging.edges(items[0]!.index, items.at(-1)!.index);
  }

  private onScroll(): void {
    const scroller = this.list.scroller;
    const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 24;
    // At the bottom of what is held follows live only when that is the session's end.
    if (atBottom && !this.ui.follow && this.window.reachedEnd && !this.paging.targeting) this.setFollow(true);
    else if (!atBottom && this.ui.follow && this.list.isScrolling) this.setFollow(false, false);
    this.ui.scrollTop = scroller.scrollTop;
    this.persist();
  }

  private setFollow(on: boolean, scroll = true): void {
    if (on && !this.window.reachedEnd) return this.paging.jumpToEnd();
    this.ui.follow = on;
    this.followButton.setAttribute('aria-pressed', String(on));
    if (on) {
      this.unseen = 0;
      this.pill.hidden = true;
      if (scroll && this.visible.length) this.list.scrollToEnd();
    }
    this.persist();
  }

  private toggleKind(kind: EntryKind): void {
    const anchor = this.list.anchor();
    const at = anchor ? seqOf(this.visible[this.list.indexOfKey(anchor.key)]!) : undefined;
    this.ui.hidden = this.ui.hidden.includes(kind) ? this.ui.hidden.filter((k) => k !== kind) : [...this.ui.hidden, kind];
    this.persist();
    this.search.restart();
    // What is held is the whole session with every type: filtered here. Otherwise the filters apply
    // to the whole session on the server: the part around where the list was, anew.
    if (kind === 'malformed' || this.paging.holdsAll) return this.refresh();
    this.paging.reload(at, this.ui.follow && this.window.reachedEnd);
  }

  private setExpandAll(on: boolean): void {
    this.ui.expandAll = on;
    this.ui.expanded = [];
    this.persist();
    this.list.invalidate();
    this.list.render();
  }

  /** The selection (or the selected event) as Markdown to the clipboard; with nothing selected, the whole session (the host reads it). */
  private copyMarkdown(): void {
    if (this.selected < 0) return void postTimeline({ type: 'copySessionMarkdown' });
    const from = this.anchor >= 0 ? Math.min(this.anchor, this.selected) : this.selected;
    const to = this.anchor >= 0 ? Math.max(this.anchor, this.selected) : this.selected;
    const picked = this.visible.slice(from, to + 1);
    postTimeline({ type: 'copy', text: sessionMarkdown(picked), what: `${picked.length} event${picked.length === 1 ? '' : 's'} as Markdown` });
  }

  private select(index: number, align: 'auto' | 'start' | 'center' = 'auto', extend = false, jump = false): void {
    if (!this.visible.length) return;
    if (extend && this.anchor < 0) this.anchor = Math.max(0, this.selected);
    if (!extend) this.anchor = -1;
    this.selected = Math.max(0, Math.min(this.visible.length - 1, index));
    this.list.scrollTo(this.selected, align, jump);
    this.list.render();
  }

  private scrollToEntry(entry: TimelineEntry, align: 'start' | 'center'): void {
    const index = this.visible.indexOf(entry);
    if (index >= 0) this.list.scrollTo(index, align);
  }

  private announce(text: string): void {
    this.live.textContent = text;
  }

  private persist(change: Partial<UiState> = {}): void {
    Object.assign(this.ui, change);
    saveState(this.ui);
  }
}
