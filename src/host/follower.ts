// Follows new sessions on its own (`sessionStream.followNewSessions`): when nothing is watched, or
// the watched session has ended, a session that starts is selected and its timeline opened beside
// the editor — so starting an agent is enough to see it live. The rule is src/core/follow.ts.
import type * as vscode from 'vscode';
import { sessionToFollow } from '../core/follow';
import type { AuthService } from './auth';
import { readConfig } from './config';
import type { SessionSummary } from '../shared/sessions';
import type { SessionsModel } from './sessions';
import type { SessionWatcher } from './watcher';

export class SessionFollower implements vscode.Disposable {
  /** Ids seen at the last look; undefined until the first look after sign-in. */
  private known: Set<string> | undefined;
  private started = false;
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsModel,
    private readonly watcher: SessionWatcher,
    private readonly show: (session: SessionSummary) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.listener = sessions.onDidChangeSessions(() => this.look());
  }

  /** After sign-in, once the last watched session is restored: the first look. */
  start(): void {
    this.known = undefined;
    this.started = this.auth.state.kind === 'signedIn';
    this.look();
  }

  private look(): void {
    if (!this.started || this.auth.state.kind !== 'signedIn') return;
    const pick = sessionToFollow(readConfig().followNewSessions, this.sessions.all, this.known, this.watcher.current);
    this.known = new Set(this.sessions.all.map((s) => s.id));
    if (!pick) return;
    const session = this.sessions.find(pick.id)!;
    this.log.info(`Following the new session "${session.title}" (${session.id})`);
    this.watcher.select(session).then(
      () => this.show(session),
      (error: Error) => this.log.error(`Could not follow ${session.id}: ${error.message}`),
    );
  }

  dispose(): void {
    this.listener.dispose();
  }
}
