// The commands of the extension, registered in one place; each handler reports errors the user
// can act on instead of failing silently.
import * as vscode from 'vscode';
import { NotReadyError, type AuthService } from './auth';
import type { CommandKind } from '../shared/commands';
import { executeCommand, registerCommand } from './commandApi';
import { COMMAND_IDS, commandName, type CommandId } from './commandIds';
import { sessionMenu, type SessionControl } from './control';
import { HealthPanel } from './healthPanel';
import { eventLink, parseEventLink } from './panelHistory';
import { LOCAL_STACK_ENV_FILE } from '../shared/localDefaults';
import { findLocalStack, useLocalStack } from './localStack';
import type { SessionsModel } from './sessions';
import type { StreamRegistry } from './streams';
import { TimelinePanel, type PanelDeps } from './timelinePanel';
import type { SessionWatcher } from './watcher';
import { pickSession } from './sessionsTree';
import { runAgentCommand, type AgentRuns, type RunAgentArgs } from './runAgent';
import type { AgentsTree } from './agentsTree';
import { stopStreamingThisMachine, streamThisMachine, type StreamMachineArgs } from './machineHooks';
import { emitTestEvent, runDemoSession, setServiceRoleKey } from './workerCommands';
import { notices, pickTexts } from './texts';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  auth: AuthService;
  sessions: SessionsModel;
  streams: StreamRegistry;
  watcher: SessionWatcher;
  panelDeps: PanelDeps;
  control: SessionControl;
  runs: AgentRuns;
  agents: AgentsTree;
}

type Handler = (...args: unknown[]) => Promise<unknown>;

/** Opens the timeline of `sessionId` at event `seq`, highlighted (a link to it). */
export async function openEvent(d: Pick<CommandDeps, 'auth' | 'sessions' | 'panelDeps'>, sessionId: string, seq: number): Promise<void> {
  d.auth.signedInClient();
  if (!d.sessions.find(sessionId)) await d.sessions.refresh();
  const session = d.sessions.find(sessionId);
  if (!session) throw new Error('That link is to a session you cannot see: it belongs to someone else, or it was deleted. Sign in as a user who may see it.');
  TimelinePanel.show(d.panelDeps, session).reveal(seq);
}

function guarded(log: vscode.LogOutputChannel, name: string, run: Handler) {
  return async (...args: unknown[]) => {
    try {
      await run(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error(`${name}: ${message}`);
      const actions = error instanceof NotReadyError ? ['Sign In'] : [];
      const choice = await vscode.window.showErrorMessage(notices.error(message), ...actions);
      if (choice === 'Sign In') void executeCommand('sessionStream.signIn');
    }
  };
}

export async function signIn(auth: AuthService, secrets: vscode.SecretStorage): Promise<void> {
  if (auth.state.kind === 'unconfigured') {
    const local = await findLocalStack();
    const choice = await vscode.window.showInformationMessage(
      local ? `Connect to the local stack at ${local.url}?` : 'Set the Supabase URL and anon key of your project first.',
      ...(local ? ['Use Local Stack', 'Open Settings'] : ['Open Settings']),
    );
    if (choice === 'Open Settings') return void vscode.commands.executeCommand('workbench.action.openSettings', 'sessionStream.supabase');
    if (choice !== 'Use Local Stack' || !local) return;
    await useLocalStack(local, secrets);
    await auth.reload();
  }
  const email = await vscode.window.showInputBox({ title: 'Sign in to Supabase (1/2)', prompt: 'Email', ignoreFocusOut: true, validateInput: (v) => (/^\S+@\S+$/.test(v) ? undefined : 'An email address, e.g. you@example.com') });
  if (!email) return;
  const password = await vscode.window.showInputBox({ title: 'Sign in to Supabase (2/2)', prompt: `Password for ${email}`, password: true, ignoreFocusOut: true });
  if (!password) return;
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Signing in…' }, () => auth.signIn(email, password));
  } catch (error) {
    const message = (error as Error).message;
    if (!/Wrong email or password/.test(message)) throw error;
    const choice = await vscode.window.showErrorMessage(message, 'Try Again', 'Create Account');
    if (choice === 'Try Again') return signIn(auth, secrets);
    if (choice === 'Create Account') await auth.signUp(email, password);
  }
}

/** Registers every command of COMMAND_IDS (the table below must have a handler for each). */
export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const { log, auth, sessions, watcher, context } = d;
  const sessionArg = async (arg: unknown) => {
    const id = typeof arg === 'string' ? arg : (arg as { id?: string } | undefined)?.id;
    if (id) {
      if (!sessions.find(id)) await sessions.refresh();
      const found = sessions.find(id);
      if (found) return found;
    }
    auth.signedInClient();
    return pickSession(sessions);
  };
  const openTimeline = async (arg?: unknown) => {
    const session = arg === undefined && watcher.current ? watcher.current : await sessionArg(arg);
    if (session) TimelinePanel.show(d.panelDeps, session);
  };
  const openLink = async (arg?: unknown) => {
    const text = typeof arg === 'string' ? arg : await vscode.window.showInputBox({ title: 'Open Link to Event', prompt: 'A link copied from a timeline ("Copy Link")', ignoreFocusOut: true, validateInput: (v) => (parseEventLink(v) ? undefined : 'Not a link to an event of a session') });
    if (!text) return;
    const link = parseEventLink(text);
    if (!link) throw new Error('That is not a link to an event of a session. Copy one with "Copy Link" on an event in the timeline.');
    await openEvent(d, link.sessionId, link.seq);
  };
  // From the Sessions view (the item), the timeline (its id, and a request's), or the palette
  // (the watched session, else a pick).
  const steer = (kind: CommandKind): Handler => async (arg?: unknown, agentRequestId?: unknown, shownWhole?: unknown) => {
    const session = arg === undefined && watcher.current ? watcher.current : await sessionArg(arg);
    if (session) await d.control.run(kind, session, { agentRequestId: typeof agentRequestId === 'string' ? agentRequestId : undefined, shownWhole: shownWhole === true });
  };
  const machineDeps = { extensionUri: context.extensionUri, auth, log, changed: () => d.agents.refresh() };
  const handlers: Record<CommandId, Handler> = {
    'sessionStream.showLog': async () => log.show(),
    'sessionStream.signIn': () => signIn(auth, context.secrets),
    'sessionStream.signOut': async () => {
      watcher.stop();
      d.streams.closeAll();
      await auth.signOut();
    },
    'sessionStream.useLocalStack': async () => {
      const local = await findLocalStack();
      if (!local) {
        void vscode.window.showWarningMessage(`No local stack found (${LOCAL_STACK_ENV_FILE}). Start one with \`npm run stack\`.`);
        return;
      }
      await useLocalStack(local, context.secrets);
      await auth.reload();
      if (auth.state.kind !== 'signedIn') await signIn(auth, context.secrets);
    },
    'sessionStream.selectSession': async (arg?: unknown) => {
      const session = await sessionArg(arg);
      if (!session) return;
      const folders = vscode.workspace.workspaceFolders ?? [];
      const folder = folders.length > 1 ? (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder does this agent work in?' })) : undefined;
      await watcher.select(session, folder);
    },
    'sessionStream.openTimeline': openTimeline,
    'sessionStream.openEventLink': openLink,
    'sessionStream.copyLinkToEvent': async (arg?: unknown, seqArg?: unknown) => {
      const session = arg === undefined && watcher.current ? watcher.current : await sessionArg(arg);
      if (!session) return;
      const seq = typeof seqArg === 'number' ? seqArg : Number(await vscode.window.showInputBox({ title: pickTexts.copyLinkTitle(session.title), prompt: 'The event number (#N in the timeline)', validateInput: (v) => (/^[1-9]\d*$/.test(v) ? undefined : 'A number from 1') }));
      if (!Number.isSafeInteger(seq) || seq < 1) return;
      await vscode.env.clipboard.writeText(await eventLink(session.id, seq));
      vscode.window.setStatusBarMessage(`$(link) Link to event #${seq} copied`, 3000);
    },
    'sessionStream.sessionMenu': async (arg?: unknown) => {
      const session = arg === undefined && watcher.current ? watcher.current : await sessionArg(arg);
      if (session) await sessionMenu(session, d.control, d.sessions);
    },
    'sessionStream.stop': steer('stop'),
    'sessionStream.pause': steer('pause'),
    'sessionStream.resume': steer('resume'),
    'sessionStream.sendMessage': steer('message'),
    'sessionStream.approve': steer('approve'),
    'sessionStream.deny': steer('deny'),
    'sessionStream.reconnect': async () => watcher.reconnect(),
    'sessionStream.showHealth': async () => {
      auth.signedInClient();
      HealthPanel.show({ extensionUri: context.extensionUri, auth, streams: d.streams, log, title: (id) => sessions.find(id)?.title ?? id.slice(0, 8) });
    },
    'sessionStream.refreshSessions': () => sessions.refresh(),
    'sessionStream.emitTestEvent': () => emitTestEvent(context.secrets, sessions, auth, log),
    'sessionStream.setServiceRoleKey': () => setServiceRoleKey(context.secrets),
    'sessionStream.runDemo': () =>
      runDemoSession(context.secrets, auth, log, async (id) => {
        await sessions.refresh();
        const s = sessions.find(id);
        if (s) {
          await watcher.select(s);
          TimelinePanel.show(d.panelDeps, s);
        }
      }),
    'sessionStream.runAgent': async (args?: unknown) => {
      await runAgentCommand(
        {
          extensionUri: context.extensionUri,
          log,
          runs: d.runs,
          openSession: async (id) => {
            const s = await sessions.waitFor(id, 20_000);
            if (!s) throw new Error('The run streams as another user than the one signed in here, so its session is not in your list. Sign the command line in as you (session-stream login), or set SESSION_STREAM_EMAIL and SESSION_STREAM_PASSWORD.');
            await watcher.select(s);
            TimelinePanel.show(d.panelDeps, s, { preserveFocus: true });
          },
        },
        typeof args === 'object' && args !== null ? (args as RunAgentArgs) : {},
      );
    },
    'sessionStream.streamThisMachine': (args?: unknown) => streamThisMachine(machineDeps, typeof args === 'object' && args !== null ? (args as StreamMachineArgs) : {}),
    'sessionStream.stopStreamingThisMachine': () => stopStreamingThisMachine(machineDeps),
    'sessionStream.refreshAgents': async () => d.agents.refresh(),
    'sessionStream.openChanges': async (path?: unknown) => {
      const session = watcher.current;
      const folder = session && watcher.folderFor(session.id);
      if (typeof path === 'string' && folder) await watcher.opener.open(folder, path, 'diff');
    },
  };
  return COMMAND_IDS.map((id) => registerCommand(id, guarded(log, commandName(id), handlers[id])));
}
