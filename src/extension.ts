import * as vscode from 'vscode';
import { createLog } from './host/log';

/** Wires the pieces together; the logic lives in src/host and src/core. */
export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('sessionStream.showLog', () => log.show()),
  );
  log.info(`Agent Session Stream ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
