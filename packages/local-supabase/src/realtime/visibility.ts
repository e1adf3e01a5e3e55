// Is a captured row visible to a subscriber under RLS? Real Realtime answers this for every change
// and subscriber (walrus' apply_rls); we do it by re-reading the row as the subscriber. To keep up
// with bursts, lookups for the same claims and table are batched into ONE query (`= any($1)` on
// the primary key, index-friendly: parameters are cast to the key's own type) while the previous
// batch for that group is in flight. A change can arrive before a new snapshot sees its row: when
// the subscriber does not see it, one read that bypasses RLS (shared by every subscriber) tells
// "not visible yet" (read again, briefly) from "there": then one more read as the subscriber, after
// the row is known to be visible, is the final answer (it may have committed between the reads).
// A row that is not there because a later change deleted it (in the same transaction, or one that
// committed before the check ran) is not sent: there is nothing left to check it against, and hosted
// Realtime, which re-reads rows as well, does the same; the DELETE follows. When none of this can be
// decided, the answer is 'error', and the caller makes the client rejoin and backfill instead of
// dropping the change.
import type pg from 'pg';
import type { Claims } from '../keys';
import type { Logger } from '../log';
import { withClaims } from '../requestAuth';
import { ident, qualified } from '../rest/restSql';

/** Delays between re-checks of a row not visible to anyone yet (ms; about 1.3 s in all). */
const RETRIES_MS = [2, 5, 10, 20, 40, 80, 160, 320, 640];
const SERVICE: Claims = { role: 'service_role' } as Claims;
const MAX_BATCH = 500;

export interface RowRef {
  schema: string;
  table: string;
  /** Primary-key columns with their type names (pg_type.typname), in key order. */
  key: Array<{ name: string; type: string }>;
  /** The key's values as PostgreSQL text. */
  values: Array<string | null>;
}

interface Lookup {
  id: string;
  resolve(found: boolean | 'error'): void;
}

interface Group {
  claims: Claims;
  ref: Omit<RowRef, 'values'>;
  pending: Map<string, Lookup[]>;
  inFlight: boolean;
}

const SEP = '\u0000';
/** How long a deleted row is remembered for checks of its earlier changes that are still waiting. */
const DELETED_MEMORY_MS = 10_000;

export class VisibilityChecker {
  private readonly groups = new Map<string, Group>();
  /** Existence reads in flight, shared by all subscribers of one change. */
  private readonly existence = new Map<string, Promise<boolean | 'error'>>();
  /** Rows hidden from a subscriber by RLS. */
  invisible = 0;
  /** Rows that could not be decided (not visible to anyone in time, or a failed query). */
  undecided = 0;
  /** Re-reads of rows not visible to anyone yet (a row hidden by RLS is never re-read). */
  retries = 0;
  /** Rows not sent because a later change had deleted them before they could be checked. */
  deletedBeforeCheck = 0;
  /** Rows deleted lately (by id), with when their DELETE arrived. */
  private readonly deleted = new Map<string, number>();
  queries = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  /** true: send it; false: RLS hides it from these claims; 'error': could not tell. */
  async visible(claims: Claims, claimsGroup: string, row: RowRef): Promise<boolean | 'error'> {
    if (row.key.length === 0 || row.values.some((v) => v === null)) return false;
    for (let attempt = 0; ; attempt++) {
      const found = await this.lookup(claims, claimsGroup, row);
      if (found === 'error') return this.undecidedRow();
      if (found) return true;
      if (this.deleted.has(rowId(row))) return this.deletedRow();
      const exists = await this.exists(row);
      if (exists === 'error') return this.undecidedRow();
      if (exists) {
        // The row may have become visible between the two reads (its commit landed in between):
        // read it as the subscriber once more. Every snapshot from now on sees it, so this answer
        // is final.
        const again = await this.lookup(claims, claimsGroup, row);
        if (again === 'error') return this.undecidedRow();
        if (again) return true;
        this.invisible++;
        return false;
      }
      if (this.deleted.has(rowId(row))) return this.deletedRow();
      const delay = RETRIES_MS[attempt];
      if (delay === undefined) return this.undecidedRow();
      this.retries++;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** The router tells of every INSERT and DELETE as it arrives, in commit order. */
  noteRow(change: 'inserted' | 'deleted', schema: string, table: string, values: ReadonlyArray<string | null>): void {
    const id = rowId({ schema, table, values });
    if (change === 'inserted') {
      this.deleted.delete(id);
      return;
    }
    const now = Date.now();
    for (const [old, at] of this.deleted) {
      if (now - at < DELETED_MEMORY_MS) break; // in arrival order: the rest are newer
      this.deleted.delete(old);
    }
    this.deleted.delete(id);
    this.deleted.set(id, now);
  }

  private deletedRow(): false {
    this.deletedBeforeCheck++;
    return false;
  }

  private undecidedRow(): 'error' {
    this.undecided++;
    return 'error';
  }

  /** Does the row exist for the database (RLS bypassed)? One read per row, shared while in flight. */
  private exists(row: RowRef): Promise<boolean | 'error'> {
    const id = rowId(row);
    let read = this.existence.get(id);
    if (!read) {
      const where = row.key.map((k, i) => `${ident(k.name)} = $${i + 1}::${ident(k.type)}`).join(' and ');
      read = withClaims(this.pool, SERVICE, (client) => client.query(`select 1 from ${qualified(row.schema, row.table)} where ${where}`, row.values))
        .then((r) => (r.rowCount ?? 0) > 0, (error: unknown) => {
          this.log.warn('could not read a changed row', { error: String(error) });
          return 'error' as const;
        })
        .finally(() => this.existence.delete(id));
      this.existence.set(id, read);
    }
    return read;
  }

  private lookup(claims: Claims, claimsGroup: string, row: RowRef): Promise<boolean | 'error'> {
    const groupKey = `${claimsGroup}${SEP}${row.schema}.${row.table}`;
    let group = this.groups.get(groupKey);
    if (!group) {
      group = { claims, ref: { schema: row.schema, table: row.table, key: row.key }, pending: new Map(), inFlight: false };
      this.groups.set(groupKey, group);
    }
    const id = row.values.join(SEP);
    return new Promise((resolve) => {
      const waiting = group.pending.get(id);
      if (waiting) waiting.push({ id, resolve });
      else group.pending.set(id, [{ id, resolve }]);
      if (!group.inFlight) setImmediate(() => void this.flush(groupKey, group));
    });
  }

  private async flush(groupKey: string, group: Group): Promise<void> {
    if (group.inFlight || group.pending.size === 0) return;
    group.inFlight = true;
    const batch = new Map<string, Lookup[]>();
    for (const [id, lookups] of group.pending) {
      batch.set(id, lookups);
      group.pending.delete(id);
      if (batch.size >= MAX_BATCH) break;
    }
    let found: Set<string> | 'error';
    try {
      found = await this.query(group, [...batch.keys()]);
    } catch (error) {
      // 42501 (no SELECT grant) simply means: not visible to these subscribers.
      if ((error as { code?: string }).code === '42501') found = new Set();
      else {
        this.log.warn('RLS check failed', { error: String(error) });
        found = 'error';
      }
    }
    for (const [id, lookups] of batch) for (const l of lookups) l.resolve(found === 'error' ? 'error' : found.has(id));
    group.inFlight = false;
    if (group.pending.size > 0) void this.flush(groupKey, group);
    else this.groups.delete(groupKey);
  }

  private async query(group: Group, ids: string[]): Promise<Set<string>> {
    const { schema, table, key } = group.ref;
    const columns = ids.map((id) => id.split(SEP));
    const on = key.map((k, i) => `t.${ident(k.name)} = k.c${i}`).join(' and ');
    const unnest = key.map((k, i) => `$${i + 1}::${ident(k.type)}[]`).join(', ');
    const names = key.map((_, i) => `c${i}`).join(', ');
    const sql = `select ${key.map((k) => `t.${ident(k.name)}::text as ${ident(k.name)}`).join(', ')} from ${qualified(schema, table)} t join unnest(${unnest}) as k(${names}) on ${on}`;
    const values = key.map((_, i) => columns.map((c) => c[i]!));
    this.queries++;
    const { rows } = await withClaims(this.pool, group.claims, (client) => client.query<Record<string, string>>(sql, values));
    return new Set(rows.map((r) => key.map((k) => r[k.name]).join(SEP)));
  }
}

function rowId(row: { schema: string; table: string; values: ReadonlyArray<string | null> }): string {
  return `${row.schema}.${row.table}${SEP}${row.values.join(SEP)}`;
}
