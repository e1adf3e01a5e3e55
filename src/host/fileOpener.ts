// FILE_CHANGE / FILES_CHANGED → the file, inside the workspace folder the session is bound to:
// `write` opens it (a preview that does not steal focus, unless the setting says `focus`),
// debounced 500 ms so a burst opens only the last file; `delete` is shown, not
// opened. Paths go through the guard (src/core/pathGuard.ts): anything that leaves the folder is
// refused with a warning and logged.
import * as vscode from 'vscode';
import type { TimelineEntry } from '../shared/entries';
import { resolveInWorkspace } from '../core/pathGuard';
import { readConfig } from './config';
import { notices, statusTexts } from './texts';

export const DEBOUNCE_MS = 500;

export class FileOpener implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private latest: { folder: vscode.WorkspaceFolder; path: string } | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    /** Columns that files must not cover (the timelines'). */
    private readonly reserved: () => Set<vscode.ViewColumn> = () => new Set(),
  ) {}

  /** The first editor column without a timeline: files open beside the timeline, never over it. */
  private column(): vscode.ViewColumn {
    const reserved = this.reserved();
    let column = vscode.ViewColumn.One as number;
    while (reserved.has(column)) column++;
    return column;
  }

  /** New entries of the watched session (live, or backfilled after a reconnect). */
  onEntries(folder: vscode.WorkspaceFolder | undefined, entries: readonly TimelineEntry[]): void {
    if (readConfig().openFilesOnChange === 'off') return;
    for (const entry of entries) {
      if (entry.kind !== 'event') continue;
      const e = entry.event;
      const files = e.type === 'file_change' ? [e.data] : e.type === 'files_changed' ? e.data.files : [];
      for (const f of files) {
        if (f.action === 'delete') {
          this.log.info(`The agent deleted ${f.path}`);
          vscode.window.setStatusBarMessage(statusTexts.deleted(f.path), 4000);
        } else if (!folder) {
          this.log.warn(`Not opening ${f.path}: no workspace folder is open.`);
        } else {
          this.latest = { folder, path: f.path };
        }
      }
    }
    if (this.latest) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.openLatest(), DEBOUNCE_MS);
    }
  }

  private async openLatest(): Promise<void> {
    const target = this.latest;
    this.latest = undefined;
    if (target) await this.open(target.folder, target.path, readConfig().openFilesOnChange === 'focus' ? 'focus' : 'preview');
  }

  /** Opens `relative` inside `folder` through the guard; returns false (with a message) when refused or missing. */
  async open(folder: vscode.WorkspaceFolder, relative: string, mode: 'preview' | 'focus' | 'diff'): Promise<boolean> {
    const guarded = await resolveInWorkspace(folder.uri.fsPath, relative);
    if (!guarded.ok) {
      this.log.warn(`Refused to open "${relative}": ${guarded.reason}.`);
      void vscode.window.showWarningMessage(notices.fileRefused(relative, guarded.reason));
      return false;
    }
    if (!guarded.exists) {
      void vscode.window.showInformationMessage(notices.fileMissing(guarded.relative, folder.name));
      return false;
    }
    const uri = vscode.Uri.file(guarded.absolute);
    if (mode === 'diff') {
      if (await this.inGit(uri)) {
        await vscode.commands.executeCommand('git.openChange', uri);
        return true;
      }
      void vscode.window.showInformationMessage(notices.fileNotInGit(guarded.relative));
    }
    await vscode.window.showTextDocument(uri, { viewColumn: this.column(), preview: mode !== 'focus', preserveFocus: mode === 'preview' });
    return true;
  }

  private async inGit(uri: vscode.Uri): Promise<boolean> {
    const git = vscode.extensions.getExtension<{ getAPI(v: 1): { getRepository(uri: vscode.Uri): unknown } }>('vscode.git');
    if (!git) return false;
    const api = (git.isActive ? git.exports : await git.activate()).getAPI(1);
    return api.getRepository(uri) !== null;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
