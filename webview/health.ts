// The "Show Health" panel: what the host measured, drawn with Chart.js (events per minute per
// type, stacked; this window's latency histogram) and, for keyboard and screen-reader users, the
// same figures as tables. Colours are the theme's chart colours, read from VS Code's variables.
import './health.css';
import './elements';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { HealthSnapshot, ServerHealth } from '../src/shared/health';
import { viewerLabel } from '../src/shared/connection';
import { isHealthHostMessage } from '../src/shared/healthProtocol';
import { h } from './dom';
import { onHostMessage, postHealth } from './vscodeApi';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const TYPE_COLOURS: Record<string, string> = {
  state_changed: '--vscode-charts-orange',
  thinking: '--vscode-charts-blue',
  terminal: '--vscode-charts-yellow',
  file_change: '--vscode-charts-purple',
  files_changed: '--vscode-charts-purple',
  completion: '--vscode-charts-green',
  error: '--vscode-charts-red',
};

const css = (name: string, fallback: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
const ms = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v).toLocaleString()} ms`);
const time = (t: number) => new Date(t).toLocaleTimeString();

function table(caption: string, head: string[], rows: Array<Array<string | number>>, empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    {},
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, typeof c === 'number' ? c.toLocaleString() : c))))),
  );
}

function barChart(canvas: HTMLCanvasElement, stacked: boolean): Chart<'bar'> {
  const fg = css('--vscode-foreground', '#888');
  const grid = css('--vscode-widget-border', '#8883');
  const axis = { stacked, ticks: { color: fg }, grid: { color: grid } };
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { x: axis, y: { ...axis, beginAtZero: true, ticks: { color: fg, precision: 0 } } }, plugins: { legend: { labels: { color: fg } } } },
  });
}

class Health {
  private readonly updated = h('span', { class: 'muted', 'aria-live': 'polite' });
  private readonly server = h('section', { 'aria-labelledby': 'server-h' });
  private readonly serverTable = h('div');
  private readonly subscriptions = h('div');
  private readonly client = h('div');
  private readonly history = h('div');
  private readonly volumeCanvas = h('canvas', { role: 'img', 'aria-label': 'Events per minute by type' });
  private readonly latencyCanvas = h('canvas', { role: 'img', 'aria-label': 'Latency distribution of this window' });
  private volume: Chart<'bar'> | undefined;
  private latency: Chart<'bar'> | undefined;

  constructor(private readonly root: HTMLElement) {}

  start(): void {
    const refresh = h('vscode-button', { secondary: '', title: 'Refresh now (R)' }, 'Refresh');
    refresh.addEventListener('click', () => postHealth({ type: 'refresh' }));
    document.addEventListener('keydown', (e) => e.key.toLowerCase() === 'r' && !e.ctrlKey && !e.metaKey && postHealth({ type: 'refresh' }));
    this.server.append(h('h2', { id: 'server-h' }, 'Server · your sessions, last hour'), h('div', { class: 'chart' }, this.volumeCanvas), this.serverTable);
    this.root.append(
      h('header', { class: 'top' }, h('h1', {}, 'Session Stream Health'), this.updated, refresh),
      this.server,
      h('section', {}, h('h2', {}, 'Subscriptions'), this.subscriptions),
      h('section', {}, h('h2', {}, 'This window · stored → received'), this.client, h('div', { class: 'chart' }, this.latencyCanvas)),
      h('section', {}, h('h2', {}, 'Connection history'), this.history),
    );
    onHostMessage((m) => this.render(m.snapshot), isHealthHostMessage);
    postHealth({ type: 'ready' });
  }

  private render(s: HealthSnapshot): void {
    this.updated.textContent = `Updated ${time(s.at)}`;
    this.renderServer(s.server);
    this.subscriptions.replaceChildren(
      table('Watched sessions', ['Session', 'Connection', 'Watching', 'Live', 'Recovered', 'Joins'], s.subscriptions.map((x) => [x.title, x.state, x.viewers.map(viewerLabel).join(', ') || '–', x.live, x.backfilled, x.joins]), 'No session is being watched in this window.'),
      s.gateway ? h('p', { class: 'muted' }, `Local gateway: ${Object.entries(s.gateway).map(([k, v]) => `${k} ${v.toLocaleString()}`).join(' · ')}`) : h('p', { class: 'muted' }, 'Server-wide subscription counts come from the local stack’s gateway; hosted Supabase does not publish them.'),
    );
    const l = s.latency;
    this.client.replaceChildren(h('p', {}, l.samples ? `${l.samples.toLocaleString()} live events · p50 ${ms(l.p50)} · p95 ${ms(l.p95)} · p99 ${ms(l.p99)}` : 'No live events received yet.'));
    const labels = l.histogram.upToMs.map((b, i) => (Number.isFinite(b) && b !== null ? `≤ ${b >= 1000 ? `${b / 1000} s` : `${b} ms`}` : `> ${l.histogram.upToMs[i - 1]! / 1000} s`));
    this.latency ??= barChart(this.latencyCanvas, false);
    this.latency.data = { labels, datasets: [{ label: 'Events', data: l.histogram.counts, backgroundColor: css('--vscode-charts-blue', '#3794ff') }] };
    this.latency.update('none');
    this.latencyCanvas.setAttribute('aria-label', `Latency distribution: ${labels.map((b, i) => `${b}: ${l.histogram.counts[i]}`).join(', ')}`);
    this.history.replaceChildren(table('Connection changes, newest first', ['Time', 'Session', 'State', 'Reason'], s.history.slice(0, 30).map((c) => [time(c.at), c.sessionId.slice(0, 8), c.state, c.reason ?? '']), 'No connection changes yet.'));
  }

  private renderServer(server: HealthSnapshot['server']): void {
    if ('error' in server) {
      this.serverTable.replaceChildren(h('p', { class: 'error', role: 'alert' }, server.error));
      return;
    }
    this.renderVolume(server);
    this.serverTable.replaceChildren(
      table('Per event type, last hour', ['Event type', 'Events', 'Average age (now − stored)'], server.latency.map((r) => [r.eventType, r.eventCount, `${r.avgAgeSeconds.toFixed(1)} s`]), 'No events in the last hour.'),
    );
  }

  private renderVolume(server: ServerHealth): void {
    const minutes = [...new Set(server.volume.map((v) => v.minute))].sort();
    const types = [...new Set(server.volume.map((v) => v.eventType))].sort();
    const count = new Map(server.volume.map((v) => [`${v.minute}|${v.eventType}`, v.eventCount]));
    this.volume ??= barChart(this.volumeCanvas, true);
    this.volume.data = {
      labels: minutes.map((m) => new Date(m).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })),
      datasets: types.map((t) => ({ label: t, data: minutes.map((m) => count.get(`${m}|${t}`) ?? 0), backgroundColor: css(TYPE_COLOURS[t] ?? '--vscode-charts-foreground', '#888') })),
    };
    this.volume.update('none');
    this.volumeCanvas.setAttribute('aria-label', `Events per minute by type over ${minutes.length} minutes: ${server.volume.reduce((n, v) => n + v.eventCount, 0)} events`);
  }
}

new Health(document.getElementById('app')!).start();
