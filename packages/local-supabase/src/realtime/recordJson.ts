// Turns a row of PostgreSQL text values into the JSON values real Realtime sends (it builds the
// record with to_jsonb): numbers and booleans as JSON, json/jsonb nested, timestamps in to_jsonb's
// ISO form with microseconds kept (`2026-01-02T03:04:05.123456+00:00`), everything else as text.
import type { Tuple } from './pgoutput';

const INTEGER = new Set(['int2', 'int4', 'int8', 'oid']);
const FLOAT = new Set(['float4', 'float8', 'numeric']);

/** `2026-01-02 03:04:05.123456+00` → `2026-01-02T03:04:05.123456+00:00` (text only: no rounding). */
export function isoTimestamp(text: string, withZone: boolean): string {
  const t = text.replace(' ', 'T');
  if (!withZone) return t;
  return t.replace(/([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/, (_m, h: string, m?: string, s?: string) => `${h}:${m ?? '00'}${s ? `:${s}` : ''}`);
}

export function jsonValue(text: string | null | undefined, type: string): unknown {
  if (text === null || text === undefined) return null;
  if (INTEGER.has(type) || FLOAT.has(type)) {
    const n = Number(text);
    // NaN/Infinity and integers beyond 2^53 stay text rather than losing precision.
    return Number.isFinite(n) && (FLOAT.has(type) || Number.isSafeInteger(n)) ? n : text;
  }
  if (type === 'bool') return text === 't' || text === 'true';
  if (type === 'json' || type === 'jsonb') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (type === 'timestamptz') return isoTimestamp(text, true);
  if (type === 'timestamp') return isoTimestamp(text, false);
  return text;
}

export function recordJson(
  tuple: Tuple | null,
  columns: ReadonlyArray<{ name: string; type: string }>,
  only?: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!tuple) return out;
  for (const column of columns) {
    if (only && !only.has(column.name)) continue;
    if (column.name in tuple) out[column.name] = jsonValue(tuple[column.name], column.type);
  }
  return out;
}
