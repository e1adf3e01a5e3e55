import * as vscode from 'vscode';

/** The one log of the extension: View → Output → "Agent Session Stream" (docs/architecture.md). */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Agent Session Stream', { log: true });
}
