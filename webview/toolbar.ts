// The timeline's two toolbars: search (with next and previous), follow live and replay; then the way
// through the session (Jump to Start and End, the position), Expand and Collapse All, Copy as
// Markdown and the exports of the whole session.
import { h } from './dom';
import { postTimeline } from './vscodeApi';

export interface ToolbarParts {
  search: HTMLElement;
  hitLabel: HTMLElement;
  followButton: HTMLElement;
  position: HTMLElement;
  replay: HTMLElement[];
  nextHit(direction: 1 | -1): void;
  jumpToStart(): void;
  jumpToEnd(): void;
  expandAll(on: boolean): void;
  copyMarkdown(): void;
}

function button(label: string, title: string, run: () => void, attrs: Record<string, string> = {}): HTMLElement {
  const b = h('vscode-button', { secondary: '', title, ...attrs }, label);
  b.addEventListener('click', run);
  return b;
}

export function toolbars(p: ToolbarParts): HTMLElement[] {
  const prev = h('button', { class: 'icon-button', type: 'button', title: 'Previous match (Shift+Enter)', 'aria-label': 'Previous match' }, '↑');
  const next = h('button', { class: 'icon-button', type: 'button', title: 'Next match (Enter)', 'aria-label': 'Next match' }, '↓');
  prev.addEventListener('click', () => p.nextHit(-1));
  next.addEventListener('click', () => p.nextHit(1));
  return [
    h('div', { class: 'toolbar' }, p.search, prev, next, p.hitLabel, p.followButton, ...p.replay),
    h(
      'div',
      { class: 'toolbar nav' },
      button('⇤ Start', "Jump to Start: the session's first event (Home)", p.jumpToStart, { 'data-jump': 'start', 'aria-label': 'Jump to Start' }),
      button('End ⇥', 'Jump to End: the latest event, following live (End)', p.jumpToEnd, { 'data-jump': 'end', 'aria-label': 'Jump to End' }),
      p.position,
      button('Expand All', 'Show every long text and output whole', () => p.expandAll(true), { 'data-expand': 'all' }),
      button('Collapse All', 'Show long texts and output as previews', () => p.expandAll(false), { 'data-expand': 'none' }),
      button('Copy Markdown', 'Copy as Markdown: the selected events (Shift+j/k or Shift+click), or the whole session (m)', p.copyMarkdown, { 'data-copy-markdown': '1', 'aria-label': 'Copy as Markdown' }),
      button('Export JSONL', 'Export the whole session as JSON Lines', () => postTimeline({ type: 'exportJsonl' })),
      button('Export MD', 'Export the whole session as Markdown (a file)', () => postTimeline({ type: 'exportMarkdown' }), { 'aria-label': 'Export Markdown' }),
    ),
  ];
}
