// One renderer per event type. Event data is hostile by default: everything is a text node, and
// terminal output goes through ansi_up with HTML escaping on (its output is escaped text plus
// colour spans, the only markup ever assigned).
import { AnsiUp } from 'ansi_up';
import type { TimelineEntry } from '../src/shared/protocol';
import { h, highlighted } from './dom';
import { KIND_LABELS, kindOf, relativeTime, splitMatches, timeOf } from './model';

const ansi = new AnsiUp();
ansi.escape_html = true;
ansi.use_classes = true;

export const OUTPUT_PREVIEW_LINES = 12;

export interface RowContext {
  query: string;
  now: number;
  expanded: boolean;
}

const hl = (text: string, ctx: RowContext) => highlighted(text, splitMatches(text, ctx.query));

function chip(text: string, cls: string): HTMLElement {
  return h('span', { class: `chip ${cls}` }, text);
}

function fileLink(path: string, action: 'write' | 'delete', ctx: RowContext): HTMLElement {
  if (action === 'delete') return h('span', { class: 'file deleted', title: `${path} (deleted)` }, hl(path, ctx));
  return h('a', { class: 'file', href: '#', 'data-open': path, title: `Open ${path} (Alt+click: open changes)`, role: 'link' }, hl(path, ctx));
}

/** Terminal output with ANSI colour (escaped by ansi_up), truncated to a preview unless expanded. */
function output(text: string, cls: string, ctx: RowContext): HTMLElement {
  const lines = text.replace(/\n$/, '').split('\n');
  const shown = ctx.expanded ? lines : lines.slice(0, OUTPUT_PREVIEW_LINES);
  const pre = h('pre', { class: cls });
  // eslint-disable-next-line no-control-regex
  if (ctx.query.trim()) pre.append(hl(shown.join('\n').replace(/\u001b\[[0-9;]*m/g, ''), ctx));
  else pre.innerHTML = ansi.ansi_to_html(shown.join('\n')); // escaped by ansi_up (escape_html = true)
  const box = h('div', { class: 'output-box' }, pre);
  if (lines.length > OUTPUT_PREVIEW_LINES) {
    box.append(h('button', { class: 'link-button', 'data-toggle': '1', type: 'button' }, ctx.expanded ? 'Show less' : `Show all ${lines.length} lines`));
  }
  return box;
}

function body(entry: TimelineEntry, ctx: RowContext): HTMLElement {
  if (entry.kind === 'malformed') {
    const m = entry.malformed;
    return h('div', { class: 'card malformed' }, h('div', {}, 'Malformed event: ', hl(m.reason, ctx)), h('pre', { class: 'raw' }, JSON.stringify(m.raw, null, 2)));
  }
  const e = entry.event;
  switch (e.type) {
    case 'state_changed':
      return h('div', {}, chip(e.data.from, `state-${e.data.from}`), ' → ', chip(e.data.to, `state-${e.data.to}`), e.data.reason ? h('span', { class: 'muted' }, ' ', hl(e.data.reason, ctx)) : null);
    case 'thinking':
      return h('div', {}, h('strong', {}, `Step ${e.data.iteration}`), ' ', ...e.data.toolsUsed.map((t) => chip(t, 'tool')));
    case 'terminal': {
      const code = e.data.exitCode;
      const badge = code === undefined ? chip('running', 'exit-running') : chip(`exit ${code}`, code === 0 ? 'exit-ok' : 'exit-fail');
      return h(
        'div',
        {},
        h('div', { class: 'command' }, h('code', {}, '$ ', hl(e.data.command, ctx)), ' ', badge),
        e.data.output ? output(e.data.output, 'stdout', ctx) : null,
        e.data.error ? output(e.data.error, 'stderr', ctx) : null,
      );
    }
    case 'file_change':
      return h('div', {}, e.data.action === 'delete' ? 'Deleted ' : 'Wrote ', fileLink(e.data.path, e.data.action, ctx));
    case 'files_changed':
      return h('div', {}, `${e.data.files.length} files: `, h('ul', { class: 'files' }, ...e.data.files.map((f) => h('li', {}, fileLink(f.path, f.action, ctx)))));
    case 'completion': {
      const s = e.data.stats;
      return h(
        'div',
        { class: 'card completion' },
        h('div', { class: 'card-title' }, '✓ ', hl(e.data.message || 'Completed', ctx)),
        h('dl', { class: 'stats' }, ...[['Steps', s.iterations], ['Tool calls', s.toolCalls], ['Input tokens', s.inputTokens], ['Output tokens', s.outputTokens]].flatMap(([k, v]) => [h('dt', {}, String(k)), h('dd', {}, Number(v).toLocaleString())])),
      );
    }
    case 'error':
      return h('div', { class: 'card error' }, h('div', { class: 'card-title' }, '✗ ', hl(e.data.message, ctx)));
  }
}

/** The whole row: a label, the time (relative, absolute on hover), the body and a copy button. */
export function renderRow(entry: TimelineEntry, ctx: RowContext): HTMLElement {
  const kind = kindOf(entry);
  const t = timeOf(entry);
  const seq = entry.kind === 'event' ? entry.event.seq : entry.malformed.seq;
  const label = `${KIND_LABELS[kind]} event${seq !== null ? ` ${seq}` : ''}`;
  return h(
    'div',
    { class: `row kind-${kind}`, role: 'listitem', 'aria-label': label },
    h('div', { class: 'gutter' }, h('span', { class: `dot dot-${kind}`, 'aria-hidden': 'true' }), h('span', { class: 'kind' }, KIND_LABELS[kind])),
    h('div', { class: 'content' }, body(entry, ctx)),
    h(
      'div',
      { class: 'meta' },
      h('time', { datetime: t ? new Date(t).toISOString() : undefined, title: t ? new Date(t).toLocaleString() : undefined }, t ? relativeTime(t, ctx.now) : ''),
      h('span', { class: 'seq' }, seq !== null ? `#${seq}` : ''),
      entry.kind === 'event' ? h('button', { class: 'icon-button', 'data-comment': '1', type: 'button', title: 'Comment on this event (c)', 'aria-label': `Comment on ${label}` }, 'Comment') : null,
      h('button', { class: 'icon-button', 'data-copy': '1', type: 'button', title: 'Copy event JSON', 'aria-label': 'Copy event JSON' }, 'Copy'),
    ),
  );
}
