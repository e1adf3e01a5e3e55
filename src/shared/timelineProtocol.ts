// The timeline panel's messages (see webviewProtocol.ts for the handshake). After `ready` the host
// sends `init` with everything so far, then `entries` batches (at most one per animation frame) and
// changes of the connection, the session, its viewers and comments.
// Entries travel as one JSON string: posting 10,000 event objects into a page (structured clone)
// measures ≈ 1.7× slower than the same data as one string plus JSON.parse (`npm run bench --
// timeline`, "objects/JSON ratio"), and the `init` of a freshly opened panel carries them all.
import type { Annotation } from './annotations';
import { COMMAND_KINDS, type AgentRequest, type CommandKind } from './commands';
import type { ConnectionState, ViewerView } from './connection';
import type { TimelineEntry } from './entries';
import { SESSION_EVENT_TYPES, type SessionEventType } from './events';
import type { SessionSummary } from './sessions';
import { any, messageChecker, type ReadyMessage } from './webviewProtocol';

/** A session as the timeline shows it: made from its row (shared/sessions.ts) by the host. */
export interface SessionView extends Pick<SessionSummary, 'id' | 'title' | 'state'> {
  createdAt: string;
  /** Where it comes from, as people say it ("Codex", "Claude Code", "Gemini CLI", "demo"). */
  source?: string;
  /** The folder the agent works in. */
  cwd?: string;
  /** What the agent asks of its user while the session is `waiting`. */
  requests?: AgentRequest[];
  /** The steering this state allows (the header's buttons). */
  commands?: CommandKind[];
  /** "Stopping…" while this window's command waits for the agent's runner. */
  pending?: string;
}

/** `TimelineEntry[]` as JSON; made by `encodeEntries`, read by `decodeEntries`. */
export type EncodedEntries = string & { readonly __encoded: 'TimelineEntry[]' };

export function encodeEntries(entries: readonly TimelineEntry[]): EncodedEntries {
  return JSON.stringify(entries) as EncodedEntries;
}

export function decodeEntries(encoded: EncodedEntries): TimelineEntry[] {
  return JSON.parse(encoded) as TimelineEntry[];
}

/**
 * The answer to `ready`. `me` is the signed-in user's id (their own comments get Edit and Delete);
 * `readSeq` is where they left off in this session (their read marker), if they opened it before.
 */
export interface InitMessage {
  type: 'init';
  session: SessionView;
  entries: EncodedEntries;
  connection: ConnectionState;
  now: number;
  viewers: ViewerView[];
  annotations: Annotation[];
  me: string;
  readSeq?: number;
  /** The session's length (its highest event number); `entries` are its latest. */
  total?: number;
  /** `entries` start at the session's first event. */
  reachedStart?: boolean;
}

/** Ask for a page of the session (the answer is a `page` with the same `requestId`). */
export interface PageRequestMessage {
  type: 'page';
  requestId: string;
  direction: 'before' | 'after' | 'around';
  seq: number;
  limit: number;
  /** Only these types (the filters), all when absent. */
  types?: SessionEventType[];
}

export interface PageMessage {
  type: 'page';
  requestId: string;
  entries: EncodedEntries;
  reachedStart: boolean;
  reachedEnd: boolean;
  total: number;
  /** Set when the page could not be read (the list keeps what it has). */
  error?: string;
}

/** Search the whole session on the server; answered by `searchResults` with the same `requestId`. */
export interface SearchRequestMessage {
  type: 'search';
  requestId: string;
  query: string;
  types?: SessionEventType[];
  /** Hits after this number (the next batch). */
  after?: number;
}

export interface SearchResultsMessage {
  type: 'searchResults';
  requestId: string;
  query: string;
  hits: Array<{ seq: number; type: string; snippet: string }>;
  total: number;
  capped: boolean;
  /** More hits than sent (ask again with `after`). */
  more: boolean;
  error?: string;
}

/** Requests whose answer is an `annotationSaved` with the same `requestId`. */
export type AnnotationRequest = { type: 'annotate'; requestId: string; eventId: string; body: string } | { type: 'editAnnotation'; requestId: string; id: string; body: string };

/** The answer to an AnnotationRequest: the composer closes only when `ok`. */
export interface AnnotationSaved {
  type: 'annotationSaved';
  requestId: string;
  ok: boolean;
  message?: string;
}

export type TimelineHostMessage =
  | InitMessage
  | AnnotationSaved
  | { type: 'viewers'; viewers: ViewerView[] }
  | { type: 'annotations'; upserted: Annotation[]; removed: string[] }
  | { type: 'entries'; entries: EncodedEntries; inserted: boolean }
  | { type: 'connection'; connection: ConnectionState; now: number }
  | { type: 'session'; session: SessionView }
  | PageMessage
  | SearchResultsMessage
  /** Events per type over the whole session (the filter buttons). */
  | { type: 'counts'; counts: Partial<Record<SessionEventType, number>>; total: number }
  /** Show the event numbered `seq` (a link to it was opened), highlighted. */
  | { type: 'reveal'; seq: number };

export type TimelineWebviewMessage =
  | ReadyMessage
  | AnnotationRequest
  | { type: 'openFile'; path: string; mode: 'preview' | 'diff' }
  /** Show the change a file_change event carries (its own diff) in VS Code's diff editor. */
  | { type: 'openDiff'; eventId: string }
  | { type: 'reconnect' }
  | { type: 'exportJsonl' }
  /** Text to the clipboard; `what` names it in the confirmation ("Event JSON", "3 events as Markdown"). */
  | { type: 'copy'; text: string; what?: string }
  | { type: 'deleteAnnotation'; id: string }
  /** The highest `seq` the user has had on screen. */
  | { type: 'read'; seq: number }
  /** Steer the agent (the host asks what it must: a confirmation, the message, a reason). */
  | { type: 'control'; kind: CommandKind; requestId?: string; shownWhole?: boolean }
  /** Show a waiting request's whole input in a read-only editor. */
  | { type: 'showInput'; requestId: string }
  | PageRequestMessage
  | SearchRequestMessage
  /** Copy a link to the event (a vscode:// address that opens it in any window of a user who may see it). */
  | { type: 'copyLink'; seq: number }
  /** The whole session as Markdown: to the clipboard, or to a file. */
  | { type: 'copySessionMarkdown' }
  | { type: 'exportMarkdown' };

const types = (v: unknown) => v === undefined || (Array.isArray(v) && v.length <= SESSION_EVENT_TYPES.length && v.every((t) => (SESSION_EVENT_TYPES as readonly unknown[]).includes(t)));
const short = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 100;
/** Bodies are checked for size (and refused with a message) by the host; this only bounds them. */
const body = (v: unknown) => typeof v === 'string' && v.length <= 64 * 1024;

/** The page's side reads host messages it knows; anything else is ignored. */
export const isTimelineHostMessage = messageChecker<TimelineHostMessage>({ init: any, annotationSaved: any, viewers: any, annotations: any, entries: any, connection: any, session: any, page: any, searchResults: any, counts: any, reveal: any });

/** Checks a message from the page before the host acts on it. */
export const isTimelineWebviewMessage = messageChecker<TimelineWebviewMessage>({
  ready: any,
  reconnect: any,
  exportJsonl: any,
  openFile: (m) => typeof m.path === 'string' && (m.mode === 'preview' || m.mode === 'diff'),
  openDiff: (m) => short(m.eventId),
  copy: (m) => typeof m.text === 'string' && m.text.length <= 10_000_000 && (m.what === undefined || (typeof m.what === 'string' && m.what.length <= 100)),
  annotate: (m) => short(m.requestId) && short(m.eventId) && body(m.body),
  editAnnotation: (m) => short(m.requestId) && short(m.id) && body(m.body),
  deleteAnnotation: (m) => short(m.id),
  read: (m) => Number.isSafeInteger(m.seq) && (m.seq as number) >= 0,
  page: (m) => short(m.requestId) && (m.direction === 'before' || m.direction === 'after' || m.direction === 'around') && Number.isSafeInteger(m.seq) && Number.isSafeInteger(m.limit) && (m.limit as number) > 0 && (m.limit as number) <= 1000 && types(m.types),
  search: (m) => short(m.requestId) && typeof m.query === 'string' && m.query.length <= 500 && types(m.types) && (m.after === undefined || Number.isSafeInteger(m.after)),
  copyLink: (m) => Number.isSafeInteger(m.seq) && (m.seq as number) > 0,
  copySessionMarkdown: any,
  exportMarkdown: any,
  control: (m) => (COMMAND_KINDS as readonly unknown[]).includes(m.kind) && (m.requestId === undefined || short(m.requestId)) && (m.shownWhole === undefined || typeof m.shownWhole === 'boolean'),
  showInput: (m) => short(m.requestId),
});
