// What became of an emitted event: the one answer every writer of events gives (the event queue,
// the session store's lifecycle flows, the manager that composes them).
import type { SessionEvent, SessionEventType } from '../shared/events';

/** An event the queue gave up on: never stored, and said so. */
export interface GivenUp {
  id: string;
  sessionId: string;
  type: SessionEventType;
  error: string;
}

export type EmitOutcome =
  | { status: 'stored'; event: SessionEvent }
  /** Kept in the retry queue: stored later, in order (see stats() and flush()). */
  | { status: 'queued'; id: string; reason: string }
  /** Invalid before sending: nothing was stored. */
  | { status: 'refused'; error: string }
  /** The database refused it for good (e.g. no such session), or the queue was full. */
  | { status: 'failed'; id: string; error: string };
