// "Stream Agent Sessions from This Machine…": our hook in each agent's own settings — the same
// install as `session-stream hooks install` (docs/hooks.md) — so every Claude Code, Codex and
// Gemini CLI session started the usual way (a terminal, an editor panel, CI) shows up here live and
// can be answered here. What will change is shown before anything is written. Two things differ
// from the command line's install, both so that it keeps working:
// - the collector the hooks start is a copy of the extension's own command line in the hooks folder
//   (collector/cli.js): the extension's folder changes with each update, the copy does not, and
//   each start of the extension refreshes it;
// - the collector signs in on its own, as the same user, with a sign-in of its own (the command
//   line's saved login): an approval from this window must come from another sign-in than the one
//   the agent's side holds, or the collector refuses it as its own.
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { agentOf, type AgentKind } from '../bridges';
import { hooksDir } from '../cli/hooksCommand';
import { readLogin, saveLogin } from '../cli/userAuth';
import { createSupabaseClient, isUnreachable, unreachableMessage } from '../core/supabaseClient';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../shared/localDefaults';
import { whichCommand } from '../worker/agentVersion';
import { collectorCopyPath, placeCollectorCopy } from '../worker/hooks/collectorCopy';
import { installHooks, readCollectorConfig, uninstallHooks, type AgentHookState } from '../worker/hooks/install';
import { HOOKED_AGENTS, machineHookStatus, type MachineHookStatus } from '../worker/hooks/machine';
import type { AuthService } from './auth';
import { readConfig } from './config';
import { findLocalStack } from './localStack';

export interface MachineHooksDeps {
  extensionUri: vscode.Uri;
  auth: AuthService;
  log: vscode.LogOutputChannel;
  /** Called after hooks were installed or taken out (the Agents view redraws). */
  changed(): void;
}

/** What the command may be given instead of asking (the tests, a walkthrough). */
export interface StreamMachineArgs {
  agents?: AgentKind[];
}

const TITLE = 'Stream Agent Sessions from This Machine';
const AGAIN = `run "Agent Session Stream: ${TITLE}…" again`;

/** Where the hooks go: the user's settings of each agent, as the command line's `--scope user`. */
export function hookPlace() {
  const env = process.env;
  return { home: env.HOME || os.homedir(), env, cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir(), scope: 'user' as const, agents: HOOKED_AGENTS, dir: hooksDir(env) };
}

export function machineStatus(): MachineHookStatus {
  return machineHookStatus(hookPlace(), AGAIN);
}

const tilde = (file: string) => file.replace(os.homedir(), '~');

/** The command. Resolves with what was installed (undefined when the user backed out). */
export async function streamThisMachine(d: MachineHooksDeps, args: StreamMachineArgs = {}): Promise<AgentHookState[] | undefined> {
  d.auth.signedInClient();
  const state = d.auth.state;
  if (state.kind !== 'signedIn') return undefined;
  const agents = args.agents ?? (await pickAgents());
  if (!agents?.length) return undefined;
  if (!(await collectorSignIn(d, state.email))) return undefined;
  const place = hookPlace();
  const states = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${TITLE}: installing hooks…` }, async () => {
    const bundled = vscode.Uri.joinPath(d.extensionUri, 'dist', 'cli.js').fsPath;
    const { file: cli } = placeCollectorCopy(place.dir, bundled);
    const node = collectorRuntime();
    return installHooks({
      ...place,
      agents,
      answerTimeoutMs: readConfig().hookAnswerTimeoutSeconds * 1000,
      collector: [node.path, cli, 'hooks', 'collect'],
      collectorEnv: { HOME: place.home, PATH: process.env.PATH ?? '/usr/bin:/bin', SESSION_STREAM_CONFIG_DIR: path.dirname(place.dir), ...node.env },
    });
  });
  d.changed();
  for (const s of states) d.log.info(`${TITLE}: ${agentOf(s.agent).productName}: ${s.problem ?? `${s.change} ${s.file}`}`);
  const done = states.filter((s) => !s.problem).map((s) => agentOf(s.agent).productName);
  const failed = states.filter((s) => s.problem);
  if (failed.length) void vscode.window.showErrorMessage(failed.map((s) => `${agentOf(s.agent).productName}: ${s.problem}`).join(' '));
  if (done.length) {
    const wait = readConfig().hookAnswerTimeoutSeconds;
    void vscode.window.showInformationMessage(`Every new ${done.join(', ')} session on this machine now shows in Sessions, live. A permission it asks for waits ${wait} s for your answer here, then the agent asks in its terminal.`);
  }
  return states;
}

/** "Stop Streaming Agent Sessions from This Machine…": takes our hooks out, after saying from where. */
export async function stopStreamingThisMachine(d: MachineHooksDeps): Promise<AgentHookState[] | undefined> {
  const place = hookPlace();
  const hooked = machineStatus().agents.filter((s) => s.events.length > 0);
  if (hooked.length === 0) {
    void vscode.window.showInformationMessage('No agent on this machine has our hooks in its settings.');
    return undefined;
  }
  const files = hooked.map((s) => `${agentOf(s.agent).productName}: ${tilde(s.file!)}`).join('\n');
  const choice = await vscode.window.showWarningMessage('Stop streaming agent sessions from this machine?', { modal: true, detail: `Our hooks are taken out of:\n${files}\n\nEverything else in those files stays; a file nobody changed since is put back exactly as it was.` }, 'Take Hooks Out');
  if (choice !== 'Take Hooks Out') return undefined;
  const states = uninstallHooks({ ...place, agents: hooked.map((s) => s.agent) });
  d.changed();
  void vscode.window.showInformationMessage(`Sessions of ${hooked.map((s) => agentOf(s.agent).productName).join(', ')} no longer stream from this machine.`);
  return states;
}

/**
 * At each start: the collector copy follows the extension's own command line (an update brings a
 * new one), and hooks whose collector command is gone (its runtime moved) are written again.
 */
export function refreshCollector(d: Pick<MachineHooksDeps, 'extensionUri' | 'log'>): void {
  const place = hookPlace();
  const config = readCollectorConfig(place.dir);
  const copy = collectorCopyPath(place.dir);
  if (!config?.collector?.includes(copy)) return; // not installed from VS Code
  try {
    const { changed } = placeCollectorCopy(place.dir, vscode.Uri.joinPath(d.extensionUri, 'dist', 'cli.js').fsPath);
    if (changed) d.log.info(`Hooks: the collector at ${copy} now runs this version of the extension.`);
  } catch (error) {
    d.log.warn(`Hooks: could not refresh the collector at ${copy}: ${(error as Error).message}`);
  }
}

/** The Node the collector runs on: `node` on PATH, else VS Code's own runtime as Node. */
function collectorRuntime(): { path: string; env: Record<string, string> } {
  const node = whichCommand('node');
  if (node) return { path: node, env: {} };
  return { path: process.execPath, env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {} };
}

type AgentItem = vscode.QuickPickItem & { agent: AgentKind };

async function pickAgents(): Promise<AgentKind[] | undefined> {
  const status = machineStatus();
  const items: AgentItem[] = status.agents.map((s) => {
    const a = agentOf(s.agent);
    const hooked = s.events.length > 0;
    return {
      agent: s.agent,
      label: `$(${a.icon}) ${a.productName}`,
      description: s.problem ? 'cannot be hooked' : hooked ? 'streams already (installs again)' : s.bin ? 'installed' : 'not installed here',
      detail: s.problem ?? `Adds hooks to ${tilde(s.file!)}. Your settings stay; the file as it is now is kept beside it (.session-stream-backup).`,
      picked: !s.problem && (hooked || s.bin !== undefined),
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: TITLE,
    placeHolder: 'Which agents should stream their sessions here?',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  return picked?.map((p) => p.agent);
}

/**
 * A sign-in of the collector's own (the command line's saved login) as the user signed in here.
 * Kept when it is there already; the local stack's demo user needs no password.
 */
async function collectorSignIn(d: MachineHooksDeps, email: string): Promise<boolean> {
  const { supabaseUrl: url, supabaseAnonKey: anonKey } = readConfig();
  const saved = readLogin(process.env);
  if (saved?.url === url && saved.email === email && saved.refreshToken) return true;
  const local = await findLocalStack();
  let password = local?.url === url && email === DEMO_EMAIL ? DEMO_PASSWORD : undefined;
  let problem = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    password ??= await vscode.window.showInputBox({
      title: `${TITLE}: sign the hooks in`,
      prompt: `${problem}The agents' sessions are stored as yours by a collector that signs in on its own, so an approval from this window never comes from the agent's side. Password for ${email}${saved ? ` (replaces the command line's saved sign-in${saved.email ? ` as ${saved.email}` : ''} at ${saved.url})` : ''}:`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return false;
    const { data, error } = await createSupabaseClient(url, anonKey).auth.signInWithPassword({ email, password });
    if (data.session) {
      const file = saveLogin({ url, anonKey, email, refreshToken: data.session.refresh_token, savedAt: new Date().toISOString() }, process.env);
      d.log.info(`Hooks: the collector signs in as ${email}; saved in ${file}.`);
      return true;
    }
    const message = error?.message ?? 'no session';
    if (isUnreachable(message)) throw new Error(unreachableMessage(url, message));
    problem = `That did not work (${message}). `;
    password = undefined;
  }
  throw new Error(`Could not sign the hooks in as ${email}: ${problem}`);
}
