// The signed-in user's sessions: a model kept live by a postgres_changes subscription on
// coding_sessions, the Sessions view (state icons, newest first) and the "Select Session" pick.
import type { RealtimeChannel } from '@supabase/supabase-js';
import * as vscode from 'vscode';
import { sourceLabel } from '../bridges';
import { withTimeout } from '../core/clock';
import { listSessions } from '../core/sessions';
import { freshChannel } from '../core/supabaseClient';
import { parseSessionRow, type SessionSummary } from '../shared/sessions';
import { commandsFor, parseWaitingFor } from '../shared/commands';
import type { SessionState } from '../shared/events';
import type { AuthService } from './auth';
import { commandRef } from './commandIds';
import { pickTexts, treeTexts } from './texts';

const ICONS: Record<SessionState, vscode.ThemeIcon> = {
  pending: new vscode.ThemeIcon('circle-outline'),
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  paused: new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow')),
  waiting: new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('charts.orange')),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

export function stateIcon(state: SessionState): vscode.ThemeIcon {
  return ICONS[state] ?? ICONS.pending;
}

/** "3 min ago", "2 h ago", "Nov 3". */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

export class SessionsModel implements vscode.TreeDataProvider<SessionSummary>, vscode.Disposable {
  private sessions: SessionSummary[] = [];
  private channel: RealtimeChannel | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<SessionSummary | undefined>();
  /** For the tree view: the list or how an item is drawn (the watched marker) changed. */
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listChanged = new vscode.EventEmitter<readonly SessionSummary[]>();
  /** The sessions themselves changed: one added, removed, renamed or moved to another state. */
  readonly onDidChangeSessions = this.listChanged.event;
  /** The session the status bar follows (shown with a marker). */
  selectedId: string | undefined;
  /** "Stopping…" while this window's command to a session waits for its runner. */
  pendingLabel: (sessionId: string) => string | undefined = () => undefined;

  constructor(
    private readonly auth: AuthService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get all(): readonly SessionSummary[] {
    return this.sessions;
  }

  find(id: string): SessionSummary | undefined {
    return this.sessions.find((s) => s.id === id);
  }

  /** The session once it is in the list (live), or undefined after `timeoutMs` (then listed once more). */
  async waitFor(id: string, timeoutMs: number): Promise<SessionSummary | undefined> {
    const found = this.find(id);
    if (found) return found;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const subscription = this.onDidChangeSessions(() => this.find(id) && done());
      function done() {
        clearTimeout(timer);
        subscription.dispose();
        resolve();
      }
    });
    if (!this.find(id)) await this.refresh().catch(() => undefined);
    return this.find(id);
  }

  /**
   * Loads the list and keeps it live; clears it when signed out. Calls while one runs wait for one
   * more full run after it (never return before the list is loaded: a restored panel looks its
   * session up).
   */
  refresh(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return (this.running = this.load().finally(() => (this.running = undefined)));
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  private async load(): Promise<void> {
    await this.stopLive();
    if (this.auth.state.kind !== 'signedIn') {
      this.sessions = [];
      this.fireListChanged();
      return;
    }
    const client = this.auth.signedInClient();
    const userId = this.auth.state.userId;
    // Subscribe FIRST and list once joined: a session created in between is then either in the
    // list or delivered live, never lost in the gap. The token must reach Realtime before the join
    // (or it joins as anon and RLS hides every row); right after sign-in, pass it explicitly.
    const token = (await client.auth.getSession()).data.session?.access_token;
    await client.realtime.setAuth(token ?? null);
    if (this.channel) return; // a concurrent refresh subscribed meanwhile
    const live: Array<{ kind: 'upsert'; row: SessionSummary } | { kind: 'delete'; id: string }> = [];
    let listed = false;
    const apply = (change: (typeof live)[number]) => {
      if (change.kind === 'delete') this.sessions = this.sessions.filter((s) => s.id !== change.id);
      else {
        const i = this.sessions.findIndex((s) => s.id === change.row.id);
        if (i >= 0) this.sessions[i] = change.row;
        else this.sessions.unshift(change.row);
      }
    };
    const joined = new Promise<void>((resolve) => {
      const channel = (this.channel = freshChannel(client, `sessions:${userId}`))
        .on('postgres_changes', { event: '*', schema: 'public', table: 'coding_sessions', filter: `user_id=eq.${userId}` }, (payload) => {
          let change: (typeof live)[number];
          if (payload.eventType === 'DELETE') change = { kind: 'delete', id: (payload.old as { id: string }).id };
          else {
            const parsed = parseSessionRow(payload.new);
            if (!parsed.ok) return void this.log.warn(`Sessions list: a changed session that is not one was left out (${parsed.reason})`);
            change = { kind: 'upsert', row: parsed.session };
          }
          if (!listed) return void live.push(change);
          apply(change);
          this.fireListChanged();
        })
        .subscribe((status) => {
          // CLOSED after a refresh replaced this channel is expected, not worth a warning.
          if (status !== 'SUBSCRIBED' && this.channel === channel) this.log.warn(`Sessions list: live updates ${status}`);
          resolve();
        });
    });
    await withTimeout(joined, 10_000);
    // Projects without the migrations that add steering, or where sessions come from, are listed
    // with the columns they have.
    try {
      this.sessions = await listSessions(client);
    } catch (e) {
      this.log.error((e as Error).message);
      throw e;
    }
    for (const change of live) apply(change);
    listed = true;
    this.fireListChanged();
  }

  getTreeItem(s: SessionSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(treeTexts.label(s.title), vscode.TreeItemCollapsibleState.None);
    item.id = s.id;
    item.iconPath = stateIcon(s.state);
    const source = sourceLabel(s.source);
    const requests = parseWaitingFor(s.waiting_for);
    const state = this.pendingLabel(s.id) ?? (s.state === 'waiting' ? 'needs you' : s.state);
    item.description = treeTexts.description(state, age(s.created_at), source, s.id === this.selectedId);
    item.tooltip = new vscode.MarkdownString(treeTexts.tooltip(s, source, requests), true);
    // "session canStop canPause …": the view's menus offer what the state allows (package.json).
    item.contextValue = ['session', ...commandsFor(s.state).map((k) => `can${k[0]!.toUpperCase()}${k.slice(1)}`)].join(' ');
    item.command = commandRef('sessionStream.openTimeline', 'Open Timeline', s.id);
    return item;
  }

  getChildren(): SessionSummary[] {
    return this.sessions;
  }

  /** Quick pick of the sessions, newest first; undefined when dismissed. */
  async pick(placeHolder = 'Select a session to watch'): Promise<SessionSummary | undefined> {
    if (this.sessions.length === 0) await this.refresh();
    if (this.sessions.length === 0) {
      void vscode.window.showInformationMessage('You have no sessions yet. Run "Agent Session Stream: Run Demo Session" or start an agent.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      this.sessions.map((s) => ({ ...pickTexts.session(s, stateIcon(s.state).id, age(s.created_at), sourceLabel(s.source)), session: s })),
      { placeHolder, matchOnDescription: true, matchOnDetail: true },
    );
    return picked?.session;
  }

  private fireListChanged(): void {
    this.changed.fire(undefined);
    this.listChanged.fire(this.sessions);
  }

  changedItem(): void {
    this.changed.fire(undefined);
  }

  private async stopLive(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await this.auth.signedInClientOrUndefined()?.removeChannel(channel).catch(() => undefined);
  }

  dispose(): void {
    void this.stopLive();
    this.changed.dispose();
    this.listChanged.dispose();
  }
}
