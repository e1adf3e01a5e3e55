// Sign-in for the extension: email + password through supabase-js auth against the configured
// project. The refresh token lives in SecretStorage (per project URL), supabase-js refreshes the
// access token before it expires, and the signed-in client is what REST and Realtime use.
import type { Session, SupabaseClient } from '@supabase/supabase-js';
import * as vscode from 'vscode';
import { createSupabaseClient, isUnreachable, unreachableMessage } from '../core/supabaseClient';
import { readConfig } from './config';

export type AuthState = { kind: 'unconfigured' } | { kind: 'signedOut' } | { kind: 'signedIn'; userId: string; email: string };

export class NotReadyError extends Error {}

export class AuthService implements vscode.Disposable {
  private client: SupabaseClient | undefined;
  private url = '';
  private current: AuthState = { kind: 'unconfigured' };
  private readonly changed = new vscode.EventEmitter<AuthState>();
  readonly onDidChange = this.changed.event;
  private readonly clientChanged = new vscode.EventEmitter<SupabaseClient>();
  /**
   * Fires when a reload (the project's URL or key changed) restored the sign-in on a new client:
   * whatever holds the old one (live lists, streams) must move to this one. The old client's
   * channels are already removed.
   */
  readonly onDidChangeClient = this.clientChanged.event;
  private authSubscription: { unsubscribe(): void } | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get state(): AuthState {
    return this.current;
  }

  /** The client acting as the signed-in user; throws a NotReadyError that says what to do. */
  signedInClient(): SupabaseClient {
    if (this.current.kind === 'unconfigured') throw new NotReadyError('Agent Session Stream is not connected to Supabase yet: run "Agent Session Stream: Sign In" (or "Use Local Stack").');
    if (this.current.kind === 'signedOut' || !this.client) throw new NotReadyError('You are signed out: run "Agent Session Stream: Sign In".');
    return this.client;
  }

  /** The client when there is one (signed in or not), for cleanup. */
  signedInClientOrUndefined(): SupabaseClient | undefined {
    return this.client;
  }

  /** (Re)creates the client for the configured project and restores a saved session, if any. */
  async reload(): Promise<void> {
    this.teardown();
    const { supabaseUrl, supabaseAnonKey, heartbeatSeconds } = readConfig();
    if (!supabaseUrl || !supabaseAnonKey) return this.set({ kind: 'unconfigured' });
    try {
      new URL(supabaseUrl);
    } catch {
      void vscode.window.showErrorMessage(`sessionStream.supabaseUrl is not a URL: "${supabaseUrl}".`);
      return this.set({ kind: 'unconfigured' });
    }
    this.url = supabaseUrl;
    this.client = createSupabaseClient(supabaseUrl, supabaseAnonKey, { autoRefreshToken: true, heartbeatIntervalMs: heartbeatSeconds * 1000 });
    const { data } = this.client.auth.onAuthStateChange((event, session) => void this.onAuthEvent(event, session));
    this.authSubscription = data.subscription;
    const saved = await this.secrets.get(this.secretKey());
    if (!saved) return this.set({ kind: 'signedOut' });
    const { data: restored, error } = await this.client.auth.refreshSession({ refresh_token: saved });
    if (error || !restored.session) {
      this.log.warn(`Could not restore the saved sign-in: ${error?.message ?? 'no session'}`);
      if (error && !isUnreachable(error.message)) await this.secrets.delete(this.secretKey());
      return this.set({ kind: 'signedOut' });
    }
    // Signed in when this returns (the auth event that also reports it is handled asynchronously).
    const user = restored.session.user;
    if (this.current.kind !== 'signedIn' || this.current.userId !== user.id) {
      this.log.info(`Signed in as ${user.email ?? user.id} (restored)`);
      this.set({ kind: 'signedIn', userId: user.id, email: user.email ?? '' });
    }
    this.clientChanged.fire(this.client);
  }

  async signIn(email: string, password: string): Promise<void> {
    const client = this.requireClient();
    const { error } = await client.auth.signInWithPassword({ email, password });
    if (error) throw new Error(this.explain(error.message, email));
  }

  async signUp(email: string, password: string): Promise<void> {
    const client = this.requireClient();
    const { data, error } = await client.auth.signUp({ email, password });
    if (error) throw new Error(this.explain(error.message, email));
    if (!data.session) throw new Error(`Check ${email} for a confirmation link, then sign in.`);
  }

  async signOut(): Promise<void> {
    await this.client?.auth.signOut({ scope: 'local' }).catch(() => undefined);
    await this.secrets.delete(this.secretKey());
    this.set({ kind: 'signedOut' });
  }

  dispose(): void {
    this.teardown();
    this.changed.dispose();
    this.clientChanged.dispose();
  }

  private requireClient(): SupabaseClient {
    if (!this.client) throw new NotReadyError('Set sessionStream.supabaseUrl and sessionStream.supabaseAnonKey first (or run "Agent Session Stream: Use Local Stack").');
    return this.client;
  }

  private explain(message: string, email: string): string {
    if (isUnreachable(message)) return unreachableMessage(this.url, message);
    if (/invalid login credentials/i.test(message)) return `Wrong email or password for ${email}.`;
    return message;
  }

  private async onAuthEvent(event: string, session: Session | null): Promise<void> {
    if (session && (event === 'SIGNED_IN' || event === 'TOKEN_REFRESHED' || event === 'INITIAL_SESSION')) {
      await this.secrets.store(this.secretKey(), session.refresh_token);
      if (this.current.kind !== 'signedIn' || this.current.userId !== session.user.id) {
        this.log.info(`Signed in as ${session.user.email ?? session.user.id}`);
        this.set({ kind: 'signedIn', userId: session.user.id, email: session.user.email ?? '' });
      }
    } else if (event === 'SIGNED_OUT') {
      this.set({ kind: 'signedOut' });
    }
  }

  private secretKey(): string {
    return `sessionStream.refreshToken:${this.url}`;
  }

  private set(state: AuthState): void {
    this.current = state;
    this.changed.fire(state);
  }

  private teardown(): void {
    this.authSubscription?.unsubscribe();
    this.authSubscription = undefined;
    if (this.client) {
      void this.client.auth.stopAutoRefresh();
      void this.client.removeAllChannels();
    }
    this.client = undefined;
  }
}
