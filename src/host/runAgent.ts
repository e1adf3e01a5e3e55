// "Run Agent…": pick an agent CLI that is installed here, type the task, and it runs in a VS Code
// terminal under `session-stream run` — streamed and steerable like any run, its timeline opened
// as soon as its session exists. The run signs in on its own (the command line's sign-in: your
// `session-stream login`, SESSION_STREAM_EMAIL and _PASSWORD, or the local stack's demo user), so
// approvals sent from VS Code come from another sign-in than the runner's, as they must.
import path from 'node:path';
import * as vscode from 'vscode';
import { AGENTS, type AgentDefinition } from '../bridges';
import { whichCommand } from '../worker/agentVersion';
import { readConfig } from './config';
import { findLocalStack } from './localStack';
import { RunTerminal } from './agentTerminal';
import { notices, pickTexts } from './texts';

/** A run started from this window. */
export interface AgentRun {
  agent: string;
  task: string;
  terminal: vscode.Terminal;
  sessionId?: string;
  /** Undefined while it runs (null: ended by a signal). */
  exitCode?: number | null;
  /** The last 64 KiB of what its terminal showed. */
  output: string;
}

/** The runs started from this window, newest last (a few are kept after they end). */
export class AgentRuns {
  private readonly runs: AgentRun[] = [];

  get all(): readonly AgentRun[] {
    return this.runs;
  }

  add(run: AgentRun): AgentRun {
    this.runs.push(run);
    while (this.runs.length > 20 && this.runs[0]!.exitCode !== undefined) this.runs.shift();
    return run;
  }
}

export interface RunAgentDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  runs: AgentRuns;
  /** Opens the session's timeline once the extension can see it. */
  openSession(sessionId: string): Promise<void>;
}

/** What the command may be given instead of asking (another extension, a keybinding, the tests). */
export interface RunAgentArgs {
  agent?: string;
  task?: string;
}

function installed(): Array<{ agent: AgentDefinition; bin: string }> {
  return AGENTS.flatMap((agent) => {
    const bin = whichCommand(agent.command);
    return bin ? [{ agent: agent as AgentDefinition, bin }] : [];
  });
}

async function pickAgent(wanted: string | undefined): Promise<AgentDefinition | undefined> {
  const found = installed();
  if (wanted) {
    const agent = found.find((f) => f.agent.kind === wanted)?.agent;
    if (!agent) throw new Error(`${AGENTS.find((a) => a.kind === wanted)?.productName ?? wanted} is not installed here (not found on PATH).`);
    return agent;
  }
  if (found.length === 0) {
    const install = AGENTS.map((a) => `${a.productName}: npm install -g ${a.npmPackage}`).join('; ');
    void vscode.window.showWarningMessage(`No agent CLI found on PATH. Install one — ${install} — and run this again.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    found.map((f) => ({ ...pickTexts.agent(f.agent.productName, f.agent.icon, f.bin), agent: f.agent })),
    { placeHolder: 'Which agent runs the task?', matchOnDescription: true },
  );
  return picked?.agent;
}

/** Where the run finds the project: the local stack's env file when VS Code uses it, else the settings. */
async function connectionEnv(): Promise<NodeJS.ProcessEnv> {
  const { supabaseUrl, supabaseAnonKey } = readConfig();
  const local = await findLocalStack();
  if (local && local.url === supabaseUrl) return { SESSION_STREAM_ENV_FILE: local.file, SUPABASE_URL: undefined, SUPABASE_ANON_KEY: undefined };
  return { SUPABASE_URL: supabaseUrl, SUPABASE_ANON_KEY: supabaseAnonKey };
}

/** Runs the command; resolves with the terminal (undefined when the user backed out). */
export async function runAgentCommand(d: RunAgentDeps, args: RunAgentArgs = {}): Promise<vscode.Terminal | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('Open the folder the agent is to work in first (File → Open Folder…).');
  const agent = await pickAgent(args.agent);
  if (!agent) return undefined;
  const task =
    args.task ??
    (await vscode.window.showInputBox({
      title: `Run ${agent.productName}`,
      prompt: `What should ${agent.label} do in ${folder.name}?`,
      placeHolder: 'e.g. fix the failing test',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Say what the agent should do.'),
    }));
  if (!task?.trim()) return undefined;

  const argv = agent.run.commandFor(task.trim());
  const env: NodeJS.ProcessEnv = { ...process.env, ...(await connectionEnv()), ELECTRON_RUN_AS_NODE: '1' };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  let opened = false;
  const run: Omit<AgentRun, 'terminal'> & { terminal?: vscode.Terminal } = { agent: agent.kind, task, output: '' };
  const pty = new RunTerminal({
    node: process.execPath,
    cli: vscode.Uri.joinPath(d.extensionUri, 'dist', 'cli.js').fsPath,
    args: ['run', '--', ...argv],
    cwd: folder.uri.fsPath,
    env,
    onOutput: (text) => (run.output = (run.output + text).slice(-65_536)),
    onSession: (sessionId) => {
      run.sessionId = sessionId;
      if (opened) return;
      opened = true;
      d.openSession(sessionId).catch((error: Error) => {
        d.log.warn(`Run Agent: ${error.message}`);
        void vscode.window.showWarningMessage(notices.error(error.message));
      });
    },
    onExit: (code) => {
      run.exitCode = code;
      d.log.info(`Run Agent: ${agent.productName} in ${path.basename(folder.uri.fsPath)} ended (${code ?? 'signal'})`);
    },
  });
  const terminal = vscode.window.createTerminal({ name: pickTexts.runTerminalName(agent.label, task), pty, iconPath: new vscode.ThemeIcon(agent.icon) });
  run.terminal = terminal;
  d.runs.add(run as AgentRun);
  terminal.show();
  return terminal;
}
