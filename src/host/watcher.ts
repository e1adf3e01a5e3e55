// The session being watched — the one owner of "the selected session": its stream drives the
// status bar, the file opener and the notifications. Remembers the choice (and the folder it is
// bound to) per workspace, follows the sign-in (signed out: nothing is watched) and the session's
// own changes (title, state).
import * as vscode from 'vscode';
import type { AuthService } from './auth';
import { ConnectionIndicator } from './statusBar';
import { FileOpener } from './fileOpener';
import { notifyEntries } from './notifier';
import type { SessionSummary } from '../shared/sessions';
import type { SessionsModel } from './sessions';
import type { StreamLease, StreamRegistry } from './streams';

const SELECTED_KEY = 'sessionStream.selectedSession';
const FOLDERS_KEY = 'sessionStream.sessionFolders';

export class SessionWatcher implements vscode.Disposable {
  readonly indicator: ConnectionIndicator;
  readonly opener: FileOpener;
  private lease: StreamLease | undefined;
  private listener: vscode.Disposable | undefined;
  private selected: SessionSummary | undefined;
  private readonly listeners: vscode.Disposable[];

  constructor(
    private readonly state: vscode.Memento,
    private readonly auth: AuthService,
    private readonly sessions: SessionsModel,
    private readonly streams: StreamRegistry,
    log: vscode.LogOutputChannel,
    reservedColumns?: () => Set<vscode.ViewColumn>,
  ) {
    this.opener = new FileOpener(log, reservedColumns);
    this.indicator = new ConnectionIndicator(sessions);
    this.listeners = [
      sessions.onDidChangeSessions(() => {
        const fresh = this.selected && sessions.find(this.selected.id);
        if (fresh) this.selected = fresh;
      }),
      auth.onDidChange((state) => {
        this.indicator.setAuth(state);
        if (state.kind !== 'signedIn') this.stop();
      }),
    ];
  }

  get current(): SessionSummary | undefined {
    return this.selected;
  }

  /** The workspace folder FILE_CHANGE paths of `sessionId` resolve in. */
  folderFor(sessionId: string): vscode.WorkspaceFolder | undefined {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const bound = this.state.get<Record<string, string>>(FOLDERS_KEY, {})[sessionId];
    return folders.find((f) => f.uri.toString() === bound) ?? folders[0];
  }

  async select(session: SessionSummary, folder?: vscode.WorkspaceFolder): Promise<void> {
    this.stop();
    this.selected = session;
    this.sessions.select(session.id);
    await this.state.update(SELECTED_KEY, session.id);
    if (folder) await this.state.update(FOLDERS_KEY, { ...this.state.get<Record<string, string>>(FOLDERS_KEY, {}), [session.id]: folder.uri.toString() });
    this.lease = this.streams.acquire(session.id);
    const stream = this.lease.stream;
    this.listener = stream.onDidReceive((batch) => {
      if (batch.initial) return;
      this.opener.onEntries(this.folderFor(session.id), batch.entries);
      notifyEntries(this.sessions, session.id, this.selected?.title ?? 'Agent session', batch.entries);
    });
    this.indicator.follow(session, stream);
  }

  /** Picks up the session selected last time in this workspace, if it still exists. */
  async restore(): Promise<void> {
    const id = this.state.get<string>(SELECTED_KEY);
    const session = id ? this.sessions.find(id) : undefined;
    if (session && this.auth.state.kind === 'signedIn') await this.select(session);
  }

  reconnect(): void {
    this.lease?.stream.reconnect();
  }

  stop(): void {
    this.listener?.dispose();
    this.lease?.dispose();
    this.listener = undefined;
    this.lease = undefined;
    this.selected = undefined;
    this.sessions.select(undefined);
    this.indicator.follow(undefined, undefined);
  }

  dispose(): void {
    this.stop();
    for (const l of this.listeners) l.dispose();
    this.opener.dispose();
    this.indicator.dispose();
  }
}
