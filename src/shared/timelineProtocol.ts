// The timeline panel's messages (see webviewProtocol.ts for the handshake). After `ready` the host
// sends `init` with everything so far, then `entries` batches (at most one per animation frame) and
// changes of the connection, the session, its viewers and comments. What the page asks and waits
// for (pages, search, saving a comment) are requests (requests.ts), each answered with one reply.
// Entries travel as one JSON string: posting 10,000 event objects into a page (structured clone)
// measures ≈ 1.7× slower than the same data as one string plus JSON.parse (`npm run bench --
// timeline`, "objects/JSON ratio"), and the `init` of a freshly opened panel carries them all.
import { z } from 'zod';
import type { Annotation } from './annotations';
import { COMMAND_KINDS, type AgentRequest, type CommandKind } from './commands';
import type { ConnectionState, ViewerView } from './connection';
import type { TimelineEntry } from './entries';
import { SESSION_EVENT_TYPES, type SessionEventType } from './events';
import { defineRequest, isRequestMessage, type ParamsOf, type RequestMessage, type ResultOf } from './requests';
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

const eventTypes = z.array(z.enum(SESSION_EVENT_TYPES)).max(SESSION_EVENT_TYPES.length);
const shortId = z.string().min(1).max(100);
/** Bodies are checked for size (and refused with a message) by the host; this only bounds them. */
const commentBody = z.string().max(64 * 1024);
const encodedEntries = z.custom<EncodedEntries>((v) => typeof v === 'string');

/** A page of the session, by number; only these `types` (the filters), all when absent. */
export const pageRequest = defineRequest(
  'history/page',
  z.object({ direction: z.enum(['before', 'after', 'around']), seq: z.int(), limit: z.int().min(1).max(1000), types: eventTypes.optional() }),
  z.object({ entries: encodedEntries, reachedStart: z.boolean(), reachedEnd: z.boolean(), total: z.int().min(0) }),
);

/**
 * Search the whole session on the server; `after`: the hits after this number (the next batch).
 * `more` in the result: there are more hits than sent (ask again with `after`).
 */
export const searchRequest = defineRequest(
  'history/search',
  z.object({ query: z.string().max(500), types: eventTypes.optional(), after: z.int().optional() }),
  z.object({ hits: z.array(z.object({ seq: z.int(), type: z.string(), snippet: z.string() })), total: z.int().min(0), capped: z.boolean(), more: z.boolean() }),
);

/** A new comment on an event; answered once stored (the comment itself arrives through the stream). */
export const addCommentRequest = defineRequest('comments/add', z.object({ eventId: shortId, body: commentBody }), z.null());

/** A new text for one of your comments; answered once stored. */
export const editCommentRequest = defineRequest('comments/edit', z.object({ id: shortId, body: commentBody }), z.null());

export type PageParams = ParamsOf<typeof pageRequest>;
export type PageResult = ResultOf<typeof pageRequest>;
export type SearchParams = ParamsOf<typeof searchRequest>;
export type SearchResult = ResultOf<typeof searchRequest>;

export type TimelineHostMessage =
  | InitMessage
  | { type: 'viewers'; viewers: ViewerView[] }
  | { type: 'annotations'; upserted: Annotation[]; removed: string[] }
  | { type: 'entries'; entries: EncodedEntries; inserted: boolean }
  | { type: 'connection'; connection: ConnectionState; now: number }
  | { type: 'session'; session: SessionView }
  /** Events per type over the whole session (the filter buttons). */
  | { type: 'counts'; counts: Partial<Record<SessionEventType, number>>; total: number }
  /** Show the event numbered `seq` (a link to it was opened), highlighted. */
  | { type: 'reveal'; seq: number };

export type TimelineWebviewMessage =
  | ReadyMessage
  /** One of the requests above (`pageRequest`, …); the host answers each with one reply. */
  | RequestMessage
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
  | { type: 'control'; kind: CommandKind; agentRequestId?: string; shownWhole?: boolean }
  /** Show a waiting request's whole input in a read-only editor. */
  | { type: 'showInput'; agentRequestId: string }
  /** Copy a link to the event (a vscode:// address that opens it in any window of a user who may see it). */
  | { type: 'copyLink'; seq: number }
  /** The whole session as Markdown: to the clipboard, or to a file. */
  | { type: 'copySessionMarkdown' }
  | { type: 'exportMarkdown' };

const short = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 100;

/** The page's side reads host messages it knows; anything else is ignored. */
export const isTimelineHostMessage = messageChecker<TimelineHostMessage>({ init: any, viewers: any, annotations: any, entries: any, connection: any, session: any, counts: any, reveal: any });

/** Checks a message from the page before the host acts on it. */
export const isTimelineWebviewMessage = messageChecker<TimelineWebviewMessage>({
  ready: any,
  reconnect: any,
  exportJsonl: any,
  openFile: (m) => typeof m.path === 'string' && (m.mode === 'preview' || m.mode === 'diff'),
  openDiff: (m) => short(m.eventId),
  copy: (m) => typeof m.text === 'string' && m.text.length <= 10_000_000 && (m.what === undefined || (typeof m.what === 'string' && m.what.length <= 100)),
  request: isRequestMessage,
  deleteAnnotation: (m) => short(m.id),
  read: (m) => Number.isSafeInteger(m.seq) && (m.seq as number) >= 0,
  copyLink: (m) => Number.isSafeInteger(m.seq) && (m.seq as number) > 0,
  copySessionMarkdown: any,
  exportMarkdown: any,
  control: (m) => (COMMAND_KINDS as readonly unknown[]).includes(m.kind) && (m.agentRequestId === undefined || short(m.agentRequestId)) && (m.shownWhole === undefined || typeof m.shownWhole === 'boolean'),
  showInput: (m) => short(m.agentRequestId),
});
