import * as vscode from 'vscode';
import { RequestInputs } from './host/requestInput';
import { notices } from './host/texts';
import { AuthService } from './host/auth';
import { ChangeDiffs } from './host/changeDiff';
import { openEvent, registerCommands } from './host/commands';
import { parseEventLink } from './host/panelHistory';
import { onDidChangeConfig } from './host/config';
import { createLog } from './host/log';
import { SessionsModel } from './host/sessions';
import { SessionsTree } from './host/sessionsTree';
import { StreamRegistry } from './host/streams';
import { TimelinePanel, VIEW_TYPE, type PanelDeps } from './host/timelinePanel';
import { SessionWatcher } from './host/watcher';
import { SessionControl } from './host/control';
import { AgentRuns } from './host/runAgent';
import { SessionFollower } from './host/follower';
import { connectOnStart } from './host/startup';
import { AgentsTree } from './host/agentsTree';
import { refreshCollector } from './host/machineHooks';
import { OnlinePresence } from './host/online';

/** What activate() returns: the live pieces, for the extension-host tests (and other extensions). */
export interface ExtensionApi {
  auth: AuthService;
  sessions: SessionsModel;
  /** The Sessions view, drawn from `sessions`. */
  tree: SessionsTree;
  watcher: SessionWatcher;
  streams: StreamRegistry;
  control: SessionControl;
  /** The agents run from this window (Run Agent…). */
  runs: AgentRuns;
  /** The Agents on This Machine view (hooks). */
  agents: AgentsTree;
}

/** Wires the pieces together; the logic lives in src/host and src/core. */
export async function activate(context: vscode.ExtensionContext): Promise<ExtensionApi> {
  const log = createLog();
  const auth = new AuthService(context.secrets, log);
  const sessions = new SessionsModel(auth, log);
  const streams = new StreamRegistry(auth, log);
  const watcher = new SessionWatcher(context.workspaceState, auth, sessions, streams, log, () => TimelinePanel.timelineColumns());
  const changes = new ChangeDiffs();
  const inputs = new RequestInputs();
  const control = new SessionControl(auth, sessions, streams, log, inputs);
  const runs = new AgentRuns();
  const tree = new SessionsTree(sessions);
  const agents = new AgentsTree(log);
  refreshCollector({ extensionUri: context.extensionUri, log });
  const panelDeps: PanelDeps = {
    extensionUri: context.extensionUri,
    streams,
    auth,
    log,
    openFile: async (sessionId, path, mode) => {
      const folder = watcher.folderFor(sessionId);
      if (!folder) void vscode.window.showWarningMessage('Open the folder the agent works in to open its files.');
      else await watcher.opener.open(folder, path, mode);
    },
    openChange: (eventId, seq, path, diff) => changes.open(eventId, seq, path, diff),
    sessions,
    showRequestInput: (sessionId, agentRequestId) => control.showInput(sessionId, agentRequestId),
  };
  const follower = new SessionFollower(auth, sessions, watcher, (s) => void TimelinePanel.show(panelDeps, s, { preserveFocus: true }), log);
  // A panel restored after a reload waits for the saved sign-in to be read (or the panel would be
  // dropped as "signed out" while the refresh token is still being exchanged).
  let signInSettled!: () => void;
  const signInRestored = new Promise<void>((resolve) => (signInSettled = resolve));
  context.subscriptions.push(
    log,
    inputs,
    changes,
    auth,
    sessions,
    streams,
    watcher,
    follower,
    tree,
    agents,
    new OnlinePresence(auth, log, () => streams.recheckAccess()),
    vscode.window.createTreeView('sessionStream.sessions', { treeDataProvider: tree, showCollapseAll: false }),
    control,
    ...registerCommands({ context, log, auth, sessions, streams, watcher, panelDeps, control, runs, agents }),
    // Links to an event (Copy Link): vscode://agent-session-stream.agent-session-stream/event?session=…&seq=…
    vscode.window.registerUriHandler({
      handleUri: (uri) => {
        const link = uri.path === '/event' ? parseEventLink(uri.toString(true)) : undefined;
        if (!link) return void vscode.window.showWarningMessage(`Agent Session Stream cannot open ${notices.error(uri.toString(true))}: not a link to an event.`);
        void signInRestored
          .then(() => openEvent({ auth, sessions, panelDeps }, link.sessionId, link.seq))
          .catch((error: Error) => void vscode.window.showErrorMessage(notices.error(error.message)));
      },
    }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const id = (state as { sessionId?: string } | undefined)?.sessionId;
        await signInRestored;
        if (auth.state.kind === 'signedIn' && id) {
          if (!sessions.find(id)) await sessions.refresh().catch(() => undefined);
          const session = sessions.find(id);
          if (session) return void TimelinePanel.revive(panel, panelDeps, session);
        }
        log.info(`Not restoring a timeline panel: ${!id ? 'it saved no session' : auth.state.kind !== 'signedIn' ? 'signed out' : `session ${id} is gone`}`);
        panel.dispose();
      },
    }),
    auth.onDidChange((state) => {
      void vscode.commands.executeCommand('setContext', 'sessionStream.signedIn', state.kind === 'signedIn');
      if (state.kind !== 'signedIn') streams.closeAll();
      sessions
        .refresh()
        .then(() => watcher.restore())
        .then(() => follower.start())
        .catch((error: Error) => log.error(error.message));
    }),
    // Same user, new client (the project's URL or key changed): the live list and every stream move.
    auth.onDidChangeClient((client) => {
      streams.useClient(client);
      sessions.refresh().catch((error: Error) => log.error(error.message));
    }),
    // Only the project changes the client; every other setting is read where it is used.
    onDidChangeConfig(['supabaseUrl', 'supabaseAnonKey'], () => void auth.reload()),
  );

  try {
    await connectOnStart(context.secrets, auth, log);
  } finally {
    signInSettled();
  }
  log.info(`Agent Session Stream ${String(context.extension.packageJSON.version)} activated`);
  return { auth, sessions, tree, watcher, streams, control, runs, agents };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
