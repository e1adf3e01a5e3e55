// Change data capture: ONE logical replication slot (pgoutput, publication supabase_realtime) per
// gateway, decoded in process and handed on a transaction at a time, in commit order. The slot is
// recreated on boot (stale ones left by a killed gateway are dropped, they pin WAL) and reused
// across reconnects, so a PostgreSQL restart loses no change. Positions are acknowledged as they
// are consumed so WAL does not pile up.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { LogicalReplicationService } from 'pg-logical-replication';
// The plugin base class is not re-exported from the package root.
import { AbstractPlugin } from 'pg-logical-replication/dist/output-plugins/abstract.plugin.js';
import pg from 'pg';
import type { Logger } from '../log';
import { PgoutputDecoder, type PgoutputMessage, type Tuple } from './pgoutput';

export interface Change {
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  schema: string;
  table: string;
  /** Commit time, ISO 8601 (as Realtime's `commit_timestamp`). */
  commitTimestamp: string;
  columns: Array<{ name: string; type: string }>;
  keyColumns: string[];
  record: Tuple | null;
  oldRecord: Tuple | null;
}

const SLOT_PREFIX = 'session_stream_rt_';

/** `X/Y` minus one byte, as text (the replication library adds one when it acknowledges). */
export function lsnBefore(lsn: string): string {
  const [hi, lo] = lsn.split('/').map((part) => parseInt(part, 16)) as [number, number];
  const value = BigInt(hi) * 2n ** 32n + BigInt(lo);
  if (value === 0n) return lsn;
  const previous = value - 1n;
  return `${(previous >> 32n).toString(16).toUpperCase()}/${(previous & 0xffffffffn).toString(16).toUpperCase()}`;
}

class TextPgoutputPlugin extends AbstractPlugin<{ publication: string }> {
  readonly decoder = new PgoutputDecoder();
  get name(): string {
    return 'pgoutput';
  }
  start(client: pg.Client, slotName: string, lastLsn: string): Promise<unknown> {
    return client.query(
      `START_REPLICATION SLOT "${slotName}" LOGICAL ${lastLsn} (proto_version '1', publication_names '${this.options.publication}')`,
    );
  }
  parse(buffer: Buffer): PgoutputMessage {
    return this.decoder.decode(buffer);
  }
}

export interface ChangeFeedEvents {
  transaction: [Change[]];
  connected: [];
  disconnected: [Error | undefined];
}

export class ChangeFeed extends EventEmitter<ChangeFeedEvents> {
  readonly slotName = `${SLOT_PREFIX}${randomBytes(6).toString('hex')}`;
  private service: LogicalReplicationService | undefined;
  private typeNames = new Map<number, string>();
  private pending: Change[] = [];
  private commitTime = new Date();
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = 100;
  connected = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly publication = 'supabase_realtime',
  ) {
    super();
  }

  async start(): Promise<void> {
    const admin = adminClient(this.url);
    await admin.connect();
    try {
      const stale = await admin.query<{ slot_name: string }>(
        `select slot_name from pg_replication_slots where slot_name like $1 and not active`,
        [`${SLOT_PREFIX}%`],
      );
      for (const { slot_name } of stale.rows) {
        await admin.query('select pg_drop_replication_slot($1)', [slot_name]);
        this.log.info('dropped a stale replication slot', { slot: slot_name });
      }
      await admin.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [this.slotName]);
      await this.loadTypes(admin);
    } finally {
      await admin.end();
    }
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    await this.service?.destroy().catch(() => undefined);
    const admin = adminClient(this.url);
    try {
      await admin.connect();
      // The walsender may take a moment to release the slot after the connection closes.
      for (let i = 0; i < 20; i++) {
        const { rows } = await admin.query<{ active: boolean }>('select active from pg_replication_slots where slot_name = $1', [this.slotName]);
        if (!rows[0]) break;
        if (!rows[0].active) {
          await admin.query('select pg_drop_replication_slot($1)', [this.slotName]);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } catch (error) {
      this.log.warn('could not drop the replication slot; it is dropped at the next start', { error: String(error) });
    } finally {
      await admin.end().catch(() => undefined);
    }
  }

  private async loadTypes(client: pg.ClientBase): Promise<void> {
    const { rows } = await client.query<{ oid: number; typname: string }>('select oid::int as oid, typname from pg_type');
    this.typeNames = new Map(rows.map((r) => [r.oid, r.typname]));
  }

  /** Starts streaming; resolves once replication runs (or fails), not when it ends. */
  private connect(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const plugin = new TextPgoutputPlugin({ publication: this.publication });
    const service = new LogicalReplicationService(
      { connectionString: this.url },
      { acknowledge: { auto: true, timeoutSeconds: 5 } },
    );
    this.service = service;
    return new Promise<void>((resolve) => {
      service.on('data', (_lsn: string, message: PgoutputMessage) => this.onMessage(message));
      service.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) => {
        // The library reports `lsn + 1`; a walsender that is shutting down waits until the
        // reported flush position EQUALS what it sent, so answer keepalives with the exact LSN.
        if (shouldRespond) void service.acknowledge(lsnBefore(lsn));
      });
      service.on('start', () => {
        this.connected = true;
        this.reconnectDelay = 100;
        this.emit('connected');
        resolve();
      });
      service.on('error', (error: Error) => {
        this.onDisconnect(service, error);
        resolve();
      });
      // Settles when the replication connection ends.
      service.subscribe(plugin, this.slotName).then(
        () => this.onDisconnect(service, undefined),
        (error: Error) => this.onDisconnect(service, error),
      ).finally(resolve);
    });
  }

  private onDisconnect(service: LogicalReplicationService, error: Error | undefined): void {
    if (this.service !== service || this.stopped) return;
    this.service = undefined;
    this.pending = [];
    if (this.connected) {
      this.connected = false;
      this.emit('disconnected', error);
      this.log.warn('replication connection lost; reconnecting', { error: error?.message });
    }
    void service.destroy().catch(() => undefined);
    this.reconnectTimer = setTimeout(() => void this.reconnect(), this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 2000);
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    const admin = adminClient(this.url);
    try {
      await admin.connect();
      const { rowCount } = await admin.query('select 1 from pg_replication_slots where slot_name = $1', [this.slotName]);
      if (!rowCount) {
        // The database lost the slot (a new data dir): changes in between cannot be recovered here.
        await admin.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [this.slotName]);
        this.log.warn('replication slot was gone and has been recreated', { slot: this.slotName });
      }
      await this.loadTypes(admin);
    } catch {
      await admin.end().catch(() => undefined);
      this.reconnectTimer = setTimeout(() => void this.reconnect(), this.reconnectDelay);
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, 2000);
      return;
    }
    await admin.end().catch(() => undefined);
    void this.connect();
  }

  private onMessage(message: PgoutputMessage): void {
    switch (message.tag) {
      case 'begin':
        this.pending = [];
        this.commitTime = message.commitTime;
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        const relation = message.relation;
        this.pending.push({
          type: message.tag === 'insert' ? 'INSERT' : message.tag === 'update' ? 'UPDATE' : 'DELETE',
          schema: relation.schema,
          table: relation.name,
          commitTimestamp: this.commitTime.toISOString(),
          columns: relation.columns.map((c) => ({ name: c.name, type: this.typeNames.get(c.typeOid) ?? 'text' })),
          keyColumns: relation.columns.filter((c) => c.isKey).map((c) => c.name),
          record: message.tag === 'delete' ? null : message.new,
          oldRecord: message.tag === 'insert' ? null : (message.old ?? message.key),
        });
        return;
      }
      case 'commit': {
        const changes = this.pending;
        this.pending = [];
        if (changes.length > 0) this.emit('transaction', changes);
        return;
      }
      default:
        return;
    }
  }
}

/**
 * A short-lived client for slot bookkeeping. PostgreSQL may stop while it is open (a restart in a
 * fault test, `pg_ctl stop`): that arrives as an 'error' event, which without a listener would
 * crash the whole gateway; the awaited query that was running rejects on its own.
 */
function adminClient(url: string): pg.Client {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  return client;
}
