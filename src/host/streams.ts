// One SessionEventStream per watched session, shared by whoever needs it (the status bar's
// selection, each timeline panel) and closed when the last user lets go. All on the signed-in
// client, so several sessions share one socket.
import type { SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import type { Logger } from '../core/log';
import type { ConnectionChange } from '../shared/health';
import { SessionEventStream } from '../core/sessionEventStream';
import type { AuthService } from './auth';
import { readConfig } from './config';

export interface StreamLease extends vscode.Disposable {
  readonly stream: SessionEventStream;
}

export function outputLogger(log: vscode.LogOutputChannel): Logger {
  const fmt = (m: string, f?: Record<string, unknown>) => (f && Object.keys(f).length ? `${m} ${JSON.stringify(f)}` : m);
  return { debug: (m, f) => log.debug(fmt(m, f)), info: (m, f) => log.info(fmt(m, f)), warn: (m, f) => log.warn(fmt(m, f)), error: (m, f) => log.error(fmt(m, f)) };
}

export class StreamRegistry implements vscode.Disposable {
  private readonly streams = new Map<string, { stream: SessionEventStream; refs: number }>();
  /** This window, for presence: two windows of one user are two viewers. */
  private readonly windowKey = randomUUID();
  /** The last 100 connection changes of every stream, for the health panel. */
  private readonly changes: ConnectionChange[] = [];

  constructor(
    private readonly auth: AuthService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  acquire(sessionId: string): StreamLease {
    let held = this.streams.get(sessionId);
    if (!held) {
      const config = readConfig();
      const stream = new SessionEventStream({
        client: this.auth.signedInClient(),
        sessionId,
        historyLimit: config.historyLimit,
        // The timeline reads older events in pages; what the host keeps in memory stays bounded.
        maxEntries: Math.max(5000, config.historyLimit),
        policy: config.reconnect,
        logger: outputLogger(this.log),
        annotations: true,
        // Steering: this window's buttons wait for their commands' outcomes on the same channel.
        commands: true,
        delivery: config.delivery,
        // Others watching this session see this window under the name its user chose (by default the
        // part of their email before `@`, never the whole address) in their presence list.
        presence: { key: `${this.windowKey}:${sessionId}`, name: presenceName(config.displayName, this.auth.state.kind === 'signedIn' ? this.auth.state.email : ''), client: 'vscode' },
      });
      stream.onDidChangeState((s) => {
        this.log.info(`session ${sessionId.slice(0, 8)}: ${s.state}${'reason' in s ? ` (${s.reason})` : ''}`);
        if (this.changes.push({ at: Date.now(), sessionId, state: s.state, reason: 'reason' in s ? s.reason : undefined }) > 100) this.changes.shift();
      });
      held = { stream, refs: 0 };
      this.streams.set(sessionId, held);
      stream.open();
    }
    held.refs++;
    let released = false;
    const entry = held;
    return {
      stream: entry.stream,
      dispose: () => {
        if (released) return;
        released = true;
        if (--entry.refs === 0) {
          this.streams.delete(sessionId);
          entry.stream.dispose();
        }
      },
    };
  }

  /** The sessions being watched now. */
  get active(): SessionEventStream[] {
    return [...this.streams.values()].map((held) => held.stream);
  }

  connectionHistory(): ConnectionChange[] {
    return [...this.changes];
  }

  /** What the user may read changed (the database said so): every stream checks its session again. */
  recheckAccess(): void {
    for (const { stream } of this.streams.values()) void stream.recheckAccess();
  }

  /** Moves every stream to the client a reload made (same project, same user). */
  useClient(client: SupabaseClient): void {
    for (const { stream } of this.streams.values()) stream.useClient(client);
  }

  /** Closes every stream (sign-out, another project). */
  closeAll(): void {
    for (const { stream } of this.streams.values()) stream.dispose();
    this.streams.clear();
  }

  dispose(): void {
    this.closeAll();
  }
}

/** The name others see: the chosen one, else the part of the email before `@`. */
export function presenceName(chosen: string, email: string): string {
  return chosen || email.split('@')[0] || 'VS Code user';
}
