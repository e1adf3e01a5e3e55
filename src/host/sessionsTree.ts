// The Sessions view (state icons, newest first, the watched one marked) and the "Select Session"
// pick: two ways of showing the sessions model, drawn from its status of each session.
import * as vscode from 'vscode';
import { sourceLabel } from '../bridges';
import { commandsFor, parseWaitingFor } from '../shared/commands';
import type { SessionState } from '../shared/events';
import type { SessionSummary } from '../shared/sessions';
import { commandRef } from './commandIds';
import type { SessionsModel } from './sessions';
import { pickTexts, treeTexts } from './texts';

const ICONS: Record<SessionState, vscode.ThemeIcon> = {
  pending: new vscode.ThemeIcon('circle-outline'),
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  paused: new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow')),
  waiting: new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('charts.orange')),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

export function stateIcon(state: SessionState): vscode.ThemeIcon {
  return ICONS[state] ?? ICONS.pending;
}

/** "3 min ago", "2 h ago", "Nov 3". */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

export class SessionsTree implements vscode.TreeDataProvider<SessionSummary>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listeners: vscode.Disposable[];

  constructor(private readonly model: SessionsModel) {
    this.listeners = [model.onDidChangeSessions(() => this.changed.fire(undefined)), model.onDidChangeStatus(() => this.changed.fire(undefined))];
  }

  getTreeItem(s: SessionSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(treeTexts.label(s.title), vscode.TreeItemCollapsibleState.None);
    item.id = s.id;
    item.iconPath = stateIcon(s.state);
    const source = sourceLabel(s.source);
    const status = this.model.statusOf(s);
    item.description = treeTexts.description(status.label, age(s.created_at), source, status.selected);
    item.tooltip = new vscode.MarkdownString(treeTexts.tooltip(s, source, parseWaitingFor(s.waiting_for)), true);
    // "session canStop canPause …": the view's menus offer what the state allows (package.json).
    item.contextValue = ['session', ...commandsFor(s.state).map((k) => `can${k[0]!.toUpperCase()}${k.slice(1)}`)].join(' ');
    item.command = commandRef('sessionStream.openTimeline', 'Open Timeline', s.id);
    return item;
  }

  getChildren(): SessionSummary[] {
    return [...this.model.all];
  }

  dispose(): void {
    for (const l of this.listeners) l.dispose();
    this.changed.dispose();
  }
}

/** Quick pick of the sessions, newest first; undefined when dismissed. */
export async function pickSession(model: SessionsModel, placeHolder = 'Select a session to watch'): Promise<SessionSummary | undefined> {
  if (model.all.length === 0) await model.refresh();
  if (model.all.length === 0) {
    void vscode.window.showInformationMessage('You have no sessions yet. Run "Agent Session Stream: Run Demo Session" or start an agent.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    model.all.map((s) => ({ ...pickTexts.session(s, stateIcon(s.state).id, age(s.created_at), sourceLabel(s.source)), session: s })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.session;
}
