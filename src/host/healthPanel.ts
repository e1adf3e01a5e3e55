// "Agent Session Stream: Show Health": one webview panel with the server's figures for the last
// hour (the database's monitoring views, as the signed-in user), who is subscribed to the watched
// sessions (presence; plus the local stack's gateway counters when it is the local stack), and
// this window's own latency distribution and connection history. Refreshed every 5 s while
// visible, and on demand. The page, handshake and message handling are the panel base's.
import * as vscode from 'vscode';
import { fetchServerHealth } from '../core/health';
import { viewerViews } from '../shared/connection';
import { histogram, percentile, type HealthSnapshot } from '../shared/health';
import { isHealthWebviewMessage, type HealthHostMessage, type HealthWebviewMessage } from '../shared/healthProtocol';
import { readConfig } from './config';
import type { PanelDeps } from './timelinePanel';
import { bundleRoot } from './webviewHtml';
import { WebviewPanelBase } from './webviewPanel';

export const HEALTH_VIEW_TYPE = 'sessionStream.health';
const REFRESH_MS = 5000;

/** What a snapshot is made from. */
export interface SnapshotSources extends Pick<PanelDeps, 'auth' | 'streams'> {
  title(sessionId: string): string;
}

export interface HealthDeps extends SnapshotSources, Pick<PanelDeps, 'extensionUri' | 'log'> {}

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

export async function healthSnapshot(deps: SnapshotSources): Promise<HealthSnapshot> {
  const [server, gateway] = await Promise.all([
    // Signed out (or a failing server): the panel says so in its server part and shows the rest.
    (async () => fetchServerHealth(deps.auth.signedInClient()))().catch((error: unknown) => ({ error: (error as Error).message })),
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
      return { sessionId: s.sessionId, title: deps.title(s.sessionId), state: s.state.state, viewers: viewerViews(s.viewers), live: stats.live, backfilled: stats.backfilled, joins: stats.joins };
    }),
    latency: { samples: samples.length, p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), p99: percentile(samples, 0.99), histogram: histogram(samples) },
    history: deps.streams.connectionHistory().reverse(),
  };
}

export class HealthPanel extends WebviewPanelBase<HealthWebviewMessage, HealthHostMessage> {
  private static current: HealthPanel | undefined;
  private timer: NodeJS.Timeout | undefined;

  static show(deps: HealthDeps): HealthPanel {
    if (HealthPanel.current) {
      HealthPanel.current.panel.reveal();
      void HealthPanel.current.receive({ type: 'refresh' });
      return HealthPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(HEALTH_VIEW_TYPE, 'Session Stream Health', vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [bundleRoot(deps.extensionUri)] });
    return (HealthPanel.current = new HealthPanel(panel, deps));
  }

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly deps: HealthDeps,
  ) {
    super(panel, deps.extensionUri, { name: 'Health', bundle: 'health', title: 'Session Stream Health', isMessage: isHealthWebviewMessage }, deps.log);
    this.disposables.push(panel.onDidChangeViewState(() => this.schedule()));
  }

  protected async snapshot(): Promise<HealthHostMessage> {
    const message: HealthHostMessage = { type: 'health', snapshot: await healthSnapshot(this.deps) };
    this.schedule();
    return message;
  }

  protected async handle(message: Exclude<HealthWebviewMessage, { type: 'ready' }>): Promise<void> {
    if (message.type === 'refresh') await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.ready) return;
    this.post(await this.snapshot());
  }

  /** Every 5 s while the panel is visible; nothing while it is hidden. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = this.panel.visible ? setTimeout(() => void this.refresh().catch((error: Error) => this.log.warn(`Health: ${error.message}`)), REFRESH_MS) : undefined;
  }

  protected override onDispose(): void {
    if (HealthPanel.current === this) HealthPanel.current = undefined;
    clearTimeout(this.timer);
  }
}
