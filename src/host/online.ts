// This window among the user's online viewers (the private topic `viewers:<user id>`) while it is
// signed in: a hooked agent's permission request then waits for an answer from here; with no
// window online the agent asks in its terminal at once (docs/hooks.md). The same topic tells it
// when what the user may read changed (docs/teams.md): `onAccessChanged`.
import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import { showOnline } from '../core/viewers';
import type { AuthService } from './auth';
import { readConfig } from './config';
import { presenceName } from './streams';

export class OnlinePresence implements vscode.Disposable {
  private shown: { dispose(): void } | undefined;
  private readonly key = randomUUID();
  private readonly listeners: vscode.Disposable[];

  constructor(
    private readonly auth: AuthService,
    private readonly log: vscode.LogOutputChannel,
    private readonly onAccessChanged: () => void,
  ) {
    this.listeners = [auth.onDidChange(() => void this.update()), auth.onDidChangeClient(() => void this.update())];
    void this.update();
  }

  private async update(): Promise<void> {
    this.shown?.dispose();
    this.shown = undefined;
    const state = this.auth.state;
    if (state.kind !== 'signedIn') return;
    try {
      this.shown = await showOnline(this.auth.signedInClient(), state.userId, { key: this.key, name: presenceName(readConfig().displayName, state.email), client: 'vscode' }, this.onAccessChanged);
    } catch (error) {
      this.log.warn(`Online presence: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    this.shown?.dispose();
    for (const l of this.listeners) l.dispose();
  }
}
