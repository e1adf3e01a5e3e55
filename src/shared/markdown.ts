// "Copy as Markdown" and `export --format markdown`: a session's events as people paste them into
// pull requests and issues. Commands in fenced blocks with their output (colour codes removed),
// file changes as a list with their diffs when the event has one, thoughts as text, a header with
// the title, state, duration and tokens. Every field an agent or the database gave us is fenced or
// escaped: a fence (or an inline code span) is always longer than any run of backticks in what it
// holds, and a code span holds one line (control characters are shown as their symbols: a newline
// as ␊), so nothing breaks out of it; text outside fences is escaped wherever Markdown would read
// it as markup (links, images, HTML, headings, lists, quotes, tables).
import type { TimelineEntry } from './entries';
import type { SessionStats } from './events';

export interface MarkdownHeader {
  title: string;
  state: string;
  /** ISO time the session started. */
  createdAt?: string;
  stats?: Partial<SessionStats>;
  /** Events in the session (the whole session, or this selection of it). */
  events?: number;
  source?: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)|\u001b[@-_]/g;

/** Terminal output as plain text. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** A fenced block whose fence no run of backticks inside can close. */
export function fenced(body: string, language = ''): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${body.replace(/\n$/, '')}\n${fence}`;
}

/** Text kept as text: characters Markdown would act on at the start of a line or inline are escaped. */
export function escapeText(text: unknown): string {
  return String(text ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/([\\`*_{}[\]<>#|~&!])/g, '\\$1')
    // At a line's start: list items ("- ", "+ ", "1. ", "1) "), setext underlines and rules ("===", "---").
    .replace(/^(\s*)([-+=]|\d+[.)])/gm, (_, space: string, marker: string) => `${space}${/\d/.test(marker) ? `${marker.slice(0, -1)}\\${marker.slice(-1)}` : `\\${marker}`}`);
}

/** Control characters as their visible symbols (a newline as ␊, a tab as ␉): one line, as written. */
export function controlPictures(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0))).replace(/[\u0080-\u009f]/g, '\ufffd');
}

/** An inline code span that nothing in `text` can end early: one line, fenced by more backticks than it holds. */
export function codeSpan(text: unknown): string {
  const t = controlPictures(String(text ?? ''));
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[`\s]|[`\s]$/.test(t) ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

function duration(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function markdownHeader(h: MarkdownHeader): string {
  const facts = [
    `**State:** ${escapeText(h.state)}`,
    h.source ? `**Agent:** ${escapeText(h.source)}` : undefined,
    h.createdAt ? `**Started:** ${escapeText(h.createdAt)}` : undefined,
    duration(h.stats?.durationMs) ? `**Duration:** ${duration(h.stats?.durationMs)}` : undefined,
    h.stats && (h.stats.inputTokens || h.stats.outputTokens) ? `**Tokens:** ${(h.stats.inputTokens ?? 0).toLocaleString('en-US')} in / ${(h.stats.outputTokens ?? 0).toLocaleString('en-US')} out` : undefined,
    typeof h.stats?.costUsd === 'number' ? `**Cost:** $${h.stats.costUsd.toFixed(4)}` : undefined,
    h.events !== undefined ? `**Events:** ${h.events.toLocaleString('en-US')}` : undefined,
  ].filter(Boolean);
  return `## ${escapeText(controlPictures(h.title))}\n\n${facts.join(' · ')}\n`;
}

/** One entry as Markdown (a block ending without a trailing newline). */
export function entryMarkdown(entry: TimelineEntry): string {
  if (entry.kind === 'malformed') return `- ⚠ **Malformed event** #${entry.malformed.seq ?? '?'}: ${escapeText(entry.malformed.reason)}`;
  const e = entry.event;
  const n = `#${e.seq}`;
  switch (e.type) {
    case 'state_changed':
      return `- ${n} **${escapeText(controlPictures(String(e.data.from)))} → ${escapeText(controlPictures(String(e.data.to)))}**${e.data.reason ? `: ${escapeText(e.data.reason)}` : ''}`;
    case 'thinking': {
      const tools = e.data.toolsUsed.length ? ` (${e.data.toolsUsed.map(codeSpan).join(', ')})` : '';
      const text = e.data.text?.trim();
      return text ? `${n}${tools}\n\n${text.includes('```') || /^\s{4}/m.test(text) ? fenced(text) : escapeText(text)}` : `- ${n} Step ${e.data.iteration}${tools}`;
    }
    case 'terminal': {
      const exit = e.data.exitCode !== undefined ? ` — exit ${e.data.exitCode}` : typeof (e.data as { status?: unknown }).status === 'string' ? ` — ${escapeText(controlPictures(String((e.data as { status?: unknown }).status)))}` : '';
      const out = stripAnsi(e.data.output);
      const err = stripAnsi(e.data.error);
      return `${n}${exit}\n\n${fenced(`$ ${e.data.command}${out ? `\n${out}` : ''}${err ? `\n${err}` : ''}`, 'console')}`;
    }
    case 'file_change': {
      const counts = e.data.additions !== undefined || e.data.deletions !== undefined ? ` (+${e.data.additions ?? 0} −${e.data.deletions ?? 0})` : '';
      const line = `- ${n} ${e.data.action === 'delete' ? 'Deleted' : e.data.action === 'create' ? 'Created' : 'Changed'} ${codeSpan(e.data.path)}${counts}`;
      return e.data.diff ? `${line}\n\n${fenced(e.data.diff, 'diff')}` : line;
    }
    case 'files_changed':
      return `- ${n} Changed ${e.data.files.length} files:\n${e.data.files.map((f) => `  - ${f.action === 'delete' ? 'Deleted ' : ''}${codeSpan(f.path)}`).join('\n')}`;
    case 'completion':
      return `${n} **Completed:** ${escapeText(e.data.message)}`;
    case 'error':
      return `${n} **Error:** ${escapeText(e.data.message)}`;
  }
}

/** Entries as Markdown, with a header when given. */
export function sessionMarkdown(entries: readonly TimelineEntry[], header?: MarkdownHeader): string {
  const body = entries.map(entryMarkdown).join('\n\n');
  return `${header ? `${markdownHeader(header)}\n` : ''}${body}\n`;
}
