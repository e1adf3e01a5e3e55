// A session's commands as they are sent and handled: bound to the session's channel on every
// (re)join, changes held back while the list loads after the join, then the list and the held-back
// changes, in order. A copy never undoes a later one (handled beats claimed beats sent), whatever
// order they arrive in. Used by SessionEventStream with its `commands` option.
import type { RealtimeChannel } from '@supabase/supabase-js';
import { newerCommand, parseCommandRow, type SessionCommand } from '../shared/commands';
import { Emitter, type Event } from './emitter';

export class CommandFeed {
  private readonly byId = new Map<string, SessionCommand>();
  private readonly emitter = new Emitter<SessionCommand[]>();
  /** Fires with the commands that are new or changed (sent, taken, handled). */
  readonly onDidChange: Event<SessionCommand[]> = this.emitter.event;
  private held: unknown[] | undefined;

  constructor(private readonly sessionId: string) {}

  get(id: string): SessionCommand | undefined {
    return this.byId.get(id);
  }

  /** Every command known, oldest first. */
  list(): SessionCommand[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** A (re)join begins: changes are held back until the list is in (`settle`). */
  begin(): void {
    this.held = [];
  }

  /** Binds the session's commands as postgres_changes (INSERT and UPDATE, filtered by session). */
  listen(channel: RealtimeChannel, isCurrent: () => boolean): void {
    this.begin();
    const onChange = (payload: { new: unknown }) => isCurrent() && this.receive(payload.new);
    const binding = { schema: 'public', table: 'session_commands', filter: `session_id=eq.${this.sessionId}` } as const;
    channel.on('postgres_changes', { ...binding, event: 'INSERT' }, onChange);
    channel.on('postgres_changes', { ...binding, event: 'UPDATE' }, onChange);
  }

  /** One row, from postgres_changes or a broadcast. */
  receive(row: unknown): void {
    if (this.held) this.held.push(row);
    else this.apply([row]);
  }

  /** The list read after the join, then what arrived meanwhile. */
  settle(rows: readonly SessionCommand[]): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.apply([...rows, ...held]);
  }

  /** The channel is gone: what was held back comes again with the next load. */
  drop(): void {
    this.held = undefined;
  }

  dispose(): void {
    this.emitter.dispose();
  }

  private apply(rows: readonly unknown[]): void {
    const changed = new Map<string, SessionCommand>();
    for (const row of rows) {
      const c = isCommand(row) ? row : parseCommandRow(row);
      if (!c || c.sessionId !== this.sessionId) continue;
      const known = this.byId.get(c.id);
      const next = known ? newerCommand(known, c) : c;
      if (known && same(known, next)) continue;
      this.byId.set(c.id, next);
      changed.set(c.id, next);
    }
    if (changed.size > 0) this.emitter.fire([...changed.values()]);
  }
}

function isCommand(row: unknown): row is SessionCommand {
  return typeof row === 'object' && row !== null && 'sessionId' in row && 'kind' in row;
}

function same(a: SessionCommand, b: SessionCommand): boolean {
  return a.claimedAt === b.claimedAt && a.handledAt === b.handledAt && a.outcome === b.outcome;
}
