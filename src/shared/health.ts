// What the "Show Health" panel shows, as one snapshot the host builds and the webview draws:
// the server's figures for the last hour (the database's monitoring views), who is subscribed, and
// this client's own measurements (latency distribution, connection history).
import type { ViewerView } from './connection';

/** The `session_event_latency` view: the average age (now − created_at) of the last hour's events per type. */
export interface TypeLatency {
  eventType: string;
  avgAgeSeconds: number;
  eventCount: number;
}

export interface MinuteVolume {
  /** ISO start of the minute. */
  minute: string;
  eventType: string;
  eventCount: number;
}

export interface ServerHealth {
  latency: TypeLatency[];
  volume: MinuteVolume[];
}

/** One watched session: its state and who watches it (Realtime presence). */
export interface SubscriptionHealth {
  sessionId: string;
  title: string;
  state: string;
  viewers: ViewerView[];
  live: number;
  backfilled: number;
  joins: number;
}

export interface ConnectionChange {
  at: number;
  sessionId: string;
  state: string;
  reason?: string;
}

/** Counts of latency samples per bucket: `upToMs[i]` is the bucket's upper bound (Infinity last). */
export interface Histogram {
  upToMs: number[];
  counts: number[];
}

export interface HealthSnapshot {
  at: number;
  server: ServerHealth | { error: string };
  /** The local stack's gateway counters (GET /stats); absent on hosted Supabase. */
  gateway?: Record<string, number>;
  subscriptions: SubscriptionHealth[];
  latency: { samples: number; p50?: number; p95?: number; p99?: number; histogram: Histogram };
  history: ConnectionChange[];
}

const BOUNDS = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, Number.POSITIVE_INFINITY];

/** Latency samples (ms) in the panel's fixed buckets: 5, 10, 20, 50 … 5,000 ms and more. */
export function histogram(samples: readonly number[]): Histogram {
  const counts = BOUNDS.map(() => 0);
  for (const s of samples) counts[BOUNDS.findIndex((b) => s <= b)]!++;
  return { upToMs: BOUNDS, counts };
}

/** The q-th percentile (0–1) by nearest rank, or undefined without samples. */
export function percentile(samples: readonly number[], q: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
