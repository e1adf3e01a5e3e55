// The "Agents on This Machine" view: which agents stream their sessions here through our hooks
// (docs/hooks.md), which could, and the collector that carries their events — running, idle, or
// what stops it, with what to do. Read from the files on disk (no server round trip), again while
// the view is visible, as hooks come and go with any terminal's `session-stream hooks install`.
import * as vscode from 'vscode';
import { agentOf } from '../bridges';
import { readLogin } from '../cli/userAuth';
import type { MachineHookStatus } from '../worker/hooks/machine';
import { commandRef } from './commandIds';
import { readConfig } from './config';
import { machineStatus } from './machineHooks';

interface Row {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: vscode.ThemeIcon;
  contextValue: string;
}

const POLL_MS = 5000;

export class AgentsTree implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private rows: Row[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly view: vscode.TreeView<Row>;
  private readonly listeners: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.view = vscode.window.createTreeView('sessionStream.agents', { treeDataProvider: this });
    this.listeners.push(this.view, this.view.onDidChangeVisibility(() => this.poll()));
    this.refresh();
  }

  /** Reads the machine's hooks again and redraws. */
  refresh(): void {
    let status: MachineHookStatus | undefined;
    try {
      status = machineStatus();
    } catch (error) {
      this.log.warn(`Agents on This Machine: ${(error as Error).message}`);
    }
    const next = status ? rowsOf(status) : [];
    const hooked = status?.agents.some((a) => a.events.length > 0) ?? false;
    void vscode.commands.executeCommand('setContext', 'sessionStream.hooksInstalled', hooked);
    if (JSON.stringify(next) === JSON.stringify(this.rows)) return;
    this.rows = next;
    this.changed.fire(undefined);
  }

  private poll(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.view.visible) return;
    this.refresh();
    this.timer = setInterval(() => this.refresh(), POLL_MS);
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = row.id;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = row.icon;
    item.contextValue = row.contextValue;
    if (row.contextValue === 'agent notHooked') item.command = commandRef('sessionStream.streamThisMachine', 'Stream Agent Sessions from This Machine…');
    return item;
  }

  getChildren(): Row[] {
    // Nothing hooked: the view's welcome text offers the install instead.
    return this.rows.some((r) => r.contextValue === 'agent hooked') ? this.rows : [];
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const l of this.listeners) l.dispose();
    this.changed.dispose();
  }
}

const icon = (id: string, color?: string) => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);

function rowsOf(status: MachineHookStatus): Row[] {
  const rows: Row[] = status.agents.map((s) => {
    const a = agentOf(s.agent);
    const base = { id: `agent:${s.agent}`, label: a.productName };
    if (s.problem) return { ...base, description: 'cannot be hooked', tooltip: s.problem, icon: icon('warning', 'problemsWarningIcon.foreground'), contextValue: 'agent problem' };
    if (s.events.length > 0) return { ...base, description: s.bin ? 'streams its sessions' : 'hooked (not on PATH here)', tooltip: `Hooked in ${s.file} (${s.events.join(', ')}). Every session started on this machine streams to your Sessions.`, icon: icon('pass', 'testing.iconPassed'), contextValue: 'agent hooked' };
    return { ...base, description: s.bin ? 'not streamed' : 'not installed here', tooltip: s.bin ? `Not hooked: its sessions do not stream. Install hooks into ${s.file}.` : `${a.productName} is not on PATH here.`, icon: icon('circle-outline'), contextValue: 'agent notHooked' };
  });
  const c = status.collector;
  const login = readLoginQuietly();
  const problems = [...status.problems];
  if (!login) problems.push('The collector is not signed in: run "Stream Agent Sessions from This Machine…" again.');
  else if (login.url !== readConfig().supabaseUrl) problems.push(`The collector stores sessions at ${login.url}, not at the project this window uses: run "Stream Agent Sessions from This Machine…" again to move it here.`);
  const description = problems.length ? 'needs attention' : c.running ? `running${c.spooled ? `, ${c.spooled} event(s) to store` : ''}` : 'idle (starts with the next agent session)';
  const tooltip = [...problems, login ? `Signed in as ${login.email ?? 'you'} at ${login.url}.` : '', ...c.lastLog.map((l) => `Log: ${l}`)].filter(Boolean).join('\n');
  rows.push({ id: 'collector', label: 'Collector', description, tooltip, icon: problems.length ? icon('warning', 'problemsWarningIcon.foreground') : c.running ? icon('broadcast') : icon('circle-large-outline'), contextValue: 'collector' });
  return rows;
}

function readLoginQuietly() {
  try {
    return readLogin(process.env);
  } catch {
    return undefined;
  }
}
