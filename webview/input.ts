// What the timeline's list does with the mouse and the keyboard: a click on a row (select, Shift for
// a range, and the row's own links and buttons), and the keys (/ search, j/k move, Shift+j/k extend,
// Enter open, c comment, m Markdown, Home and End jump).
import type { TimelineEntry } from '../src/shared/entries';
import { sessionMarkdown } from '../src/shared/markdown';
import type { Comments } from './comments';
import type { UiState } from './model';
import { postTimeline } from './vscodeApi';

/** The timeline as the handlers see it. */
export interface InputTarget {
  readonly visible: readonly TimelineEntry[];
  selected: number;
  anchor: number;
  flashKey: string | undefined;
  readonly ui: UiState;
  readonly comments: Comments;
  readonly inner: HTMLElement;
  persist(): void;
  repaint(): void;
  focusSearch(): void;
  setFollow(on: boolean, scroll?: boolean): void;
  select(index: number, align?: 'auto' | 'start' | 'center', extend?: boolean): void;
  copyMarkdown(): void;
  jumpToStart(): void;
  jumpToEnd(): void;
}

export function onListClick(t: InputTarget, e: MouseEvent): void {
  const target = e.target as HTMLElement;
  const row = target.closest<HTMLElement>('.row');
  if (!row) return;
  const entry = t.visible[Number(row.dataset.index)];
  if (e.shiftKey && t.selected >= 0 && !target.closest('button, a')) {
    if (t.anchor < 0) t.anchor = t.selected;
  } else if (!target.closest('button, a')) t.anchor = -1;
  t.selected = Number(row.dataset.index);
  t.flashKey = undefined;
  if (entry && t.comments.onClick(target, entry.kind === 'event' ? entry.event.id : undefined, row.getAttribute('aria-label') ?? 'the event')) return;
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
    t.ui.expanded = t.ui.expanded.includes(key) ? t.ui.expanded.filter((k) => k !== key) : [...t.ui.expanded, key];
    t.persist();
  }
  t.repaint();
}

export function onKey(t: InputTarget, e: KeyboardEvent): void {
  const inField = (e.target as HTMLElement).closest('vscode-textfield, input, select, textarea, vscode-button');
  if (e.key === '/' && !inField) {
    e.preventDefault();
    t.focusSearch();
  } else if (inField) {
    return;
  } else if (e.key === 'j' || e.key === 'J' || e.key === 'ArrowDown') {
    e.preventDefault();
    t.setFollow(false, false);
    t.select(t.selected + 1, 'auto', e.shiftKey);
  } else if (e.key === 'k' || e.key === 'K' || e.key === 'ArrowUp') {
    e.preventDefault();
    t.setFollow(false, false);
    t.select(t.selected < 0 ? t.visible.length - 1 : t.selected - 1, 'auto', e.shiftKey);
  } else if (e.key === 'm') {
    e.preventDefault();
    t.copyMarkdown();
  } else if (e.key === 'Home') {
    e.preventDefault();
    t.jumpToStart();
  } else if (e.key === 'Enter' && t.selected >= 0) {
    const path = t.inner.querySelector<HTMLElement>(`.row[data-index="${t.selected}"] [data-open]`)?.dataset.open;
    if (path) postTimeline({ type: 'openFile', path, mode: 'preview' });
  } else if (e.key === 'c' && t.selected >= 0) {
    e.preventDefault();
    const row = t.inner.querySelector<HTMLElement>(`.row[data-index="${t.selected}"] [data-comment]`);
    row?.click();
  } else if (e.key === 'End') {
    t.jumpToEnd();
  }
}
