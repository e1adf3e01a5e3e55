// "Agent Session Stream: Show Health": one webview panel with the server's figures for the last
// hour (the database's monitoring views, as the signed-in user), who is subscribed to the watched
// sessions (presence; plus the local stack's gateway counters when it is the local stack), and
// this window's own latency distribution and connection history. Refreshed every 5 s while
// visible, and on demand. Same CSP and handshake as the timeline.
import * as vscode from 'vscode';
import { fetchServerHealth } from '../core/health';
import { histogram, percentile, type HealthSnapshot } from '../shared/health';
import { isWebviewMessage } from '../shared/protocol';
import { readConfig } from './config';
import type { PanelDeps } from './timelinePanel';
import { bundleRoot, webviewHtml } from './webviewHtml';

export const HEALTH_VIEW_TYPE = 'sessionStream.health';
const REFRESH_MS = 5000;

export interface HealthDeps extends Pick<PanelDeps, 'extensionUri' | 'auth' | 'streams'> {
  title(sessionId: string): string;
}

/** The local gateway's counters (GET /stats), only for a loopback URL; hosted Supabase has none. */
async function gatewayStats(url: string): Promise<Record<string, number> | undefined> {
  if (!/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(url)) return undefined;
  try {
    const res = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(body).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    return undefined;
  }
}

export async function healthSnapshot(deps: HealthDeps): Promise<HealthSnapshot> {
  const [server, gateway] = await Promise.all([
    fetchServerHealth(deps.auth.signedInClient()).catch((error: unknown) => ({ error: (error as Error).message })),
    gatewayStats(readConfig().supabaseUrl),
  ]);
  const streams = deps.streams.active;
  const samples = streams.flatMap((s) => s.latencies());
  return {
    at: Date.now(),
    server,
    gateway,
    subscriptions: streams.map((s) => {
      const stats = s.stats();
      return { sessionId: s.sessionId, title: deps.title(s.sessionId), state: s.state.state, viewers: s.viewers.map(({ name, client }) => ({ name, client })), live: stats.live, backfilled: stats.backfilled, joins: stats.joins };
    }),
    latency: { samples: samples.length, p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), p99: percentile(samples, 0.99), histogram: histogram(samples) },
    history: deps.streams.connectionHistory().reverse(),
  };
}

export class HealthPanel implements vscode.Disposable {
  private static current: HealthPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ready = false;

  static show(deps: HealthDeps): HealthPanel {
    if (HealthPanel.current) {
      HealthPanel.current.panel.reveal();
      void HealthPanel.current.refresh();
      return HealthPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(HEALTH_VIEW_TYPE, 'Session Stream Health', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [bundleRoot(deps.extensionUri)] });
    return (HealthPanel.current = new HealthPanel(panel, deps));
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: HealthDeps,
  ) {
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, 'health', 'Session Stream Health');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(() => this.schedule()),
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!isWebviewMessage(m) || (m.type !== 'ready' && m.type !== 'refresh')) return;
        this.ready = true;
        void this.refresh();
      }),
    );
  }

  async refresh(): Promise<void> {
    if (!this.ready) return;
    const snapshot = await healthSnapshot(this.deps);
    void this.panel.webview.postMessage({ type: 'health', snapshot });
    this.schedule();
  }

  /** Every 5 s while the panel is visible; nothing while it is hidden. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = this.panel.visible ? setTimeout(() => void this.refresh(), REFRESH_MS) : undefined;
  }

  dispose(): void {
    if (HealthPanel.current === this) HealthPanel.current = undefined;
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
