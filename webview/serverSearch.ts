// Search over the whole session, on the server: the hits in order (with where they are and a
// snippet), the count ("1,204 results", "10,000+"), next / previous through them — asking the host
// for the next batch past the last one held — and the list of results to pick from. When the
// project cannot search on the server (the request fails), the timeline searches what it holds
// instead (`failed`). A late answer to an earlier query is dropped.
import type { SearchResult } from '../src/shared/timelineProtocol';
import { h } from './dom';

export type Hit = SearchResult['hits'][number];

export class ServerSearch {
  query = '';
  hits: Hit[] = [];
  total = 0;
  capped = false;
  more = false;
  index = -1;
  /** The server could not search (the message says why); the timeline searches locally. */
  failed: string | undefined;
  /** The request waited for; an answer to any other is late. */
  private asking: Promise<SearchResult> | undefined;
  readonly list = h('details', { class: 'results', hidden: '' });
  private readonly summary = h('summary', {});
  private readonly items = h('ol', { class: 'result-list' });

  constructor(
    private readonly ask: (query: string, after?: number) => Promise<SearchResult>,
    private readonly pick: (index: number) => void,
    /** An answer (or the failure) for the current query is in. */
    private readonly answered: () => void,
  ) {
    this.list.append(this.summary, this.items);
  }

  /** A new query: asks the host; an empty one clears. */
  start(query: string): void {
    this.query = query;
    this.hits = [];
    this.total = 0;
    this.capped = false;
    this.more = false;
    this.index = -1;
    this.failed = undefined;
    this.asking = undefined;
    if (query.trim()) this.fetch(query.trim());
    this.render();
  }

  private fetch(query: string, after?: number): void {
    const asking = this.ask(query, after);
    this.asking = asking;
    asking.then(
      (m) => {
        if (this.asking !== asking) return;
        this.asking = undefined;
        this.hits.push(...m.hits.filter((h) => h.seq > (this.hits.at(-1)?.seq ?? 0)));
        if (m.total) this.total = m.total;
        this.capped ||= m.capped;
        this.more = m.more;
        this.render();
        this.answered();
      },
      (error: Error) => {
        if (this.asking !== asking) return;
        this.asking = undefined;
        this.failed = error.message;
        this.more = false;
        this.render();
        this.answered();
      },
    );
  }

  /** The next or previous hit's index, asking for the next batch when the end of the held ones is reached. */
  step(direction: 1 | -1): number | undefined {
    if (this.hits.length === 0) return undefined;
    if (direction === 1 && this.index === this.hits.length - 1 && this.more) {
      if (!this.asking) this.fetch(this.query.trim(), this.hits.at(-1)!.seq);
      return undefined;
    }
    this.index = (this.index + direction + this.hits.length) % this.hits.length;
    this.render();
    return this.index;
  }

  label(): string {
    if (!this.query.trim()) return '';
    if (this.asking && this.hits.length === 0) return 'Searching…';
    if (this.hits.length === 0) return 'No matches';
    return `${this.index >= 0 ? (this.index + 1).toLocaleString() : 0}/${this.total.toLocaleString()}${this.capped ? '+' : ''}`;
  }

  private render(): void {
    this.list.hidden = this.hits.length === 0;
    this.summary.textContent = `${this.total.toLocaleString()}${this.capped ? '+' : ''} result${this.total === 1 ? '' : 's'} in the whole session`;
    this.items.replaceChildren(
      ...this.hits.slice(0, 500).map((hit, i) => {
        const b = h('button', { type: 'button', class: `result${i === this.index ? ' current' : ''}`, 'data-result': String(i) }, h('span', { class: 'result-seq' }, `#${hit.seq.toLocaleString()}`), ' ', h('span', { class: 'result-type' }, hit.type), ' ', h('span', { class: 'result-snippet' }, hit.snippet.replace(/\s+/g, ' ').slice(0, 160)));
        b.addEventListener('click', () => {
          this.index = i;
          this.render();
          this.pick(i);
        });
        return h('li', {}, b);
      }),
    );
  }
}
