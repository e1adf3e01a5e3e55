// The only contract between the extension host and the timeline webview (style rule 1):
// discriminated unions on `type`, no vscode import. The host sends nothing before `ready`, then
// `init` with everything so far, then `entries` batches (at most one per animation frame).
// Entries travel as one JSON string: posting 10,000 event objects into a page (structured clone)
// measures ≈ 1.7× slower than the same data as one string plus JSON.parse (`npm run bench --
// timeline`, "objects/JSON ratio"), and the `init` of a freshly opened panel carries them all.
import type { Annotation } from './annotations';
import type { MalformedEvent, SessionEvent, SessionState } from './events';

export type TimelineEntry = { kind: 'event'; event: SessionEvent } | { kind: 'malformed'; malformed: MalformedEvent };

export type ConnectionView =
  | { state: 'closed' | 'joined' }
  | { state: 'joining'; attempt: number }
  | { state: 'reconnecting'; attempt: number; maxAttempts: number; retryAt: number; reason: string }
  | { state: 'error'; reason: string };

export interface SessionView {
  id: string;
  title: string;
  state: SessionState;
  createdAt: string;
  /** Where it comes from, as people say it ("Codex", "Claude Code", "Gemini CLI", "demo"). */
  source?: string;
  /** The folder the agent works in. */
  cwd?: string;
}

/** `TimelineEntry[]` as JSON; made by `encodeEntries`, read by `decodeEntries`. */
export type EncodedEntries = string & { readonly __encoded: 'TimelineEntry[]' };

export function encodeEntries(entries: readonly TimelineEntry[]): EncodedEntries {
  return JSON.stringify(entries) as EncodedEntries;
}

export function decodeEntries(encoded: EncodedEntries): TimelineEntry[] {
  return JSON.parse(encoded) as TimelineEntry[];
}

/** Someone watching the session (presence); `client` is 'vscode' or 'cli'. */
export interface ViewerView {
  name: string;
  client: string;
}

/**
 * `me` is the signed-in user's id (their own comments get Edit and Delete); `readSeq` is where they
 * left off in this session (their read marker), if they opened it before.
 */
export interface InitMessage {
  type: 'init';
  session: SessionView;
  entries: EncodedEntries;
  connection: ConnectionView;
  now: number;
  viewers: ViewerView[];
  annotations: Annotation[];
  me: string;
  readSeq?: number;
}

export type HostMessage =
  | InitMessage
  | { type: 'viewers'; viewers: ViewerView[] }
  | { type: 'annotations'; upserted: Annotation[]; removed: string[] }
  /** The answer to an annotate/editAnnotation request: the composer closes only when `ok`. */
  | { type: 'annotationSaved'; requestId: string; ok: boolean; message?: string }
  | { type: 'entries'; entries: EncodedEntries; inserted: boolean }
  | { type: 'connection'; connection: ConnectionView; now: number }
  | { type: 'session'; session: SessionView };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'openFile'; path: string; mode: 'preview' | 'diff' }
  /** Show the change a file_change event carries (its own diff) in VS Code's diff editor. */
  | { type: 'openDiff'; eventId: string }
  | { type: 'reconnect' }
  | { type: 'exportJsonl' }
  | { type: 'copy'; text: string }
  | { type: 'annotate'; requestId: string; eventId: string; body: string }
  | { type: 'editAnnotation'; requestId: string; id: string; body: string }
  | { type: 'deleteAnnotation'; id: string }
  /** The highest `seq` the user has had on screen. */
  | { type: 'read'; seq: number }
  /** The health panel asks for a fresh snapshot. */
  | { type: 'refresh' };

const HOST_TYPES = new Set(['init', 'entries', 'connection', 'session', 'viewers', 'annotations', 'annotationSaved']);
const WEBVIEW_TYPES = new Set(['ready', 'openFile', 'openDiff', 'reconnect', 'exportJsonl', 'copy', 'annotate', 'editAnnotation', 'deleteAnnotation', 'read', 'refresh']);
const short = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 100;
/** Bodies are checked for size (and refused with a message) by the host; this only bounds them. */
const body = (v: unknown) => typeof v === 'string' && v.length <= 64 * 1024;

export function isHostMessage(m: unknown): m is HostMessage {
  return typeof m === 'object' && m !== null && HOST_TYPES.has((m as { type?: string }).type ?? '');
}

/** Checks a message from the webview before the host acts on it (the webview is a browser page). */
export function isWebviewMessage(m: unknown): m is WebviewMessage {
  if (typeof m !== 'object' || m === null || !WEBVIEW_TYPES.has((m as { type?: string }).type ?? '')) return false;
  const msg = m as Record<string, unknown>;
  if (msg.type === 'openFile') return typeof msg.path === 'string' && (msg.mode === 'preview' || msg.mode === 'diff');
  if (msg.type === 'openDiff') return short(msg.eventId);
  if (msg.type === 'copy') return typeof msg.text === 'string' && msg.text.length <= 1_000_000;
  if (msg.type === 'annotate') return short(msg.requestId) && short(msg.eventId) && body(msg.body);
  if (msg.type === 'editAnnotation') return short(msg.requestId) && short(msg.id) && body(msg.body);
  if (msg.type === 'deleteAnnotation') return short(msg.id);
  if (msg.type === 'read') return Number.isSafeInteger(msg.seq) && (msg.seq as number) >= 0;
  return true;
}
