// The local stack's env file (`npm run stack` writes .session-stream/stack.env): when it is there,
// the extension offers to use it with one click — URL and anon key into user settings, the
// service-role key into SecretStorage.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { parseEnvFile } from '../core/envFile';
import { readConfig, SECTION } from './config';

export interface LocalStackEnv {
  file: string;
  url: string;
  anonKey: string;
  serviceRoleKey: string;
}

export async function findLocalStack(): Promise<LocalStackEnv | undefined> {
  const configured = readConfig().localStackEnvFile;
  const candidates = configured ? [configured] : (vscode.workspace.workspaceFolders ?? []).flatMap((f) => [path.join(f.uri.fsPath, '.session-stream/stack.env'), path.join(f.uri.fsPath, '../.session-stream/stack.env')]);
  if (process.env.SESSION_STREAM_ENV_FILE) candidates.unshift(process.env.SESSION_STREAM_ENV_FILE);
  for (const file of candidates) {
    try {
      const v = parseEnvFile(await readFile(file, 'utf8'));
      if (v.API_URL && v.ANON_KEY && v.SERVICE_ROLE_KEY) return { file, url: v.API_URL, anonKey: v.ANON_KEY, serviceRoleKey: v.SERVICE_ROLE_KEY };
    } catch {
      // Not there: try the next one.
    }
  }
  return undefined;
}

export const SERVICE_ROLE_SECRET = 'sessionStream.serviceRoleKey';

/** Writes the local stack's URL and anon key to user settings and its service-role key to SecretStorage. */
export async function useLocalStack(env: LocalStackEnv, secrets: vscode.SecretStorage): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  await c.update('supabaseUrl', env.url, vscode.ConfigurationTarget.Global);
  await c.update('supabaseAnonKey', env.anonKey, vscode.ConfigurationTarget.Global);
  await secrets.store(SERVICE_ROLE_SECRET, env.serviceRoleKey);
}
