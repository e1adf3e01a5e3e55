// The timeline's search box: the whole session searched on the server once typing pauses (hits in
// order, next / previous loading the part of the session around one), the rows highlighting the
// query at once; and, where the project cannot search on the server, next / previous through what
// the list holds.
import type { TimelineEntry } from '../src/shared/entries';
import { seqOf } from '../src/shared/entries';
import type { SessionEventType } from '../src/shared/events';
import { searchRequest } from '../src/shared/timelineProtocol';
import { h } from './dom';
import { request } from './hostRequests';
import { matches } from './model';
import { ServerSearch } from './serverSearch';

export interface SearchView {
  /** The query kept in the view's state. */
  query: string;
  persist(): void;
  refresh(): void;
  visible(): readonly TimelineEntry[];
  types(): SessionEventType[] | undefined;
  select(index: number): void;
  setFollow(on: boolean, scroll?: boolean): void;
  jumpTo(seq: number): void;
}

export class SearchBox {
  readonly field = h('vscode-textfield', { placeholder: 'Search commands, output, paths, messages (/)', 'aria-label': 'Search events', class: 'search' }) as HTMLElement & { value: string };
  readonly label = h('span', { class: 'hits', 'aria-live': 'off' });
  private readonly server: ServerSearch;
  /** Where the server cannot search: the indexes of the held rows that match. */
  private local: number[] = [];
  private localIndex = -1;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly view: SearchView) {
    this.server = new ServerSearch(
      (query, after) => request(searchRequest, { query, types: view.types(), after }),
      (i) => this.goTo(i),
      () => this.answered(),
    );
    this.field.value = view.query;
    this.field.addEventListener('input', () => this.set(this.field.value));
    this.field.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.next(e.shiftKey ? -1 : 1);
      if (e.key === 'Escape') this.set((this.field.value = ''));
    });
  }

  /** The list of results in the whole session. */
  get results(): HTMLElement {
    return this.server.list;
  }

  focus(): void {
    this.field.focus();
  }

  /** Searches again (the filters changed). */
  restart(): void {
    if (this.view.query.trim()) this.server.start(this.view.query);
  }

  /** The rows changed: the held matches anew, where the server cannot search. */
  relist(visible: readonly TimelineEntry[]): void {
    this.local = this.server.failed ? matches(visible, this.view.query) : [];
  }

  /** Whether row `index` is the current hit. */
  isHit(entry: TimelineEntry, index: number): boolean {
    if (this.server.failed) return this.local[this.localIndex] === index;
    return this.server.index >= 0 && seqOf(entry) === this.server.hits[this.server.index]?.seq;
  }

  /** The server's answer (or its failure) to the current query is in. */
  private answered(): void {
    if (this.server.failed) this.view.refresh();
    else if (this.server.index < 0 && this.server.hits.length > 0) this.next(1);
    this.render();
  }

  private set(query: string): void {
    this.view.query = query;
    this.localIndex = -1;
    this.view.persist();
    clearTimeout(this.timer);
    // The server searches the whole session once typing pauses; the rows highlight at once.
    this.timer = setTimeout(() => this.server.start(query), 200);
    this.view.refresh();
    if (this.server.failed && this.local.length) this.next(1);
  }

  next(direction: 1 | -1): void {
    if (!this.server.failed) {
      const i = this.server.step(direction);
      if (i !== undefined) this.goTo(i);
      this.render();
      return;
    }
    if (!this.local.length) return;
    this.localIndex = (this.localIndex + direction + this.local.length) % this.local.length;
    this.view.setFollow(false, false);
    this.view.select(this.local[this.localIndex]!);
    this.render();
  }

  /** A server hit: shown where it is in the session (its page loaded when it is not held). */
  private goTo(index: number): void {
    const hit = this.server.hits[index];
    if (!hit) return;
    this.render();
    this.view.jumpTo(hit.seq);
  }

  render(): void {
    if (!this.server.failed) return void (this.label.textContent = this.server.label());
    this.label.textContent = this.view.query.trim() ? (this.local.length ? `${this.localIndex >= 0 ? this.localIndex + 1 : 0}/${this.local.length} loaded` : 'No matches loaded') : '';
    this.label.title = `Searching only what is loaded: ${this.server.failed}`;
  }
}
