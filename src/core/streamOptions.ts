// What a SessionEventStream is asked to follow (its options), what it hands out (batches of
// entries) and what it counts. The stream itself: sessionEventStream.ts.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { TimelineEntry } from '../shared/entries';
import type { BackoffPolicy } from './backoff';
import type { Clock } from './clock';
import type { Delivery } from './delivery';
import type { Logger } from './log';

export interface StreamBatch {
  entries: TimelineEntry[];
  /** Entries that belong before ones already delivered (a late commit): insert them in place. */
  inserted: boolean;
  /** From history (initial load or a backfill), not from the live subscription. */
  history: boolean;
  /** The history loaded when the stream opened: what happened before the viewer looked. */
  initial: boolean;
}

export interface StreamOptions {
  /**
   * A supabase-js client acting as the viewer: signed in, or made with an `accessToken` provider
   * (createSupabaseClient). Before every (re)join the stream asks it for a current token.
   */
  client: SupabaseClient;
  sessionId: string;
  /** Events loaded on open (the latest N). Default 1,000. */
  historyLimit?: number;
  policy?: BackoffPolicy;
  /** How often to check for a clock jump (laptop sleep), ms; 0 = never. Default 5,000. */
  watchdogMs?: number;
  clock?: Clock;
  logger?: Logger;
  /**
   * Who is watching (Realtime presence on the session's channel): this viewer is tracked under
   * `key` (one per window or terminal) with `name` and `client`, and `viewers` lists everyone.
   */
  presence?: { key: string; name: string; client: 'vscode' | 'cli' };
  /**
   * Also keep the session's comments (`annotations`, `onDidChangeAnnotations`): live through the same
   * channel, and reloaded whole after every (re)join, as events are backfilled.
   */
  annotations?: boolean;
  /**
   * How events and comments arrive (see delivery.ts). Default `broadcast`; a project without
   * private session channels falls back to `postgres_changes` on a public channel (logged once).
   */
  delivery?: Delivery;
  /**
   * Also keep the session's commands (stop, pause, messages… and their outcomes: `commands`,
   * `onDidChangeCommands`): live through the same channel, and reloaded after every (re)join.
   */
  commands?: boolean;
  /** Follow the session's events (default true). The agent's runner listens for commands only. */
  events?: boolean;
  /**
   * Start after this event number instead of with the latest `historyLimit`: every event after it,
   * read and delivered a page at a time (`tail --since-seq`, an export that follows).
   */
  sinceSeq?: number;
  /** Keep at most this many entries in `log` (default: all); older ones were delivered and let go. */
  maxEntries?: number;
}

export interface StreamStats {
  live: number;
  backfilled: number;
  duplicates: number;
  malformed: number;
  joins: number;
  lastEventAt?: number;
  /** createdAt → received for the last live event, ms (same clock only on the local stack). */
  lastLatencyMs?: number;
}
