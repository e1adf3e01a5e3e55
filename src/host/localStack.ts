// The local stack's env file (`npm run stack` writes .session-stream/stack.env): when it is there,
// the extension offers to use it — showing its URL — with one click: URL and anon key into user
// settings, the service-role key into SecretStorage (never replacing another one without asking).
// A file in the workspace is untrusted: only loopback URLs are taken from it, and none at all in
// an untrusted workspace (then only a file named in user settings is read).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { notices } from './texts';
import { localStackFromEnv, type LocalStackEnv } from '../core/localStackEnv';
import { LOCAL_STACK_ENV_FILE } from '../shared/localDefaults';
import { readConfig, SECTION } from './config';

export type { LocalStackEnv } from '../core/localStackEnv';

export async function findLocalStack(log?: vscode.LogOutputChannel): Promise<LocalStackEnv | undefined> {
  const configured = readConfig().localStackEnvFile;
  const fromWorkspace = vscode.workspace.isTrusted ? (vscode.workspace.workspaceFolders ?? []).flatMap((f) => [path.join(f.uri.fsPath, LOCAL_STACK_ENV_FILE), path.join(f.uri.fsPath, '..', LOCAL_STACK_ENV_FILE)]) : [];
  const candidates = configured ? [configured] : fromWorkspace;
  if (process.env.SESSION_STREAM_ENV_FILE) candidates.unshift(process.env.SESSION_STREAM_ENV_FILE);
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue; // not there: try the next one
    }
    const found = localStackFromEnv(file, text);
    if (found.ok) return found.env;
    log?.warn(`Not using a local stack: ${found.reason}.`);
  }
  return undefined;
}

export const SERVICE_ROLE_SECRET = 'sessionStream.serviceRoleKey';

/**
 * Writes the local stack's URL and anon key to user settings and its service-role key to
 * SecretStorage. A different key already stored is replaced only when the user says so (`ask`:
 * false when the user asked for this stack in so many words, as `npm start` does).
 */
export async function useLocalStack(env: LocalStackEnv, secrets: vscode.SecretStorage, ask = true): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  await c.update('supabaseUrl', env.url, vscode.ConfigurationTarget.Global);
  await c.update('supabaseAnonKey', env.anonKey, vscode.ConfigurationTarget.Global);
  const stored = await secrets.get(SERVICE_ROLE_SECRET);
  if (stored && stored !== env.serviceRoleKey && ask) {
    const replace = await vscode.window.showWarningMessage(`Replace the service-role key stored for Agent Session Stream with the one of the local stack at ${notices.error(env.url)}?`, { modal: true, detail: `From ${notices.error(env.file)}. Keep the stored one if you use it for another project.` }, 'Replace');
    if (replace !== 'Replace') return;
  }
  await secrets.store(SERVICE_ROLE_SECRET, env.serviceRoleKey);
}
