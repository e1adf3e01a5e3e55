// "Copy as Markdown" and `export --format markdown`: a session's events as people paste them into
// pull requests and issues. Commands in fenced blocks with their output (colour codes removed),
// file changes as a list with their diffs when the event has one, thoughts as text, a header with
// the title, state, duration and tokens. A fence is always longer than any run of backticks in what
// it holds, so nothing breaks out of it; text outside fences is escaped where Markdown would read it.
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
export function escapeText(text: string): string {
  return text.replace(/([\\`*_{}[\]<>#|])/g, '\\$1').replace(/^(\s*)([-+]|\d+\.)(\s)/gm, (_, space: string, marker: string, after: string) => `${space}${marker.endsWith('.') ? `${marker.slice(0, -1)}\\.` : `\\${marker}`}${after}`);
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
    h.createdAt ? `**Started:** ${h.createdAt}` : undefined,
    duration(h.stats?.durationMs) ? `**Duration:** ${duration(h.stats?.durationMs)}` : undefined,
    h.stats && (h.stats.inputTokens || h.stats.outputTokens) ? `**Tokens:** ${(h.stats.inputTokens ?? 0).toLocaleString('en-US')} in / ${(h.stats.outputTokens ?? 0).toLocaleString('en-US')} out` : undefined,
    typeof h.stats?.costUsd === 'number' ? `**Cost:** $${h.stats.costUsd.toFixed(4)}` : undefined,
    h.events !== undefined ? `**Events:** ${h.events.toLocaleString('en-US')}` : undefined,
  ].filter(Boolean);
  return `## ${escapeText(h.title)}\n\n${facts.join(' · ')}\n`;
}

/** One entry as Markdown (a block ending without a trailing newline). */
export function entryMarkdown(entry: TimelineEntry): string {
  if (entry.kind === 'malformed') return `- ⚠ **Malformed event** #${entry.malformed.seq ?? '?'}: ${escapeText(entry.malformed.reason)}`;
  const e = entry.event;
  const n = `#${e.seq}`;
  switch (e.type) {
    case 'state_changed':
      return `- ${n} **${e.data.from} → ${e.data.to}**${e.data.reason ? `: ${escapeText(e.data.reason)}` : ''}`;
    case 'thinking': {
      const tools = e.data.toolsUsed.length ? ` (${e.data.toolsUsed.map((t) => `\`${t.replace(/`/g, "'")}\``).join(', ')})` : '';
      const text = e.data.text?.trim();
      return text ? `${n}${tools}\n\n${text.includes('```') || /^\s{4}/m.test(text) ? fenced(text) : escapeText(text)}` : `- ${n} Step ${e.data.iteration}${tools}`;
    }
    case 'terminal': {
      const exit = e.data.exitCode !== undefined ? ` — exit ${e.data.exitCode}` : typeof (e.data as { status?: unknown }).status === 'string' ? ` — ${String((e.data as { status?: unknown }).status)}` : '';
      const out = stripAnsi(e.data.output);
      const err = stripAnsi(e.data.error);
      return `${n}${exit}\n\n${fenced(`$ ${e.data.command}${out ? `\n${out}` : ''}${err ? `\n${err}` : ''}`, 'console')}`;
    }
    case 'file_change': {
      const counts = e.data.additions !== undefined || e.data.deletions !== undefined ? ` (+${e.data.additions ?? 0} −${e.data.deletions ?? 0})` : '';
      const line = `- ${n} ${e.data.action === 'delete' ? 'Deleted' : e.data.action === 'create' ? 'Created' : 'Changed'} \`${e.data.path.replace(/`/g, "'")}\`${counts}`;
      return e.data.diff ? `${line}\n\n${fenced(e.data.diff, 'diff')}` : line;
    }
    case 'files_changed':
      return `- ${n} Changed ${e.data.files.length} files:\n${e.data.files.map((f) => `  - ${f.action === 'delete' ? 'Deleted ' : ''}\`${f.path.replace(/`/g, "'")}\``).join('\n')}`;
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
