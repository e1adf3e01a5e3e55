// COMPLETION and ERROR → a notification with the message and stats and an "Open Timeline" action,
// as the `notifications` setting allows (all | errors | off). History loaded on open is what
// happened before you looked: it does not notify; events missed during a disconnect do.
import * as vscode from 'vscode';
import type { TimelineEntry } from '../shared/entries';
import { executeCommand } from './commandApi';
import { readConfig } from './config';
import type { SessionsModel } from './sessions';
import { notices } from './texts';

export function notifyEntries(sessions: SessionsModel, sessionId: string, title: string, entries: readonly TimelineEntry[]): void {
  const mode = readConfig().notifications;
  if (mode === 'off') return;
  for (const entry of entries) {
    if (entry.kind !== 'event') continue;
    const e = entry.event;
    const open = 'Open Timeline';
    const act = (choice: string | undefined) => choice === open && void executeCommand('sessionStream.openTimeline', sessionId);
    if (e.type === 'completion' && mode === 'all') {
      void vscode.window.showInformationMessage(notices.completed(title, e.data.message, e.data.stats), open).then(act);
    } else if (e.type === 'error' && typeof e.data.command === 'object' && e.data.command !== null) {
      // A command sent from this window has its outcome reported where it was sent (control.ts), once.
      if (sessions.wasSentHere(String((e.data.command as { id?: unknown }).id))) continue;
      // A steering command that was refused or is not supported: worth knowing, not a failure of the run.
      void vscode.window.showWarningMessage(notices.commandProblem(title, e.data.message), open).then(act);
    } else if (e.type === 'error') {
      void vscode.window.showErrorMessage(notices.failed(title, e.data.message, e.data.stats), open).then(act);
    }
  }
}
