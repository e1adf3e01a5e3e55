// Routes each captured change to the channels whose postgres_changes bindings match it, after
// checking it against each subscriber's RLS (as real Realtime does), and sends in commit order.
// RLS checks for one change run concurrently (one per distinct set of claims); changes are
// prepared concurrently too, but always sent in the order they were committed.
import type pg from 'pg';
import type { Claims } from '../keys';
import type { Logger } from '../log';
import { qualified } from '../rest/restSql';
import type { Change } from './cdc';
import { matchesFilter, type RealtimeFilter } from './filters';
import { recordJson } from './recordJson';
import { VisibilityChecker } from './visibility';

export interface Binding {
  id: number;
  event: 'INSERT' | 'UPDATE' | 'DELETE' | '*';
  schema: string;
  /** undefined or '*' = every published table of the schema. */
  table?: string;
  filter?: RealtimeFilter;
}

export interface ChangeSubscriber {
  readonly topic: string;
  readonly bindings: readonly Binding[];
  claims: Claims;
  isOpen(): boolean;
  send(event: string, payload: Record<string, unknown>): void;
  /** A change could not be routed to it: the channel errors, so the client rejoins and backfills. */
  fail(reason: string): void;
}

type Delivery = { subscriber: ChangeSubscriber; payload: Record<string, unknown> } | { subscriber: ChangeSubscriber; failure: string };

export class ChangeRouter {
  private readonly subscribers = new Set<ChangeSubscriber>();
  private readonly primaryKeys = new Map<string, Promise<string[]>>();
  /** SELECT privilege per role and table, cached for a minute (grants change rarely). */
  private readonly readable = new Map<string, { at: number; answer: Promise<boolean> }>();
  private queue: Array<Promise<Delivery[]>> = [];
  private draining = false;
  private readonly visibility: VisibilityChecker;
  delivered = 0;
  /** Channels errored because a change could not be routed to them (they rejoin and backfill). */
  failed = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {
    this.visibility = new VisibilityChecker(pool, log);
  }

  get invisible(): number {
    return this.visibility.invisible;
  }

  /** Visibility work: rows hidden by RLS, re-reads of rows not visible yet, rows gone before their check, rows left undecided. */
  get visibilityStats(): { hidden: number; retries: number; gone: number; undecided: number } {
    return { hidden: this.visibility.invisible, retries: this.visibility.retries, gone: this.visibility.deletedBeforeCheck, undecided: this.visibility.undecided };
  }

  add(subscriber: ChangeSubscriber): void {
    if (subscriber.bindings.length > 0) this.subscribers.add(subscriber);
  }

  remove(subscriber: ChangeSubscriber): void {
    this.subscribers.delete(subscriber);
  }

  get size(): number {
    return this.subscribers.size;
  }

  onTransaction(changes: readonly Change[]): void {
    for (const change of changes) this.queue.push(this.prepare(change));
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const next = this.queue.shift()!;
        let deliveries: Delivery[] = [];
        try {
          deliveries = await next;
        } catch (error) {
          this.log.error('change routing failed', { error: String(error) });
        }
        for (const delivery of deliveries) {
          if (!delivery.subscriber.isOpen()) continue;
          if ('failure' in delivery) {
            this.failed++;
            delivery.subscriber.fail(delivery.failure);
            continue;
          }
          delivery.subscriber.send('postgres_changes', delivery.payload);
          this.delivered++;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private matchingIds(subscriber: ChangeSubscriber, change: Change): number[] {
    const ids: number[] = [];
    for (const b of subscriber.bindings) {
      if (b.schema !== change.schema && b.schema !== '*') continue;
      if (b.table && b.table !== '*' && b.table !== change.table) continue;
      if (b.event !== '*' && b.event !== change.type) continue;
      // A deleted row cannot be checked against RLS, so, as hosted Realtime, DELETEs are not
      // filtered for anyone but service_role (they get only the key): matching a filter against the
      // old row would tell a subscriber, by which of its bindings fire, what rows it may not read
      // contained.
      if (b.filter && !(change.type === 'DELETE' && subscriber.claims.role !== 'service_role')) {
        const row = change.record ?? change.oldRecord;
        const type = change.columns.find((c) => c.name === b.filter!.column)?.type ?? 'text';
        if (!row || !matchesFilter(b.filter, row, type)) continue;
      }
      ids.push(b.id);
    }
    return ids;
  }

  private async noteRow(change: Change): Promise<void> {
    try {
      const key = await this.primaryKey(change.schema, change.table);
      const values = key.map((name) => (change.type === 'DELETE' ? change.oldRecord : change.record)?.[name] ?? null);
      if (key.length > 0 && values.every((v) => v !== null)) this.visibility.noteRow(change.type === 'DELETE' ? 'deleted' : 'inserted', change.schema, change.table, values);
    } catch {
      // No key to go by: checks of this row fall back to waiting (and to 'error' after that).
    }
  }

  private canRead(role: string, schema: string, table: string): Promise<boolean> {
    const key = `${role}\u0000${schema}.${table}`;
    const cached = this.readable.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.answer;
    const answer = this.pool
      .query<{ ok: boolean }>('select has_table_privilege($1, $2, \'SELECT\') as ok', [role, qualified(schema, table)])
      .then((r) => r.rows[0]?.ok === true, () => false);
    this.readable.set(key, { at: Date.now(), answer });
    return answer;
  }

  private async prepare(change: Change): Promise<Delivery[]> {
    // Checks of earlier changes of a row, still waiting for it to become visible, learn here that it
    // is gone (or back) — whether or not anyone listens to this change itself.
    if (change.type !== 'UPDATE') await this.noteRow(change);
    const candidates: Array<{ subscriber: ChangeSubscriber; ids: number[] }> = [];
    for (const subscriber of this.subscribers) {
      const ids = this.matchingIds(subscriber, change);
      if (ids.length > 0) candidates.push({ subscriber, ids });
    }
    if (candidates.length === 0) return [];

    const key = await this.primaryKey(change.schema, change.table);
    const row = {
      schema: change.schema,
      table: change.table,
      key: key.map((name) => ({ name, type: change.columns.find((c) => c.name === name)?.type ?? 'text' })),
      values: key.map((name) => change.record?.[name] ?? null),
    };
    const visibility = new Map<string, Promise<boolean | 'error'>>();
    // Built once per change and shared by every subscriber's payload.
    const record = recordJson(change.record, change.columns);
    const oldRecord = recordJson(change.oldRecord, change.columns);
    const checks = candidates.map(async ({ subscriber, ids }): Promise<Delivery | undefined> => {
      const claims = subscriber.claims;
      const privileged = claims.role === 'service_role';
      // A deleted row's key goes only to roles that may read the table at all.
      if (change.type === 'DELETE' && !privileged && !(await this.canRead(claims.role, change.schema, change.table))) return undefined;
      if (change.type !== 'DELETE' && !privileged) {
        const group = claimsKey(claims);
        let visible = visibility.get(group);
        if (!visible) {
          visible = this.visibility.visible(claims, group, row);
          visibility.set(group, visible);
        }
        const answer = await visible;
        if (answer === 'error') return { subscriber, failure: `could not check whether a ${change.table} change is visible to this channel; rejoin to catch up` };
        if (!answer) return undefined;
      }
      // DELETE cannot be checked against RLS (the row is gone): like Realtime, send only the
      // primary key to anyone but service_role.
      const oldOnly = change.type === 'DELETE' && !privileged ? new Set(key) : undefined;
      const payload = {
        ids,
        data: {
          type: change.type,
          schema: change.schema,
          table: change.table,
          commit_timestamp: change.commitTimestamp,
          columns: change.columns,
          record,
          old_record: oldOnly ? recordJson(change.oldRecord, change.columns, oldOnly) : oldRecord,
          errors: null,
        },
      };
      return { subscriber, payload };
    });
    return (await Promise.all(checks)).filter((d): d is Delivery => d !== undefined);
  }

  private primaryKey(schema: string, table: string): Promise<string[]> {
    const cacheKey = `${schema}.${table}`;
    let key = this.primaryKeys.get(cacheKey);
    if (!key) {
      key = this.pool
        .query<{ name: string }>(
          `select a.attname as name from pg_index i
             join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
            where i.indrelid = to_regclass($1) and i.indisprimary order by a.attnum`,
          [qualified(schema, table)],
        )
        .then((r) => r.rows.map((row) => row.name));
      key.catch(() => this.primaryKeys.delete(cacheKey));
      this.primaryKeys.set(cacheKey, key);
    }
    return key;
  }
}

/** Claims that can change the outcome of a policy; not the times, which differ per token. */
function claimsKey(claims: Claims): string {
  return JSON.stringify(claims, (key, value: unknown) => (key === 'exp' || key === 'iat' || key === 'amr' ? undefined : value));
}
