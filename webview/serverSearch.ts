// Search over the whole session, on the server: the hits in order (with where they are and a
// snippet), the count ("1,204 results", "10,000+"), next / previous through them — asking the host
// for the next batch past the last one held — and the list of results to pick from. When the
// project cannot search on the server, the timeline searches what it holds instead (`failed`).
import type { SearchResultsMessage } from '../src/shared/timelineProtocol';
import { h } from './dom';

export type Hit = SearchResultsMessage['hits'][number];

export class ServerSearch {
  query = '';
  hits: Hit[] = [];
  total = 0;
  capped = false;
  more = false;
  index = -1;
  /** The server could not search (the message says why); the timeline searches locally. */
  failed: string | undefined;
  private pendingId: string | undefined;
  readonly list = h('details', { class: 'results', hidden: '' });
  private readonly summary = h('summary', {});
  private readonly items = h('ol', { class: 'result-list' });

  constructor(
    private readonly ask: (requestId: string, query: string, after?: number) => void,
    private readonly pick: (index: number) => void,
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
    this.pendingId = undefined;
    if (query.trim()) {
      this.pendingId = `s${Math.random().toString(36).slice(2)}`;
      this.ask(this.pendingId, query.trim());
    }
    this.render();
  }

  /** An answer: true when it is for the current query (a late answer to an old one is dropped). */
  receive(m: SearchResultsMessage): boolean {
    if (m.requestId !== this.pendingId) return false;
    this.pendingId = undefined;
    if (m.error) this.failed = m.error;
    this.hits.push(...m.hits.filter((h) => h.seq > (this.hits.at(-1)?.seq ?? 0)));
    if (m.total) this.total = m.total;
    this.capped ||= m.capped;
    this.more = m.more;
    this.render();
    return true;
  }

  /** The next or previous hit's index, asking for the next batch when the end of the held ones is reached. */
  step(direction: 1 | -1): number | undefined {
    if (this.hits.length === 0) return undefined;
    if (direction === 1 && this.index === this.hits.length - 1 && this.more) {
      if (!this.pendingId) {
        this.pendingId = `s${Math.random().toString(36).slice(2)}`;
        this.ask(this.pendingId, this.query.trim(), this.hits.at(-1)!.seq);
      }
      return undefined;
    }
    this.index = (this.index + direction + this.hits.length) % this.hits.length;
    this.render();
    return this.index;
  }

  label(): string {
    if (!this.query.trim()) return '';
    if (this.pendingId && this.hits.length === 0) return 'Searching…';
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
