// The readable `tail` output: one line per event (a terminal's output indented under it), coloured
// when stdout is a terminal and NO_COLOR is not set. Event data is printed as text, never
// interpreted: control characters other than colour codes are made visible.
import type { TimelineEntry } from '../shared/entries';
import type { Annotation } from '../shared/annotations';
import { secondsUntilRetry, type ConnectionState } from '../shared/connection';
import type { SessionEvent } from '../shared/events';

export interface Palette {
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const COLOURS: Palette = { dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), bold: wrap(1, 22) };
export const PLAIN: Palette = { dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, cyan: (s) => s, bold: (s) => s };

/** Keeps SGR colour codes (when colouring) and shows every other control character (C0 and C1) as \xNN. */
export function safeText(text: string, keepColour: boolean): string {
  // eslint-disable-next-line no-control-regex
  const sgr = /\u001b\[[0-9;]*m/g;
  const parts = keepColour ? text.split(sgr) : [text.replace(sgr, '')];
  const codes = keepColour ? (text.match(sgr) ?? []) : [];
  // C0 and C1 controls (U+0080–U+009F include CSI U+009B and OSC U+009D, which terminals obey).
  // eslint-disable-next-line no-control-regex
  const visible = (s: string) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return parts.map((p, i) => visible(p) + (codes[i] ?? '')).join('');
}

function indent(text: string, p: Palette, keepColour: boolean, max = 20): string {
  const lines = safeText(text, keepColour).replace(/\n$/, '').split('\n');
  const shown = lines.slice(0, max).map((l) => `      ${l}`);
  if (lines.length > max) shown.push(p.dim(`      … ${lines.length - max} more lines`));
  return shown.join('\n');
}

export function describeEvent(event: SessionEvent, p: Palette, keepColour: boolean): string {
  const t = (s: string) => safeText(s, false);
  switch (event.type) {
    case 'state_changed':
      return `${p.bold('state')}     ${event.data.from} → ${p.bold(event.data.to)}${event.data.reason ? p.dim(`  ${t(event.data.reason)}`) : ''}`;
    case 'thinking': {
      const text = typeof event.data.text === 'string' ? event.data.text.trim().split('\n')[0]!.slice(0, 160) : '';
      const label = event.data.warning === true ? p.yellow('warning ') : event.data.unrecognised === true ? p.red('unknown ') : p.cyan('thinking');
      return `${label}  step ${event.data.iteration}${event.data.toolsUsed.length ? p.dim(`  ${event.data.toolsUsed.map(t).join(', ')}`) : ''}${text ? `  ${t(text)}` : ''}`;
    }
    case 'terminal': {
      const code = event.data.exitCode;
      const status = typeof event.data.status === 'string' ? event.data.status : undefined;
      const badge = code !== undefined ? (code === 0 ? p.green('exit 0') : p.red(`exit ${code}`)) : status === 'completed' ? p.green('done') : status ? p.red(status) : p.dim('running');
      const out = [event.data.output && indent(event.data.output, p, keepColour), event.data.error && p.red(indent(event.data.error, p, false))].filter(Boolean);
      return [`${p.yellow('terminal')}  $ ${t(event.data.command)}  ${badge}`, ...out].join('\n');
    }
    case 'file_change': {
      const d = event.data as { additions?: unknown; deletions?: unknown };
      const counts = typeof d.additions === 'number' && typeof d.deletions === 'number' ? `  ${p.green(`+${d.additions}`)} ${p.red(`−${d.deletions}`)}` : '';
      return `${p.bold('file')}      ${event.data.action === 'delete' ? p.red('deleted') : event.data.action === 'create' ? 'created' : 'wrote'} ${t(event.data.path)}${counts}`;
    }
    case 'files_changed':
      return `${p.bold('files')}     ${event.data.files.map((f) => `${f.action === 'delete' ? '-' : '+'}${t(f.path)}`).join('  ')}`;
    case 'completion': {
      const s = event.data.stats;
      const cost = typeof s.costUsd === 'number' ? ` · $${s.costUsd.toFixed(4)}` : '';
      const took = typeof s.durationMs === 'number' ? ` · ${(s.durationMs / 1000).toFixed(1)} s` : '';
      return `${p.green('completed')} ${t(event.data.message)}${p.dim(`  ${s.iterations} steps · ${s.toolCalls} tool calls · ${s.inputTokens}/${s.outputTokens} tokens${cost}${took}`)}`;
    }
    case 'error':
      return `${p.red('error')}     ${t(event.data.message)}`;
  }
}

export function formatEntry(entry: TimelineEntry, p: Palette, keepColour: boolean): string {
  if (entry.kind === 'malformed') {
    const m = entry.malformed;
    return `${p.dim(`#${m.seq ?? '?'}`.padEnd(7))} ${p.red('malformed')} ${safeText(m.reason, false)}  ${p.dim(safeText(JSON.stringify(m.raw).slice(0, 300), false))}`;
  }
  const e = entry.event;
  const time = /T(\d\d:\d\d:\d\d(\.\d{3})?)/.exec(e.createdAt)?.[1] ?? e.createdAt;
  return `${p.dim(`${time} #${e.seq}`)} ${describeEvent(e, p, keepColour)}`;
}

/** A comment, under the event it is about: `  💬 ada@example.com on #12 (edited): first line …`. */
export function formatComment(a: Annotation, on: TimelineEntry | undefined, p: Palette): string {
  const where = on?.kind === 'event' ? `#${on.event.seq}` : `event ${a.eventId.slice(0, 8)}`;
  const lines = safeText(a.body, false).trim().split('\n');
  const more = lines.length > 1 ? p.dim(` … (${lines.length - 1} more line${lines.length === 2 ? '' : 's'})`) : '';
  return `  ${p.cyan('comment')} ${p.bold(safeText(a.authorName, false))} on ${where}${a.editedAt ? p.dim(' (edited)') : ''}: ${lines[0]}${more}`;
}

export function formatState(s: ConnectionState, now: number): string {
  switch (s.state) {
    case 'reconnecting':
      return `reconnecting in ${secondsUntilRetry(s, now)} s (attempt ${s.attempt}/${s.maxAttempts}): ${s.reason}`;
    case 'error':
      return `disconnected: ${s.reason}`;
    case 'joining':
      return s.attempt > 0 ? `connecting (attempt ${s.attempt})…` : 'connecting…';
    default:
      return s.state;
  }
}

/** The `--json` line for a state (docs/architecture.md, contract 3). */
export function stateJson(s: ConnectionState, now: number): Record<string, unknown> {
  const base: Record<string, unknown> = { kind: 'status', state: s.state };
  if (s.state === 'reconnecting') Object.assign(base, { attempt: s.attempt, maxAttempts: s.maxAttempts, retryInMs: Math.max(0, s.retryAt - now), reason: s.reason });
  if (s.state === 'error') base.reason = s.reason;
  if (s.state === 'joining') base.attempt = s.attempt;
  return base;
}
