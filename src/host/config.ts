// The one typed reader of the extension's settings (style rule 7). Server and key settings are
// application-scoped in package.json, so a workspace cannot point your token elsewhere.
import * as vscode from 'vscode';
import type { BackoffPolicy } from '../core/backoff';
import type { Delivery } from '../core/delivery';
import type { FollowMode } from '../core/follow';

export type OpenFilesMode = 'off' | 'preview' | 'focus';
export type NotificationsMode = 'all' | 'errors' | 'off';

export interface Config {
  supabaseUrl: string;
  supabaseAnonKey: string;
  historyLimit: number;
  reconnect: BackoffPolicy;
  heartbeatSeconds: number;
  openFilesOnChange: OpenFilesMode;
  notifications: NotificationsMode;
  localStackEnvFile: string;
  followNewSessions: FollowMode;
  delivery: Delivery;
  /** The name others watching a session see for you; empty: the part of your email before `@`. */
  displayName: string;
  /** How long a permission request of a hooked agent waits for an answer here before the agent asks in its terminal. */
  hookAnswerTimeoutSeconds: number;
}

export const SECTION = 'sessionStream';

export function readConfig(): Config {
  const c = vscode.workspace.getConfiguration(SECTION);
  const num = (key: string, fallback: number, min: number, max: number) => {
    const v = c.get<number>(key, fallback);
    return Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
  };
  return {
    supabaseUrl: c.get<string>('supabaseUrl', '').trim().replace(/\/+$/, ''),
    supabaseAnonKey: c.get<string>('supabaseAnonKey', '').trim(),
    historyLimit: num('historyLimit', 1000, 1, 100_000),
    reconnect: {
      initialMs: num('reconnect.initialDelaySeconds', 1, 0.1, 60) * 1000,
      maxMs: num('reconnect.maxDelaySeconds', 30, 1, 600) * 1000,
      maxAttempts: num('reconnect.maxAttempts', 10, 1, 100),
    },
    heartbeatSeconds: num('reconnect.heartbeatSeconds', 15, 1, 60),
    openFilesOnChange: c.get<OpenFilesMode>('openFilesOnChange', 'preview'),
    notifications: c.get<NotificationsMode>('notifications', 'all'),
    localStackEnvFile: c.get<string>('localStackEnvFile', '').trim(),
    followNewSessions: c.get<FollowMode>('followNewSessions', 'whenIdle'),
    delivery: c.get<Delivery>('delivery', 'broadcast') === 'postgres_changes' ? 'postgres_changes' : 'broadcast',
    displayName: c.get<string>('displayName', '').trim().slice(0, 60),
    hookAnswerTimeoutSeconds: num('hooks.answerTimeoutSeconds', 30, 0, 3600),
  };
}

/** Fires when one of `keys` (under `sessionStream.`) changes; the others are read when used. */
export function onDidChangeConfig(keys: readonly string[], listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (keys.some((key) => e.affectsConfiguration(`${SECTION}.${key}`))) listener();
  });
}
