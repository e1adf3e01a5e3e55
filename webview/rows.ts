// One renderer per event type. Event data is hostile by default: everything is a text node, and
// terminal output goes through ansi_up with HTML escaping on (its output is escaped text plus
// colour spans, the only markup ever assigned).
import { AnsiUp } from 'ansi_up';
import type { TimelineEntry } from '../src/shared/entries';
import { h, highlighted } from './dom';
import { dollars, duration, KIND_LABELS, kindOf, relativeTime, splitMatches, timeOf } from './model';

/**
 * A fresh converter per output: ansi_up keeps state across calls (an open colour, an unfinished OSC
 * 8 link), so one shared instance let an event's unclosed escape colour or link text of LATER,
 * unrelated events. Whatever an output leaves open ends with it.
 */
function ansiToHtml(text: string): string {
  const ansi = new AnsiUp();
  ansi.escape_html = true;
  ansi.use_classes = true;
  // eslint-disable-next-line no-control-regex
  return ansi.ansi_to_html(text.replace(/\u001b(\[[0-9;?]*|\][^\u0007\u001b]*(\u001b)?)?$/, ''));
}

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

function fileLink(path: string, action: 'write' | 'create' | 'delete', ctx: RowContext): HTMLElement {
  if (action === 'delete') return h('span', { class: 'file deleted', title: `${path} (deleted)` }, hl(path, ctx));
  return h('a', { class: 'file', href: '#', 'data-open': path, title: `Open ${path} (Alt+click: open changes)`, role: 'link' }, hl(path, ctx));
}

const THINKING_LABELS: Record<string, string> = { reasoning: 'Reasoning', message: 'Says', prompt: 'Prompt', plan: 'Plan', note: 'Note', request: 'Asks' };
export const TEXT_PREVIEW_LINES = 6;

/** Reasoning or assistant text: plain text, collapsed to a preview when long. */
function longText(text: string, ctx: RowContext): HTMLElement {
  const lines = text.replace(/\n+$/, '').split('\n');
  const shown = ctx.expanded ? lines : lines.slice(0, TEXT_PREVIEW_LINES);
  const box = h('div', { class: 'text-box' }, h('div', { class: 'text' }, hl(shown.join('\n'), ctx)));
  if (lines.length > TEXT_PREVIEW_LINES) box.append(h('button', { class: 'link-button', 'data-toggle': '1', type: 'button' }, ctx.expanded ? 'Show less' : `Show all ${lines.length} lines`));
  return box;
}

/** "subagent" on the events of a subagent's work (Claude Code's Task tool). */
function attribution(data: Record<string, unknown>): HTMLElement | null {
  return typeof data.parentToolUseId === 'string' ? chip('subagent', 'subagent') : null;
}

/** Terminal output with ANSI colour (escaped by ansi_up), truncated to a preview unless expanded. */
function output(text: string, cls: string, ctx: RowContext): HTMLElement {
  const lines = text.replace(/\n$/, '').split('\n');
  const shown = ctx.expanded ? lines : lines.slice(0, OUTPUT_PREVIEW_LINES);
  const pre = h('pre', { class: cls });
  // eslint-disable-next-line no-control-regex
  if (ctx.query.trim()) pre.append(hl(shown.join('\n').replace(/\u001b\[[0-9;]*m/g, ''), ctx));
  else pre.innerHTML = ansiToHtml(shown.join('\n')); // escaped by ansi_up (escape_html = true)
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
    case 'thinking': {
      const d = e.data as typeof e.data & { kind?: unknown; warning?: unknown; unrecognised?: unknown; raw?: unknown };
      const label = d.unrecognised === true ? chip('not understood', 'unrecognised') : d.warning === true ? chip('warning', 'warning') : typeof d.kind === 'string' && THINKING_LABELS[d.kind] ? h('strong', {}, THINKING_LABELS[d.kind]!) : h('strong', {}, `Step ${e.data.iteration}`);
      return h(
        'div',
        {},
        h('div', {}, label, ' ', attribution(d), ...e.data.toolsUsed.map((t) => chip(t, 'tool'))),
        typeof e.data.text === 'string' && e.data.text ? longText(e.data.text, ctx) : null,
        d.unrecognised === true && typeof d.raw === 'string' ? h('pre', { class: 'raw' }, d.raw.slice(0, 4000)) : null,
      );
    }
    case 'terminal': {
      const code = e.data.exitCode;
      const status = typeof e.data.status === 'string' ? e.data.status : undefined;
      const badge =
        code !== undefined ? chip(`exit ${code}`, code === 0 ? 'exit-ok' : 'exit-fail') : status === 'completed' ? chip('done', 'exit-ok') : status ? chip(status, 'exit-fail') : chip('running', 'exit-running');
      return h(
        'div',
        {},
        h('div', { class: 'command' }, h('code', {}, '$ ', hl(e.data.command, ctx)), ' ', badge, ' ', attribution(e.data)),
        typeof e.data.description === 'string' ? h('div', { class: 'muted' }, hl(e.data.description, ctx)) : null,
        e.data.output ? output(e.data.output, 'stdout', ctx) : null,
        e.data.error ? output(e.data.error, 'stderr', ctx) : null,
      );
    }
    case 'file_change': {
      const verb = e.data.action === 'delete' ? 'Deleted ' : e.data.action === 'create' ? 'Created ' : 'Wrote ';
      const counts = e.data.additions !== undefined && e.data.deletions !== undefined ? h('span', { class: 'diffstat', 'aria-label': `${e.data.additions} lines added, ${e.data.deletions} removed` }, h('span', { class: 'add' }, `+${e.data.additions}`), ' ', h('span', { class: 'del' }, `−${e.data.deletions}`)) : null;
      const diff = e.data.diff ? h('button', { class: 'link-button', 'data-diff': e.id, type: 'button', title: 'Open this change in the diff editor' }, 'View change') : null;
      return h('div', {}, verb, fileLink(e.data.path, e.data.action, ctx), ' ', counts, ' ', diff, ' ', attribution(e.data), e.data.status === 'failed' ? chip('failed', 'exit-fail') : null);
    }
    case 'files_changed':
      return h('div', {}, `${e.data.files.length} files: `, h('ul', { class: 'files' }, ...e.data.files.map((f) => h('li', {}, fileLink(f.path, f.action, ctx)))));
    case 'completion': {
      const s = e.data.stats;
      const figures: Array<[string, string]> = [
        ['Steps', s.iterations.toLocaleString()],
        ['Tool calls', s.toolCalls.toLocaleString()],
        ['Input tokens', s.inputTokens.toLocaleString()],
        ['Output tokens', s.outputTokens.toLocaleString()],
      ];
      if (typeof s.costUsd === 'number') figures.push(['Cost', dollars(s.costUsd)]);
      if (typeof s.durationMs === 'number') figures.push(['Duration', duration(s.durationMs)]);
      return h('div', { class: 'card completion' }, h('div', { class: 'card-title' }, '✓ ', hl(e.data.message || 'Completed', ctx)), h('dl', { class: 'stats' }, ...figures.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
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
      h('button', { class: 'icon-button', 'data-markdown': '1', type: 'button', title: 'Copy as Markdown (m; the selection with Shift+j/k or Shift+click)', 'aria-label': `Copy ${label} as Markdown` }, 'MD'),
      seq !== null ? h('button', { class: 'icon-button', 'data-link': String(seq), type: 'button', title: 'Copy a link that opens the timeline at this event', 'aria-label': `Copy link to ${label}` }, 'Link') : null,
    ),
  );
}
