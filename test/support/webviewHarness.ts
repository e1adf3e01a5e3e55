/// <reference lib="dom" />
// A built webview bundle (dist/webview: the timeline, or the health panel) in a real Chromium
// (@sparticuz/chromium, driven by playwright-core), under the same strict CSP as the VS Code panel,
// with a stub acquireVsCodeApi that records what the webview posts and keeps its state across
// reloads, and answers the page's requests when told how (in the page, or by a RequestRouter in
// Node, as the panel does). Local address only.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import type { ReplyMessage, RequestMessage, RequestRouter, RequestType } from '../../src/shared/requests';
import type { TimelineHostMessage, TimelineWebviewMessage } from '../../src/shared/timelineProtocol';

const DIST = path.resolve(__dirname, '../../dist/webview');

export const THEMES = {
  dark: '--vscode-foreground:#cccccc;--vscode-editor-background:#1e1e1e;--vscode-descriptionForeground:#9d9d9d;--vscode-badge-background:#4d4d4d;--vscode-badge-foreground:#fff;--vscode-textLink-foreground:#3794ff;--vscode-errorForeground:#f48771;--vscode-charts-blue:#3794ff;--vscode-charts-yellow:#cca700;--vscode-charts-purple:#b180d7;--vscode-charts-orange:#d18616;--vscode-charts-green:#89d185;--vscode-testing-iconPassed:#73c991;--vscode-textCodeBlock-background:#0a0a0a66;--vscode-button-background:#0e639c;--vscode-button-foreground:#fff;--vscode-button-secondaryBackground:#3a3d41;--vscode-button-secondaryForeground:#fff;--vscode-list-hoverBackground:#2a2d2e;--vscode-terminal-ansiRed:#f14c4c;--vscode-terminal-ansiGreen:#23d18b;--vscode-editor-findMatchHighlightBackground:#ea5c0055;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-inputValidation-warningBackground:#352a05;--vscode-inputValidation-errorBackground:#5a1d1d;--vscode-input-background:#313131;--vscode-input-foreground:#cccccc;--vscode-input-border:#3c3c3c;--vscode-settings-textInputBackground:#313131;--vscode-settings-textInputForeground:#cccccc;--vscode-dropdown-background:#313131;--vscode-dropdown-foreground:#cccccc;--vscode-dropdown-border:#3c3c3c;',
  light: '--vscode-foreground:#3b3b3b;--vscode-editor-background:#ffffff;--vscode-descriptionForeground:#717171;--vscode-badge-background:#c4c4c4;--vscode-badge-foreground:#333;--vscode-textLink-foreground:#006ab1;--vscode-errorForeground:#a1260d;--vscode-charts-blue:#1a85ff;--vscode-charts-yellow:#bf8803;--vscode-charts-purple:#652d90;--vscode-charts-orange:#d18616;--vscode-charts-green:#388a34;--vscode-testing-iconPassed:#388a34;--vscode-textCodeBlock-background:#dcdcdc66;--vscode-button-background:#005fb8;--vscode-button-foreground:#fff;--vscode-button-secondaryBackground:#e5e5e5;--vscode-button-secondaryForeground:#3b3b3b;--vscode-list-hoverBackground:#f2f2f2;--vscode-terminal-ansiRed:#cd3131;--vscode-terminal-ansiGreen:#00bc00;--vscode-editor-findMatchHighlightBackground:#ea5c0055;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-editor-font-family:monospace;--vscode-inputValidation-warningBackground:#fffbe6;--vscode-inputValidation-errorBackground:#fde7e9;--vscode-input-background:#ffffff;--vscode-input-foreground:#3b3b3b;--vscode-input-border:#cecece;--vscode-input-placeholderForeground:#767676;--vscode-settings-textInputBackground:#ffffff;--vscode-settings-textInputForeground:#3b3b3b;--vscode-settings-textInputBorder:#cecece;--vscode-dropdown-background:#ffffff;--vscode-dropdown-foreground:#3b3b3b;--vscode-dropdown-border:#cecece;',
};

export class WebviewHarness {
  private server: http.Server | undefined;
  private browser: Browser | undefined;
  page!: Page;
  origin = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.serve(req.url ?? '/', res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.browser = await playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
  }

  /** Opens the timeline for `session` in a fresh page (or reloads, keeping webview state). */
  async open(options: { theme?: keyof typeof THEMES; width?: number; height?: number; keepState?: string; bundle?: 'timeline' | 'health' } = {}): Promise<Page> {
    const context = await this.browser!.newContext({ viewport: { width: options.width ?? 1000, height: options.height ?? 700 } });
    this.page = await context.newPage();
    const errors: string[] = [];
    this.page.on('pageerror', (e) => errors.push(e.message));
    this.page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    (this.page as unknown as { errors: string[] }).errors = errors;
    await this.page.goto(`${this.origin}/index.html?theme=${options.theme ?? 'dark'}&bundle=${options.bundle ?? 'timeline'}&state=${encodeURIComponent(options.keepState ?? '')}`);
    await this.page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    return this.page;
  }

  /** Posts any message as the host would (for panels other than the timeline). */
  sendRaw(message: Record<string, unknown>): Promise<void> {
    return this.send(message as unknown as TimelineHostMessage);
  }

  /** Posts a host message and resolves once the webview has handled it (our listener runs after the app's). */
  send(message: TimelineHostMessage): Promise<void> {
    return this.page.evaluate(
      (m) =>
        new Promise<void>((resolve) => {
          window.addEventListener('message', () => resolve(), { once: true });
          window.postMessage(m, '*');
        }),
      message as unknown as Record<string, unknown>,
    );
  }

  /** Replies to the page's request `id` as the host would (a result, or an error). */
  reply(id: string, reply: { ok: true; result: unknown } | { ok: false; error: string }): Promise<void> {
    return this.sendRaw({ type: 'reply', id, ...reply });
  }

  /**
   * Answers the page's page and search requests as the host does (keyset pages of `entries` by
   * number and type; a case-insensitive substring search over each event's data), after `delayMs`.
   * The real host's reads are tested against the database in the integration tier.
   */
  answerAsHost(entries: unknown[], delayMs = 0): Promise<void> {
    return this.page.evaluate(
      ({ list, delay }) => {
        type E = { kind: string; event?: { seq: number; type: string; data: unknown }; malformed?: { seq: number | null } };
        const all = list as E[];
        const seqOf = (e: E) => (e.kind === 'event' ? e.event!.seq : (e.malformed!.seq ?? 0));
        const w = window as unknown as { __answer: (r: Record<string, unknown>) => unknown; __answerDelay: number };
        w.__answerDelay = delay;
        w.__answer = (r) => {
          const reply = (result: unknown) => ({ type: 'reply', id: r.id, ok: true, result });
          const m = r.params as Record<string, unknown>;
          const types = m.types as string[] | undefined;
          const shown = all.filter((e) => !types || (e.kind === 'event' && types.includes(e.event!.type)));
          if (r.method === 'history/page') {
            const seq = m.seq as number;
            const limit = m.limit as number;
            let page: E[];
            let reachedStart: boolean;
            let reachedEnd: boolean;
            if (m.direction === 'before') {
              const before = shown.filter((e) => seqOf(e) < seq);
              page = before.slice(-limit);
              reachedStart = before.length <= limit;
              reachedEnd = false;
            } else if (m.direction === 'after') {
              const after = shown.filter((e) => seqOf(e) > seq);
              page = after.slice(0, limit);
              reachedStart = false;
              reachedEnd = after.length <= limit;
            } else {
              const half = Math.floor(limit / 2);
              const before = shown.filter((e) => seqOf(e) < seq);
              const after = shown.filter((e) => seqOf(e) >= seq);
              page = [...before.slice(-half), ...after.slice(0, limit - half)];
              reachedStart = before.length <= half;
              reachedEnd = after.length <= limit - half;
            }
            return reply({ entries: JSON.stringify(page), reachedStart, reachedEnd, total: all.length ? seqOf(all[all.length - 1]!) : 0 });
          }
          if (r.method === 'history/search') {
            const q = String(m.query).toLowerCase();
            const after = (m.after as number | undefined) ?? 0;
            const hits = shown.filter((e) => e.kind === 'event' && seqOf(e) > after && JSON.stringify(e.event!.data).toLowerCase().includes(q));
            return reply({ hits: hits.slice(0, 200).map((e) => ({ seq: seqOf(e), type: e.event!.type, snippet: JSON.stringify(e.event!.data).slice(0, 100) })), total: hits.length, capped: false, more: hits.length > 200 });
          }
          return { type: 'reply', id: r.id, ok: false, error: `Unknown request ${String(r.method)}.` };
        };
      },
      { list: entries, delay: delayMs },
    );
  }

  /**
   * Answers the page's requests with `router`, in Node, as the panel does (the real primitive: one
   * reply per request whatever its handlers do; a benchmark's handlers read the database).
   */
  async answerWith(router: RequestRouter): Promise<void> {
    await this.page.exposeFunction('__hostAnswer', (m: RequestMessage): Promise<ReplyMessage> => router.answer(m));
    await this.page.evaluate(() => {
      const w = window as unknown as { __answer: (m: unknown) => unknown; __hostAnswer: (m: unknown) => Promise<unknown> };
      w.__answer = (m) => w.__hostAnswer(m);
    });
  }

  posted(): Promise<TimelineWebviewMessage[]> {
    return this.page.evaluate(() => (window as unknown as { __posted: TimelineWebviewMessage[] }).__posted);
  }

  /** The page's requests of `type` so far, in order: their ids and params. */
  async requests<P, R>(type: RequestType<P, R>): Promise<Array<{ id: string; params: P }>> {
    return (await this.posted()).filter((m): m is RequestMessage => m.type === 'request' && m.method === type.method).map((m) => ({ id: m.id, params: m.params as P }));
  }

  state(): Promise<string> {
    return this.page.evaluate(() => JSON.stringify((window as unknown as { __state: unknown }).__state ?? null));
  }

  errors(): string[] {
    return (this.page as unknown as { errors: string[] }).errors;
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async serve(url: string, res: http.ServerResponse): Promise<void> {
    const u = new URL(url, 'http://x');
    if (u.pathname === '/index.html') {
      const nonce = 'harness-nonce';
      const theme = THEMES[(u.searchParams.get('theme') ?? 'dark') as keyof typeof THEMES] ?? THEMES.dark;
      const state = u.searchParams.get('state') || 'undefined';
      const bundle = u.searchParams.get('bundle') === 'health' ? 'health' : 'timeline';
      // The same policy as the VS Code panel (src/host/webviewHtml.ts).
      const csp = `default-src 'none'; img-src ${this.origin} data:; style-src ${this.origin} 'nonce-${nonce}'; font-src ${this.origin}; script-src 'nonce-${nonce}'`;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/${bundle}.css" nonce="${nonce}"><style nonce="${nonce}">html{${theme}}</style>
<script nonce="${nonce}">
window.__posted = []; window.__state = ${state};
window.__name = (f) => f; // tsx keeps function names with a helper that page.evaluate code refers to
window.__answer = null; // set by answerAsHost or answerWith: the host's reply to a request
window.acquireVsCodeApi = () => ({ postMessage: (m) => { window.__posted.push(m); if (window.__answer && m.type === 'request') setTimeout(() => Promise.resolve(window.__answer(m)).then((r) => { if (r) window.postMessage(r, '*'); }), window.__answerDelay || 0); }, getState: () => window.__state, setState: (s) => { window.__state = s; } });
</script></head><body><div id="app" data-session="s-1"></div><script type="module" nonce="${nonce}" src="/${bundle}.js"></script></body></html>`);
      return;
    }
    const file = path.join(DIST, path.basename(u.pathname));
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  }
}
