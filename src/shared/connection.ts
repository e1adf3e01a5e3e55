// The state of a session's connection and who else is watching it, as the stream reports them and
// the status bar, the timeline's banner and header, the health panel and `tail` show them.

export type ConnectionState =
  | { state: 'closed' }
  | { state: 'joining'; attempt: number }
  | { state: 'joined'; at: number }
  | { state: 'reconnecting'; attempt: number; maxAttempts: number; retryAt: number; reason: string }
  | { state: 'error'; reason: string };

/** Whole seconds until a pending retry (0 when it is due or none is pending). */
export function secondsUntilRetry(c: ConnectionState, now: number): number {
  return c.state === 'reconnecting' ? Math.max(0, Math.ceil((c.retryAt - now) / 1000)) : 0;
}

/** Someone watching the session (presence); `client` is 'vscode' or 'cli'. */
export interface ViewerView {
  name: string;
  client: string;
}

/** What a page needs of the stream's viewers (presence keys and times stay in the host). */
export function viewerViews(viewers: readonly ViewerView[]): ViewerView[] {
  return viewers.map(({ name, client }) => ({ name, client }));
}

/** "Ada (VS Code)", "Grace (terminal)". */
export function viewerLabel(v: ViewerView): string {
  return `${v.name} (${v.client === 'cli' ? 'terminal' : 'VS Code'})`;
}
