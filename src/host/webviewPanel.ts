// What every webview panel of the extension shares: the page, the handshake (the page posts `ready`
// after every load; the host answers with the whole state, and posts nothing before that — the
// answer carries everything, so nothing is queued that would then arrive twice), a check of every
// message the page sends, handlers whose failures are logged and shown to the user instead of
// vanishing as unhandled rejections, the page's requests (each answered with exactly one reply, an
// error reply when its handler fails: src/shared/requests.ts), and disposal. Each panel's messages
// are typed by its protocol in src/shared (timelineProtocol.ts, healthProtocol.ts).
import * as vscode from 'vscode';
import { notices } from './texts';
import { isRequestMessage, RequestRouter, type ReplyMessage, type RequestMessage, type RequestType } from '../shared/requests';
import type { ReadyMessage } from '../shared/webviewProtocol';
import { webviewHtml } from './webviewHtml';

export interface PanelPage<In extends { type: string }> {
  /** The panel's name in messages to the user and in the log ("Timeline", "Health"). */
  name: string;
  /** dist/webview/<bundle>.js and .css */
  bundle: string;
  title: string;
  /** data-* attributes of the page's root element. */
  data?: Record<string, string>;
  /** The protocol's check of what the page posts. */
  isMessage(m: unknown): m is In;
}

export abstract class WebviewPanelBase<In extends { type: string }, Out extends { type: string }> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  private isReady = false;
  private disposed = false;
  private readonly requests: RequestRouter;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly page: PanelPage<In>,
    protected readonly log: vscode.LogOutputChannel,
  ) {
    this.requests = new RequestRouter((method, error) => this.log.warn(`${page.name}: ${method} failed: ${error}`));
    panel.webview.html = webviewHtml(panel.webview, extensionUri, page.bundle, page.title, page.data);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
    );
  }

  /** The whole state so far, the answer to `ready`; undefined when there is nothing to show. */
  protected abstract snapshot(): Promise<Out | undefined>;

  /** Handles a checked message other than `ready` and requests. A throw is shown to the user. */
  protected abstract handle(message: Exclude<In, ReadyMessage | RequestMessage>): Promise<void>;

  /** Answers the page's requests of `type`; whatever `handler` does, the page gets one reply. */
  protected onRequest<P, R>(type: RequestType<P, R>, handler: (params: P) => R | Promise<R>): void {
    this.requests.onRequest(type, handler);
  }

  /** Called once, before the panel's own disposables are disposed. */
  protected onDispose(): void {}

  /** Whether the page has been sent its state (posts before that are dropped). */
  protected get ready(): boolean {
    return this.isReady;
  }

  /**
   * Every message from the page comes through here. Never rejects: a message that fails the check
   * is logged and ignored, a handler that throws is logged and shown, a request gets its reply.
   */
  async receive(message: unknown): Promise<void> {
    if (!this.page.isMessage(message)) {
      this.log.warn(`${this.page.name}: ignored a malformed message from the page: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    if (isRequestMessage(message)) return this.reply(await this.requests.answer(message));
    try {
      if (message.type === 'ready') {
        // The page (re)loaded: nothing reaches it until it has the whole state.
        this.isReady = false;
        const state = await this.snapshot();
        if (this.disposed || !state) return;
        this.isReady = true;
        this.post(state);
      } else await this.handle(message as Exclude<In, ReadyMessage | RequestMessage>);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.error(`${this.page.name}: "${message.type}" failed: ${reason}`);
      void vscode.window.showErrorMessage(`${this.page.name}: ${notices.error(reason)}`);
    }
  }

  protected post(message: Out): void {
    if (!this.isReady || this.disposed) return;
    this.panel.webview.postMessage(message).then(undefined, (error: unknown) => this.log.debug(`${this.page.name}: a message was not delivered: ${String(error)}`));
  }

  /**
   * Replies skip the handshake's hold: the page asked after its `ready`, so it waits for them (and
   * ignores one meant for the page before a reload: the ids are that page's own).
   */
  private reply(message: ReplyMessage): void {
    if (this.disposed) return;
    this.panel.webview.postMessage(message).then(undefined, (error: unknown) => this.log.debug(`${this.page.name}: a reply was not delivered: ${String(error)}`));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** The open panels of one kind, by key; a panel leaves when it is disposed. */
export class PanelRegistry<P extends { panel: vscode.WebviewPanel }> {
  private readonly panels = new Map<string, P>();

  get(key: string): P | undefined {
    return this.panels.get(key);
  }

  add(key: string, panel: P): P {
    this.panels.set(key, panel);
    panel.panel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
    return panel;
  }

  values(): IterableIterator<P> {
    return this.panels.values();
  }
}
