import * as vscode from 'vscode';

/** The one log of the extension: View → Output → "Agent Session Stream" (style.md §14). */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Agent Session Stream', { log: true });
}
