// Presence per topic, in Phoenix's shape: key → { metas: [{ phx_ref, ...tracked }] }. A key can
// have several metas (one per tracking channel: the same user in two windows).
import { randomBytes } from 'node:crypto';

export interface PresenceMeta {
  phx_ref: string;
  [field: string]: unknown;
}

export type PresenceMap = Record<string, { metas: PresenceMeta[] }>;

export interface PresenceDiff {
  joins: PresenceMap;
  leaves: PresenceMap;
}

export class PresenceRegistry {
  /** topic → owner (a joined channel) → tracked entry */
  private readonly topics = new Map<string, Map<object, { key: string; meta: PresenceMeta }>>();

  state(topic: string): PresenceMap {
    const map: PresenceMap = {};
    for (const { key, meta } of this.topics.get(topic)?.values() ?? []) (map[key] ??= { metas: [] }).metas.push(meta);
    return map;
  }

  /** Tracks (or re-tracks) `owner` under `key`; returns the diff to broadcast. */
  track(topic: string, owner: object, key: string, payload: Record<string, unknown>): PresenceDiff {
    const entries = this.topics.get(topic) ?? new Map<object, { key: string; meta: PresenceMeta }>();
    this.topics.set(topic, entries);
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    const previous = entries.get(owner);
    if (previous) diff.leaves[previous.key] = { metas: [previous.meta] };
    const meta: PresenceMeta = { ...payload, phx_ref: randomBytes(8).toString('base64url') };
    if (previous) meta.phx_ref_prev = previous.meta.phx_ref;
    entries.set(owner, { key, meta });
    diff.joins[key] = { metas: [meta] };
    return diff;
  }

  /** Removes `owner`; returns the diff, or undefined when it tracked nothing. */
  untrack(topic: string, owner: object): PresenceDiff | undefined {
    const entries = this.topics.get(topic);
    const previous = entries?.get(owner);
    if (!entries || !previous) return undefined;
    entries.delete(owner);
    if (entries.size === 0) this.topics.delete(topic);
    return { joins: {}, leaves: { [previous.key]: { metas: [previous.meta] } } };
  }

  count(): number {
    let n = 0;
    for (const entries of this.topics.values()) n += entries.size;
    return n;
  }
}
