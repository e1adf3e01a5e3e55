// The timeline's header (title, state, counts, elapsed time, tokens, who is watching) and its
// connection banner. Pure rendering from what the host sent; the Timeline decides when.
import { secondsUntilRetry, viewerLabel, type ConnectionState, type ViewerView } from '../src/shared/connection';
import type { TimelineEntry } from '../src/shared/entries';
import type { SessionView } from '../src/shared/timelineProtocol';
import { h } from './dom';
import { dollars, duration, totals } from './model';
import { postTimeline } from './vscodeApi';

export function renderHeader(el: HTMLElement, session: SessionView | undefined, entries: TimelineEntry[], viewers: ViewerView[]): void {
  const t = totals(entries);
  el.replaceChildren(
    h('h1', { class: 'title' }, session?.title ?? 'Session'),
    session ? h('span', { class: `chip state-${session.state}` }, session.state) : '',
    h(
      'span',
      { class: 'muted' },
      `${entries.length} events · ${duration(t.durationMs ?? t.elapsedMs)}${t.inputTokens + t.outputTokens > 0 ? ` · ${t.inputTokens.toLocaleString()} in / ${t.outputTokens.toLocaleString()} out tokens` : ''}${t.costUsd !== undefined ? ` · ${dollars(t.costUsd)}` : ''}`,
    ),
    session?.source ? h('span', { class: 'chip source', title: session.cwd ? `in ${session.cwd}` : undefined }, session.source) : '',
    viewersElement(viewers),
  );
}

/** Who is watching (presence): initials with the name and client on hover and for screen readers. */
function viewersElement(viewers: ViewerView[]): HTMLElement | string {
  if (viewers.length === 0) return '';
  const label = `${viewers.length} watching: ${viewers.map(viewerLabel).join(', ')}`;
  return h(
    'span',
    { class: 'viewers', role: 'img', 'aria-label': label, title: label },
    ...viewers.slice(0, 6).map((v) => h('span', { class: `avatar client-${v.client === 'cli' ? 'cli' : 'vscode'}`, 'aria-hidden': 'true' }, initials(v.name))),
    viewers.length > 6 ? h('span', { class: 'avatar more', 'aria-hidden': 'true' }, `+${viewers.length - 6}`) : '',
  );
}

/** "ada.lovelace@example.com" → "AL", "grace" → "GR". */
function initials(name: string): string {
  const words = name.split('@')[0]!.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const letters = words.length > 1 ? words[0]![0]! + words[1]![0]! : (words[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}

/** Fills the banner for `c`; returns the seconds left before a retry (the caller re-renders each second). */
export function renderBanner(el: HTMLElement, c: ConnectionState, now: number): number {
  el.className = `banner banner-${c.state}`;
  el.hidden = c.state === 'joined' || c.state === 'closed';
  if (c.state === 'joining') el.replaceChildren(c.attempt > 0 ? `Connecting (attempt ${c.attempt})…` : 'Connecting…');
  else if (c.state === 'reconnecting') {
    const secs = secondsUntilRetry(c, now);
    el.replaceChildren(`Connection lost (${c.reason}). Reconnecting in ${secs} s — attempt ${c.attempt} of ${c.maxAttempts}. `, reconnectButton('Reconnect now'));
    return secs;
  } else if (c.state === 'error') el.replaceChildren(`Disconnected: ${c.reason}. `, reconnectButton('Reconnect'));
  return 0;
}

function reconnectButton(label: string): HTMLElement {
  const b = h('vscode-button', {}, label);
  b.addEventListener('click', () => postTimeline({ type: 'reconnect' }));
  return b;
}
