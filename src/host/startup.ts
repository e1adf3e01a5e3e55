// How the extension finds its project when the window opens: the configured one (a saved sign-in is
// restored), else it offers a local stack it finds running. `npm start` sets
// SESSION_STREAM_AUTOCONNECT=email:password: then the local stack is used without asking and its
// demo user signed in, and the Sessions view is shown.
import * as vscode from 'vscode';
import { notices } from './texts';
import type { AuthService } from './auth';
import { executeCommand } from './commandApi';
import { findLocalStack, useLocalStack } from './localStack';

export async function connectOnStart(secrets: vscode.SecretStorage, auth: AuthService, log: vscode.LogOutputChannel): Promise<void> {
  const auto = process.env.SESSION_STREAM_AUTOCONNECT;
  const local = auto ? await findLocalStack(log) : undefined;
  if (local && auto) {
    await useLocalStack(local, secrets, false);
    await auth.reload();
    const [email, password] = auto.split(':');
    if (auth.state.kind !== 'signedIn' && email && password) await auth.signIn(email, password).catch((e: Error) => log.error(e.message));
    // Show where the sessions are: the view, not whatever the sidebar had open.
    void vscode.commands.executeCommand('sessionStream.sessions.focus');
    return;
  }
  await auth.reload();
  const found = auth.state.kind === 'unconfigured' ? await findLocalStack(log) : undefined;
  if (found) {
    void vscode.window.showInformationMessage(`A local Agent Session Stream stack is running at ${notices.error(found.url)}. Use it?`, 'Use Local Stack').then((c) => c && executeCommand('sessionStream.useLocalStack'));
  }
}
