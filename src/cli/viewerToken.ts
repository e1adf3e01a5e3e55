// The viewer's access token for the command line: a given SUPABASE_ACCESS_TOKEN, or a password
// sign-in whose session supabase-js refreshes before it expires.
import { createSupabaseClient, isUnreachable, unreachableMessage } from '../core/supabaseClient';
import { UsageError } from './args';
import type { Connection } from './connection';

export interface ViewerToken {
  get(): Promise<string | null>;
  dispose(): void;
}

export async function viewerToken(connection: Connection, given: { accessToken?: string; email?: string; password?: string }): Promise<ViewerToken> {
  if (given.accessToken) return { get: () => Promise.resolve(given.accessToken!), dispose() {} };
  if (!given.email || !given.password) {
    throw new UsageError('Who is watching? Set SUPABASE_ACCESS_TOKEN, or SESSION_STREAM_EMAIL and SESSION_STREAM_PASSWORD.');
  }
  const auth = createSupabaseClient(connection.url, connection.anonKey!, { autoRefreshToken: true }).auth;
  const { data, error } = await auth.signInWithPassword({ email: given.email, password: given.password });
  if (error || !data.session) {
    const message = error?.message ?? 'no session';
    if (isUnreachable(message)) throw new Error(unreachableMessage(connection.url, message));
    throw new UsageError(`Could not sign in ${given.email}: ${message}`);
  }
  return {
    get: async () => (await auth.getSession()).data.session?.access_token ?? null,
    dispose: () => void auth.stopAutoRefresh(),
  };
}
