// A pgoutput (protocol version 1) decoder that keeps every value as PostgreSQL's own text.
// Why not the decoder inside pg-logical-replication: it converts values with `pg`'s process-wide
// type parsers (timestamptz → Date loses microseconds, breaking cursors built on them; see
// docs/architecture.md), and changing those parsers would change every other `pg` client in the process.
// We still use that library for the replication connection itself (see cdc.ts).
// Format: https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html

export interface RelationColumn {
  name: string;
  typeOid: number;
  isKey: boolean;
}

export interface RelationMessage {
  tag: 'relation';
  relationId: number;
  schema: string;
  name: string;
  replicaIdentity: string;
  columns: RelationColumn[];
}

/** Column values as text; `null` for SQL NULL; `undefined` for an unchanged TOASTed value. */
export type Tuple = Record<string, string | null | undefined>;

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: Date; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTime: Date }
  | RelationMessage
  | { tag: 'insert'; relation: RelationMessage; new: Tuple }
  | { tag: 'update'; relation: RelationMessage; old: Tuple | null; key: Tuple | null; new: Tuple }
  | { tag: 'delete'; relation: RelationMessage; old: Tuple | null; key: Tuple | null }
  | { tag: 'truncate'; relations: RelationMessage[] }
  | { tag: 'other'; byte: number };

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

class Reader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}
  u8(): number {
    return this.buf.readUInt8(this.offset++);
  }
  i16(): number {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  i32(): number {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  time(): Date {
    const micros = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return new Date(PG_EPOCH_MS + Number(micros / 1000n));
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    const s = this.buf.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
}

export class PgoutputDecoder {
  private readonly relations = new Map<number, RelationMessage>();

  decode(buffer: Buffer): PgoutputMessage {
    const r = new Reader(buffer);
    const tag = r.u8();
    switch (tag) {
      case 0x42: // B
        return { tag: 'begin', finalLsn: r.u64(), commitTime: r.time(), xid: r.i32() };
      case 0x43: {
        // C
        r.u8(); // flags
        return { tag: 'commit', commitLsn: r.u64(), endLsn: r.u64(), commitTime: r.time() };
      }
      case 0x52: {
        // R
        const relationId = r.i32();
        const schema = r.cstring();
        const name = r.cstring();
        const replicaIdentity = String.fromCharCode(r.u8());
        const count = r.i16();
        const columns: RelationColumn[] = [];
        for (let i = 0; i < count; i++) {
          const flags = r.u8();
          const columnName = r.cstring();
          const typeOid = r.i32();
          r.i32(); // type modifier
          columns.push({ name: columnName, typeOid, isKey: (flags & 1) === 1 });
        }
        const relation: RelationMessage = { tag: 'relation', relationId, schema, name, replicaIdentity, columns };
        this.relations.set(relationId, relation);
        return relation;
      }
      case 0x49: {
        // I
        const relation = this.relation(r.i32());
        r.u8(); // 'N'
        return { tag: 'insert', relation, new: this.tuple(r, relation) };
      }
      case 0x55: {
        // U
        const relation = this.relation(r.i32());
        let kind = r.u8();
        let old: Tuple | null = null;
        let key: Tuple | null = null;
        if (kind === 0x4b || kind === 0x4f) {
          const t = this.tuple(r, relation);
          if (kind === 0x4f) old = t;
          else key = t;
          kind = r.u8(); // 'N'
        }
        const next = this.tuple(r, relation, old);
        return { tag: 'update', relation, old, key, new: next };
      }
      case 0x44: {
        // D
        const relation = this.relation(r.i32());
        const kind = r.u8();
        const t = this.tuple(r, relation);
        return { tag: 'delete', relation, old: kind === 0x4f ? t : null, key: kind === 0x4b ? t : null };
      }
      case 0x54: {
        // T
        const count = r.i32();
        r.u8(); // options
        const relations: RelationMessage[] = [];
        for (let i = 0; i < count; i++) relations.push(this.relation(r.i32()));
        return { tag: 'truncate', relations };
      }
      default:
        // Origin, Type, Message: nothing the gateway needs.
        return { tag: 'other', byte: tag };
    }
  }

  private relation(id: number): RelationMessage {
    const relation = this.relations.get(id);
    if (!relation) throw new Error(`pgoutput: change for unknown relation ${id} (no Relation message seen)`);
    return relation;
  }

  private tuple(r: Reader, relation: RelationMessage, fallback?: Tuple | null): Tuple {
    const count = r.i16();
    const tuple: Tuple = {};
    for (let i = 0; i < count; i++) {
      const column = relation.columns[i];
      const name = column?.name ?? `column_${i}`;
      const kind = r.u8();
      if (kind === 0x6e) tuple[name] = null; // n
      else if (kind === 0x75) tuple[name] = fallback?.[name]; // u: unchanged TOAST
      else if (kind === 0x74 || kind === 0x62) tuple[name] = r.bytes(r.i32()).toString('utf8'); // t, b
      else throw new Error(`pgoutput: unknown tuple value kind ${kind}`);
    }
    return tuple;
  }
}
