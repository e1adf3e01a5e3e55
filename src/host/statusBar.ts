// The connection indicator, VS Code style, driven by stream
// events: connecting (spinning), the watched session and its state, "Reconnecting in 8 s (3/10)"
// on a warning background, "Disconnected" on an error background (click to reconnect). While a
// retry is pending a 1 s tick updates the countdown; nothing is polled.
import * as vscode from 'vscode';
import type { SessionEventStream } from '../core/sessionEventStream';
import { commandsFor, parseWaitingFor } from '../shared/commands';
import { secondsUntilRetry, viewerLabel, type ConnectionState } from '../shared/connection';
import type { AuthState } from './auth';
import type { SessionSummary } from '../shared/sessions';
import type { SessionsModel } from './sessions';
import { commandRef, type CommandId, type CommandRef } from './commandIds';
import { statusTexts, statusTooltip } from './texts';

export class ConnectionIndicator implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('sessionStream.connection', vscode.StatusBarAlignment.Left, 50);
  private stream: SessionEventStream | undefined;
  private session: SessionSummary | undefined;
  private listener: vscode.Disposable | undefined;
  private countdown: NodeJS.Timeout | undefined;
  private auth: AuthState = { kind: 'unconfigured' };
  private sessionView: vscode.Disposable | undefined;

  constructor(private readonly sessions: SessionsModel) {
    this.item.name = 'Agent Session Stream';
    this.render();
    this.item.show();
  }

  /** What the status bar shows now (text and background), for tests and the log. */
  get shown(): { text: string; background: string | undefined; command: string | undefined } {
    const bg = this.item.backgroundColor as { id?: string } | undefined;
    return { text: this.item.text, background: bg?.id, command: typeof this.item.command === 'string' ? this.item.command : this.item.command?.command };
  }

  setAuth(state: AuthState): void {
    this.auth = state;
    this.render();
  }

  /** Follows `stream` (or nothing). */
  follow(session: SessionSummary | undefined, stream: SessionEventStream | undefined): void {
    this.listener?.dispose();
    this.sessionView?.dispose();
    // The session's own changes (title, state) and its status (a command on its way) redraw it.
    this.sessionView = session
      ? this.sessions.onDidChangeSessionView(session.id, (fresh) => {
          this.session = fresh;
          this.render();
        })
      : undefined;
    this.session = session;
    this.stream = stream;
    const listeners = stream ? [stream.onDidChangeState(() => this.render()), stream.onDidReceive(() => this.renderTooltip()), stream.onDidChangeViewers(() => this.renderTooltip())] : [];
    this.listener = { dispose: () => listeners.forEach((l) => l.dispose()) };
    this.render();
  }

  private render(): void {
    clearTimeout(this.countdown);
    this.countdown = undefined;
    const item = this.item;
    const onClick = (command: CommandId | CommandRef) => (item.command = command);
    item.backgroundColor = undefined;
    onClick('sessionStream.selectSession');
    if (this.auth.kind !== 'signedIn') {
      item.text = '$(plug) Session Stream';
      item.tooltip = this.auth.kind === 'unconfigured' ? 'Agent Session Stream: not connected to Supabase. Click to sign in.' : 'Agent Session Stream: signed out. Click to sign in.';
      onClick('sessionStream.signIn');
      item.accessibilityInformation = { label: item.tooltip };
      return;
    }
    if (!this.stream || !this.session) {
      item.text = '$(broadcast) Select Session';
      item.tooltip = 'Agent Session Stream: choose a session to watch';
      item.accessibilityInformation = { label: item.tooltip };
      return;
    }
    const s: ConnectionState = this.stream.state;
    // A session that can still be steered opens its menu (timeline first); an ended one its timeline.
    onClick(commandsFor(this.session.state).length > 0 ? commandRef('sessionStream.sessionMenu', 'Session Menu', this.session.id) : commandRef('sessionStream.openTimeline', 'Open Timeline', this.session.id));
    switch (s.state) {
      case 'joining':
      case 'closed':
        item.text = '$(sync~spin) Connecting…';
        break;
      case 'joined': {
        const status = this.sessions.statusOf(this.session);
        if (status.needsYou) {
          item.text = statusTexts.needsYou(this.session.title);
          item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        } else item.text = statusTexts.watching(this.session.title, status.pending ?? this.session.state);
        break;
      }
      case 'reconnecting': {
        const seconds = secondsUntilRetry(s, Date.now());
        item.text = `$(warning) Reconnecting in ${seconds} s (${s.attempt}/${s.maxAttempts})`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        onClick('sessionStream.reconnect');
        if (seconds > 0) this.countdown = setTimeout(() => this.render(), 1000);
        break;
      }
      case 'error':
        item.text = '$(error) Disconnected';
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        onClick('sessionStream.reconnect');
        break;
    }
    this.renderTooltip();
  }

  private renderTooltip(): void {
    if (!this.stream || !this.session) return;
    const st = this.stream.stats();
    const s = this.stream.state;
    // Trusted for our one command link only; everything else in it is escaped text (texts.ts).
    const md = new vscode.MarkdownString(
      statusTooltip({
        title: this.session.title,
        state: this.session.state,
        connection: s.state,
        reason: 'reason' in s ? s.reason : undefined,
        events: this.stream.log.size,
        joins: st.joins,
        lastEventAt: st.lastEventAt,
        latencyMs: st.lastLatencyMs,
        viewers: this.stream.viewers.map(viewerLabel),
        requests: parseWaitingFor(this.session.waiting_for),
        click: s.state === 'error' || s.state === 'reconnecting' ? 'Click to reconnect now.' : commandsFor(this.session.state).length > 0 ? 'Click to open the timeline or steer the agent.' : 'Click to open the timeline.',
      }),
      true,
    );
    md.isTrusted = { enabledCommands: ['sessionStream.selectSession'] satisfies CommandId[] };
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: `Agent Session Stream: ${this.item.text.replace(/\$\([^)]*\)\s*/g, '')}` };
  }

  dispose(): void {
    clearTimeout(this.countdown);
    this.listener?.dispose();
    this.sessionView?.dispose();
    this.item.dispose();
  }
}
