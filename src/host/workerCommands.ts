// Acting as the worker from VS Code: "Emit Test Event" (pick a session, a type, edit a valid sample,
// validated as you type, emitted with the service-role key) and "Run Demo Session". The key lives
// in SecretStorage ("Set Service Role Key"); with the local stack it is read from its env file.
import * as vscode from 'vscode';
import { withTimeout } from '../core/clock';
import { createSupabaseClient } from '../core/supabaseClient';
import { SAMPLE_EVENT_DATA, validateEventData, WRITABLE_EVENT_TYPES, type SessionEventType } from '../shared/events';
import { runDemo } from '../worker/demoAgent';
import { SessionLifecycleManager } from '../worker/sessionLifecycleManager';
import type { AuthService } from './auth';
import { readConfig } from './config';
import { findLocalStack, SERVICE_ROLE_SECRET } from './localStack';
import type { SessionsModel } from './sessions';
import { pickTexts } from './texts';

export async function setServiceRoleKey(secrets: vscode.SecretStorage): Promise<string | undefined> {
  const key = await vscode.window.showInputBox({
    title: 'Service-role key',
    prompt: 'The project’s service_role key (Project Settings → API). Stored in VS Code’s secret storage, used only to emit events as the worker.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim().split('.').length === 3 ? undefined : 'A Supabase key is a JWT: three parts separated by dots.'),
  });
  if (key) await secrets.store(SERVICE_ROLE_SECRET, key.trim());
  return key?.trim();
}

async function workerManager(secrets: vscode.SecretStorage): Promise<SessionLifecycleManager | undefined> {
  const { supabaseUrl } = readConfig();
  let key = await secrets.get(SERVICE_ROLE_SECRET);
  if (!key) {
    const local = await findLocalStack();
    if (local && local.url === supabaseUrl) key = local.serviceRoleKey;
  }
  if (!key) {
    const choice = await vscode.window.showWarningMessage('Emitting as the worker needs the project’s service-role key.', 'Set Service Role Key');
    if (choice) key = await setServiceRoleKey(secrets);
  }
  return key ? new SessionLifecycleManager(createSupabaseClient(supabaseUrl, key), { maxAttempts: 3 }) : undefined;
}

async function pickOrCreateSession(sessions: SessionsModel, auth: AuthService, manager: SessionLifecycleManager): Promise<string | undefined> {
  await sessions.refresh();
  const create = { label: '$(add) New session…', id: '' };
  const picked = await vscode.window.showQuickPick([create, ...sessions.all.map((s) => ({ ...pickTexts.plainSession(s), id: s.id }))], { placeHolder: 'Emit into which session?' });
  if (!picked) return undefined;
  if (picked.id) return picked.id;
  const title = await vscode.window.showInputBox({ prompt: 'Title of the new session', value: 'Test session' });
  if (!title || auth.state.kind !== 'signedIn') return undefined;
  return (await manager.createSession(auth.state.userId, title)).id;
}

export async function emitTestEvent(secrets: vscode.SecretStorage, sessions: SessionsModel, auth: AuthService, log: vscode.LogOutputChannel): Promise<void> {
  auth.signedInClient();
  const manager = await workerManager(secrets);
  if (!manager) return;
  const sessionId = await pickOrCreateSession(sessions, auth, manager);
  if (!sessionId) return;
  const type = await vscode.window.showQuickPick(
    WRITABLE_EVENT_TYPES.map((t) => ({ label: t, description: JSON.stringify(SAMPLE_EVENT_DATA[t]).slice(0, 80) })),
    { placeHolder: 'Event type' },
  );
  if (!type) return;
  const eventType = type.label as SessionEventType;
  const text = await vscode.window.showInputBox({
    title: `Emit ${eventType}`,
    prompt: 'Event data (JSON). It is checked against the event schema as you type.',
    value: JSON.stringify(SAMPLE_EVENT_DATA[eventType]),
    ignoreFocusOut: true,
    validateInput: (value) => {
      let data: unknown;
      try {
        data = JSON.parse(value);
      } catch (error) {
        return `Not valid JSON: ${(error as Error).message}`;
      }
      const result = validateEventData(eventType, data);
      return result.ok ? undefined : result.error;
    },
  });
  if (text === undefined) return;
  const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Emitting ${eventType}…` }, () => manager.emitEvent(sessionId, eventType, JSON.parse(text)));
  switch (outcome.status) {
    case 'stored':
      log.info(`Emitted ${eventType} #${outcome.event.seq} into ${sessionId}`);
      void vscode.window.showInformationMessage(`Stored ${eventType} as event #${outcome.event.seq}.`);
      break;
    case 'queued': {
      // This event's own outcome, not the queue's: a given-up event is never reported as stored.
      const settled = await withTimeout(manager.whenSettled(outcome.id), 10_000);
      if (settled?.status === 'stored') void vscode.window.showInformationMessage(`Stored ${eventType} as event #${settled.event.seq} (after a retry).`);
      else void vscode.window.showErrorMessage(`Could not store the event: ${settled && 'error' in settled ? settled.error : outcome.reason}`);
      break;
    }
    default:
      void vscode.window.showErrorMessage(`The event was not stored: ${outcome.error}`);
  }
  manager.dispose();
}

export async function runDemoSession(secrets: vscode.SecretStorage, auth: AuthService, log: vscode.LogOutputChannel, watch: (sessionId: string) => Promise<void>): Promise<void> {
  auth.signedInClient();
  if (auth.state.kind !== 'signedIn') return;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('Open a folder first: the demo agent writes its files into the workspace.');
    return;
  }
  const ok = await vscode.window.showInformationMessage(`The demo agent writes a few files into ${folder.name} (src/greeting.ts, src/format.ts, src/index.ts and their tests, README.md, package.json). Go ahead?`, { modal: true }, 'Run Demo');
  if (ok !== 'Run Demo') return;
  const manager = await workerManager(secrets);
  if (!manager) return;
  const session = await manager.createSession(auth.state.userId, `Demo: add a greeting module (${new Date().toLocaleTimeString()})`, { source: 'demo', cwd: folder.uri.fsPath });
  await watch(session.id);
  try {
    await runDemo({ manager, sessionId: session.id, workspace: folder.uri.fsPath, speed: 1 });
    const { pending, givenUp } = await manager.flush(15_000);
    if (pending > 0 || givenUp.length > 0) void vscode.window.showErrorMessage(`The demo's events were not all stored: ${givenUp.length} given up${givenUp[0] ? ` (${givenUp[0].error})` : ''}, ${pending} still waiting.`);
  } catch (error) {
    log.error(`Demo session failed: ${(error as Error).message}`);
    void vscode.window.showErrorMessage(`The demo session failed: ${(error as Error).message}`);
  } finally {
    manager.dispose();
  }
}
