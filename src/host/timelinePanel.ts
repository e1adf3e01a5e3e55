// The timeline: an editor-area WebviewPanel per session (title = session title), restored after a
// reload by a WebviewPanelSerializer. The page, handshake and message handling are the panel base's
// (webviewPanel.ts); entries are batched to one message per frame.
import * as vscode from 'vscode';
import { commandsFor, parseWaitingFor } from '../shared/commands';
import { viewerViews } from '../shared/connection';
import type { TimelineEntry } from '../shared/entries';
import type { RequestMessage } from '../shared/requests';
import { addCommentRequest, editCommentRequest, encodeEntries, isTimelineWebviewMessage, pageRequest, searchRequest, type InitMessage, type SessionView, type TimelineHostMessage, type TimelineWebviewMessage } from '../shared/timelineProtocol';
import type { AuthService } from './auth';
import { executeCommand } from './commandApi';
import { STEERING_COMMAND_IDS } from './commandIds';
import { PanelComments } from './panelComments';
import { eventLink, PanelHistory } from './panelHistory';
import { sourceLabel } from '../bridges';
import type { SessionSummary } from '../shared/sessions';
import type { SessionsModel } from './sessions';
import type { StreamLease, StreamRegistry } from './streams';
import { PanelRegistry, WebviewPanelBase } from './webviewPanel';
import { bundleRoot } from './webviewHtml';
import { panelTitle } from './texts';

export const VIEW_TYPE = 'sessionStream.timeline';
const FRAME_MS = 16;

export interface PanelDeps {
  extensionUri: vscode.Uri;
  streams: StreamRegistry;
  auth: AuthService;
  openFile(sessionId: string, path: string, mode: 'preview' | 'diff'): Promise<void>;
  /** The diff editor for a change's own diff. */
  openChange(eventId: string, seq: number, path: string, diff: string): Promise<void>;
  log: vscode.LogOutputChannel;
  /** The sessions model: the panel follows its session's changes and status ("Stopping…") there. */
  sessions: SessionsModel;
  /** A waiting request's whole input, in a read-only editor. */
  showRequestInput(sessionId: string, agentRequestId: string): Promise<void>;
}

export class TimelinePanel extends WebviewPanelBase<TimelineWebviewMessage, TimelineHostMessage> {
  private static readonly open = new PanelRegistry<TimelinePanel>();
  private lease: StreamLease | undefined;
  private readonly comments: PanelComments;
  private readonly history: PanelHistory;
  /** An event to show once the page is (re)loaded (a link opened the panel), and when that was asked. */
  private revealSeq: { seq: number; at: number } | undefined;
  private pending: TimelineEntry[] = [];
  private pendingInserted = false;
  private flushTimer: NodeJS.Timeout | undefined;

  /**
   * Shows the session's timeline in its own editor column, on the right: where other timelines
   * are, else the second column. Files the agent writes open in another column (see
   * `timelineColumns`), so the timeline is never covered by them.
   */
  static show(deps: PanelDeps, session: SessionSummary, options: { preserveFocus?: boolean } = {}): TimelinePanel {
    const existing = TimelinePanel.open.get(session.id);
    if (existing) {
      existing.panel.reveal(undefined, options.preserveFocus);
      return existing;
    }
    const column = [...TimelinePanel.timelineColumns()][0] ?? vscode.ViewColumn.Two;
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, panelTitle(session.title), { viewColumn: column, preserveFocus: options.preserveFocus }, TimelinePanel.options(deps.extensionUri));
    return new TimelinePanel(panel, deps, session);
  }

  /** The editor columns that hold a timeline. */
  static timelineColumns(): Set<vscode.ViewColumn> {
    return new Set([...TimelinePanel.open.values()].map((p) => p.panel.viewColumn).filter((c): c is vscode.ViewColumn => c !== undefined));
  }

  static revive(panel: vscode.WebviewPanel, deps: PanelDeps, session: SessionSummary): TimelinePanel {
    panel.webview.options = TimelinePanel.options(deps.extensionUri);
    return new TimelinePanel(panel, deps, session);
  }

  static forSession(id: string): TimelinePanel | undefined {
    return TimelinePanel.open.get(id);
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [bundleRoot(extensionUri)] };
  }

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    private session: SessionSummary,
  ) {
    super(panel, deps.extensionUri, { name: 'Timeline', bundle: 'timeline', title: 'Session timeline', data: { session: session.id }, isMessage: isTimelineWebviewMessage }, deps.log);
    TimelinePanel.open.add(session.id, this);
    this.lease = deps.streams.acquire(session.id);
    const stream = this.lease.stream;
    this.comments = new PanelComments(deps.auth, session.id, deps.log);
    this.history = new PanelHistory(deps.auth, session.id, (m) => this.post(m), () => this.session.title);
    this.onRequest(pageRequest, (params) => this.history.page(params));
    this.onRequest(searchRequest, (params) => this.history.search(params));
    this.onRequest(addCommentRequest, (params) => this.comments.add(params));
    this.onRequest(editCommentRequest, (params) => this.comments.edit(params));
    this.disposables.push(
      this.comments,
      stream.onDidChangeAnnotations((c) => this.post({ type: 'annotations', ...c })),
      stream.onDidReceive((batch) => this.queue(batch.entries, batch.inserted)),
      stream.onDidChangeState((s) => this.post({ type: 'connection', connection: s, now: Date.now() })),
      stream.onDidChangeViewers((v) => this.post({ type: 'viewers', viewers: viewerViews(v) })),
      deps.sessions.onDidChangeSessionView(session.id, (fresh) => this.updateSession(fresh)),
    );
  }

  private updateSession(session: SessionSummary): void {
    this.session = session;
    this.panel.title = panelTitle(session.title);
    this.post({ type: 'session', session: this.view() });
  }

  private view(): SessionView {
    return {
      id: this.session.id,
      title: this.session.title,
      state: this.session.state,
      createdAt: this.session.created_at,
      source: sourceLabel(this.session.source),
      cwd: this.session.cwd ?? undefined,
      requests: parseWaitingFor(this.session.waiting_for),
      commands: commandsFor(this.session.state),
      pending: this.deps.sessions.statusOf(this.session).pending,
    };
  }

  /** Everything so far; what was queued before is in it, so no event arrives twice. */
  protected async snapshot(): Promise<InitMessage | undefined> {
    const readSeq = await this.comments.readMarker();
    const stream = this.lease?.stream;
    if (!stream) return undefined;
    this.pending = [];
    this.pendingInserted = false;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const entries = stream.log.entries();
    const total = stream.log.lastSeq ?? 0;
    // Counts per type over the whole session follow (the filters); a link's event after the page is up.
    setTimeout(() => {
      void this.history.counts(total);
      // A hidden panel's page is reloaded when it is shown again: a link asked of it just now is shown then.
      if (this.revealSeq && Date.now() - this.revealSeq.at < 15_000) this.post({ type: 'reveal', seq: this.revealSeq.seq });
      this.revealSeq = undefined;
    }, 0);
    return {
      type: 'init',
      session: this.view(),
      entries: encodeEntries(entries),
      total,
      reachedStart: entries.length === 0 || (stream.log.firstSeq ?? 1) <= 1,
      connection: stream.state,
      now: Date.now(),
      viewers: viewerViews(stream.viewers),
      annotations: stream.annotations.list(),
      me: this.comments.me,
      readSeq,
    };
  }

  protected async handle(message: Exclude<TimelineWebviewMessage, { type: 'ready' } | RequestMessage>): Promise<void> {
    switch (message.type) {
      case 'deleteAnnotation':
      case 'read':
        return this.comments.handle(message);
      case 'openFile':
        return this.deps.openFile(this.session.id, message.path, message.mode);
      case 'openDiff': {
        const entry = this.lease?.stream.log.entries().find((e) => e.kind === 'event' && e.event.id === message.eventId);
        if (entry?.kind === 'event' && entry.event.type === 'file_change' && entry.event.data.diff) return this.deps.openChange(entry.event.id, entry.event.seq, entry.event.data.path, entry.event.data.diff);
        void vscode.window.showInformationMessage('That change carries no diff to show.');
        return;
      }
      case 'reconnect':
        this.lease?.stream.reconnect();
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage(`$(copy) ${message.what ?? 'Event JSON'} copied`, 2000);
        return;
      case 'exportJsonl':
        return this.history.exportTo('jsonl');
      case 'exportMarkdown':
        return this.history.exportTo('markdown');
      case 'copySessionMarkdown':
        return this.history.copyMarkdown();
      case 'copyLink':
        await vscode.env.clipboard.writeText(await eventLink(this.session.id, message.seq));
        vscode.window.setStatusBarMessage(`$(link) Link to event #${message.seq} copied`, 3000);
        return;
      case 'control':
        await executeCommand(STEERING_COMMAND_IDS[message.kind], this.session.id, message.agentRequestId, message.shownWhole === true);
        return;
      case 'showInput':
        return this.deps.showRequestInput(this.session.id, message.agentRequestId);
    }
  }

  /** Shows the event numbered `seq`, highlighted (now, or once the page is ready). */
  reveal(seq: number): void {
    this.revealSeq = { seq, at: Date.now() };
    if (this.ready && this.panel.visible) this.post({ type: 'reveal', seq });
  }

  private queue(entries: TimelineEntry[], inserted: boolean): void {
    if (!this.ready) return; // the answer to `ready` will carry them
    this.pending.push(...entries);
    this.pendingInserted ||= inserted;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const batch = this.pending;
      this.pending = [];
      const wasInserted = this.pendingInserted;
      this.pendingInserted = false;
      if (batch.length > 0) this.post({ type: 'entries', entries: encodeEntries(batch), inserted: wasInserted });
    }, FRAME_MS);
  }

  protected override onDispose(): void {
    clearTimeout(this.flushTimer);
    this.lease?.dispose();
    this.lease = undefined;
  }
}
