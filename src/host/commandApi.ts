// `vscode.commands` for the extension's own commands: only a `CommandId` (commandIds.ts) can be
// registered or run through here. Built-in commands are run with `vscode.commands` directly.
import * as vscode from 'vscode';
import type { CommandId } from './commandIds';

export function registerCommand(id: CommandId, run: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, run);
}

export function executeCommand(id: CommandId, ...args: unknown[]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}
