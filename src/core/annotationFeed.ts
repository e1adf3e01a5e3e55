// A session's comments as they change: bound to the session's channel on every (re)join, changes
// held back while the full list loads (comments are edited and deleted, so a reload is whole, not
// from a cursor), then the difference and the held-back changes, in order. Used by
// SessionEventStream with its `annotations` option.
import type { RealtimeChannel } from '@supabase/supabase-js';
import { AnnotationSet, parseAnnotationRow, type Annotation, type AnnotationChanges } from '../shared/annotations';
import { Emitter, type Event } from './emitter';

type Change = { type: string; row: unknown };

export class AnnotationFeed {
  readonly set = new AnnotationSet();
  private readonly emitter = new Emitter<AnnotationChanges>();
  readonly onDidChange: Event<AnnotationChanges> = this.emitter.event;
  private held: Change[] | undefined;

  constructor(private readonly sessionId: string) {}

  /** A (re)join begins: changes are held back until the full list is in (`settle`). */
  begin(): void {
    this.held = [];
  }

  /**
   * Binds the session's comments as postgres_changes. INSERT and UPDATE are filtered by session;
   * DELETE is not, because hosted Realtime cannot filter deletes (it sends their primary key only):
   * ids not held here are ignored.
   */
  listen(channel: RealtimeChannel, isCurrent: () => boolean): void {
    this.begin();
    const onChange = (payload: { eventType: string; new: unknown; old: unknown }) => {
      if (isCurrent()) this.receive(payload.eventType, payload.eventType === 'DELETE' ? payload.old : payload.new);
    };
    const table = { schema: 'public', table: 'session_event_annotations' } as const;
    const filter = `session_id=eq.${this.sessionId}`;
    channel.on('postgres_changes', { ...table, event: 'INSERT', filter }, onChange);
    channel.on('postgres_changes', { ...table, event: 'UPDATE', filter }, onChange);
    channel.on('postgres_changes', { ...table, event: 'DELETE' }, onChange);
  }

  /** One change (INSERT, UPDATE or DELETE with its row), from postgres_changes or a broadcast. */
  receive(type: string, row: unknown): void {
    const change = { type, row };
    if (this.held) this.held.push(change);
    else this.apply([change]);
  }

  /** The full list, loaded after the join: report the difference, then what arrived meanwhile. */
  settle(all: readonly Annotation[]): void {
    this.fire(this.set.replaceAll(all));
    const held = this.held ?? [];
    this.held = undefined;
    this.apply(held);
  }

  /** The channel is gone: whatever was held back comes again with the next full load. */
  drop(): void {
    this.held = undefined;
  }

  dispose(): void {
    this.emitter.dispose();
  }

  private apply(changes: Change[]): void {
    const result: AnnotationChanges = { upserted: [], removed: [] };
    for (const { type, row } of changes) {
      if (type === 'DELETE') {
        const id = (row as { id?: unknown } | null)?.id;
        if (typeof id === 'string' && this.set.remove(id)) result.removed.push(id);
        continue;
      }
      const a = parseAnnotationRow(row);
      if (a && a.sessionId === this.sessionId && this.set.upsert(a)) result.upserted.push(a);
    }
    this.fire(result);
  }

  private fire(changes: AnnotationChanges): void {
    if (changes.upserted.length > 0 || changes.removed.length > 0) this.emitter.fire(changes);
  }
}
