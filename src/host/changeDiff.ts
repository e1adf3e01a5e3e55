// Shows the change a file_change event carries in VS Code's diff editor: two read-only virtual
// documents rebuilt from the event's own unified diff (src/core/diffSides.ts), so it works when
// the agent ran on another machine and whatever the file looks like now.
import * as vscode from 'vscode';
import { sidesOfDiff } from '../core/diffSides';

export const CHANGE_SCHEME = 'session-stream-change';

export class ChangeDiffs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  /** Sides by `<eventId>/<before|after>`; small, and kept while the window lives. */
  private readonly sides = new Map<string, string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(CHANGE_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.sides.get(`${uri.query}/${uri.path.split('/')[1]}`) ?? '(this change is no longer loaded; open it again from the timeline)';
  }

  /** Opens `diff` (of `path`, from event `eventId`, `seq`) side by side. */
  async open(eventId: string, seq: number, path: string, diff: string): Promise<void> {
    const sides = sidesOfDiff(diff);
    this.sides.set(`${eventId}/before`, sides.before);
    this.sides.set(`${eventId}/after`, sides.after);
    const file = (sides.path ?? path).replace(/^\/+/, '');
    const uri = (side: string) => vscode.Uri.from({ scheme: CHANGE_SCHEME, path: `/${side}/${file}`, query: eventId });
    await vscode.commands.executeCommand('vscode.diff', uri('before'), uri('after'), `${path.split('/').pop()} (the agent's change, #${seq})`, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.sides.clear();
  }
}
