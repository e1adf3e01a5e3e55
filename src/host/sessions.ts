// The one host model of the signed-in user's sessions, as VS Code's agent-sessions model is for
// its views: the list (kept live by a postgres_changes subscription on coding_sessions), which one
// is watched, which wait on a command sent from this window, and from these one status per session
// ("needs you", "Stopping…", the state). The Sessions view (sessionsTree.ts), the status bar, the
// notifications and the timeline panels read it and follow its two change events; none of them
// computes a status of its own.
import type { RealtimeChannel } from '@supabase/supabase-js';
import * as vscode from 'vscode';
import { withTimeout } from '../core/clock';
import { listSessions } from '../core/sessions';
import { freshChannel } from '../core/supabaseClient';
import { parseSessionRow, type SessionSummary } from '../shared/sessions';
import type { AuthService } from './auth';

/** How a session shows, everywhere it shows: one rule (see `SessionsModel.statusOf`). */
export interface SessionStatus {
  /** "needs you", "Stopping…" (a command of this window waits for its runner) or the state. */
  label: string;
  /** Waiting for an answer and no answer from here on its way. */
  needsYou: boolean;
  /** The label of this window's command still on its way, if any. */
  pending: string | undefined;
  /** The session the status bar follows. */
  selected: boolean;
}

export class SessionsModel implements vscode.Disposable {
  private sessions: SessionSummary[] = [];
  private channel: RealtimeChannel | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private selected: string | undefined;
  private readonly pendingLabels = new Map<string, string>();
  private readonly sentHere = new Set<string>();
  private readonly statusChanged = new vscode.EventEmitter<string>();
  /** Fires with a session id when how it shows changed without the session changing (selected, a command on its way). */
  readonly onDidChangeStatus = this.statusChanged.event;
  private readonly listChanged = new vscode.EventEmitter<readonly SessionSummary[]>();
  /** The sessions themselves changed: one added, removed, renamed or moved to another state. */
  readonly onDidChangeSessions = this.listChanged.event;

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

  /** The session the status bar follows (the watcher selects it). */
  get selectedId(): string | undefined {
    return this.selected;
  }

  select(id: string | undefined): void {
    const before = this.selected;
    if (before === id) return;
    this.selected = id;
    if (before) this.statusChanged.fire(before);
    if (id) this.statusChanged.fire(id);
  }

  /** Sets (or with undefined clears) the label of this window's command on its way to `sessionId`. */
  setPending(sessionId: string, label: string | undefined): void {
    if (this.pendingLabels.get(sessionId) === label) return;
    if (label === undefined) this.pendingLabels.delete(sessionId);
    else this.pendingLabels.set(sessionId, label);
    this.statusChanged.fire(sessionId);
  }

  /** Remembers a command as sent from this window: its outcome is reported where it was sent, once. */
  markSentHere(commandId: string): void {
    this.sentHere.add(commandId);
  }

  wasSentHere(commandId: string): boolean {
    return this.sentHere.has(commandId);
  }

  /** How `s` shows in the tree, the status bar, the menus and its timeline. */
  statusOf(s: SessionSummary): SessionStatus {
    const pending = this.pendingLabels.get(s.id);
    const needsYou = s.state === 'waiting' && !pending;
    return { label: pending ?? (needsYou ? 'needs you' : s.state), needsYou, pending, selected: s.id === this.selected };
  }

  /** Calls `listener` whenever anything about `sessionId` may show differently: the session or its status. */
  onDidChangeSessionView(sessionId: string, listener: (session: SessionSummary) => void): vscode.Disposable {
    const fire = () => {
      const session = this.find(sessionId);
      if (session) listener(session);
    };
    const subscriptions = [this.onDidChangeSessions(fire), this.onDidChangeStatus((id) => id === sessionId && fire())];
    return { dispose: () => subscriptions.forEach((d) => d.dispose()) };
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

  private fireListChanged(): void {
    this.listChanged.fire(this.sessions);
  }

  private async stopLive(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await this.auth.signedInClientOrUndefined()?.removeChannel(channel).catch(() => undefined);
  }

  dispose(): void {
    void this.stopLive();
    this.statusChanged.dispose();
    this.listChanged.dispose();
  }
}
