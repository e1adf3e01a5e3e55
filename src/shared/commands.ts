// Steering: the commands a viewer sends to an agent's runner (rows of public.session_commands), the
// requests an agent makes of its user while a session is `waiting` (coding_sessions.waiting_for),
// and their checks and words. Shared by the worker, the command line, the host and the webview.
import { z } from 'zod';

export const COMMAND_KINDS = ['stop', 'pause', 'resume', 'message', 'approve', 'deny'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

export const COMMAND_OUTCOMES = ['done', 'refused', 'unsupported'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

/** The database refuses a message (or a denial's reason) longer than this, in bytes. */
export const MAX_COMMAND_BODY_BYTES = 16 * 1024;

/** A command as stored: sent by `createdByName`, taken by a worker at `claimedAt`, handled once. */
export interface SessionCommand {
  id: string;
  sessionId: string;
  kind: CommandKind;
  body: string | null;
  /** Which of the agent's requests (`waiting_for`) an approve / deny answers or a message replies to (column `request_id`). */
  agentRequestId: string | null;
  createdBy: string | null;
  createdByName: string;
  /** The sender's sign-in (their token's `session_id`): a runner acts on no approval sent with its own. */
  createdBySession: string | null;
  /** For `approve`: the SHA-256 of the request's input as the sender saw it (see approval.ts). */
  inputHash: string | null;
  createdAt: string;
  claimedAt: string | null;
  handledAt: string | null;
  outcome: CommandOutcome | null;
  reason: string | null;
}

/** The columns read back for a command. */
export const COMMAND_COLUMNS = 'id, session_id, kind, body, request_id, created_by, created_by_name, created_by_session, input_hash, created_at, claimed_at, handled_at, outcome, reason';

const nullableText = z.string().nullable().optional().transform((v) => v ?? null);
const rowSchema = z.object({
  id: z.string().min(1),
  session_id: z.string().min(1),
  kind: z.enum(COMMAND_KINDS),
  body: nullableText,
  request_id: nullableText,
  created_by: nullableText,
  created_by_name: z.string().optional().default(''),
  created_by_session: nullableText,
  input_hash: nullableText,
  created_at: z.string(),
  claimed_at: nullableText,
  handled_at: nullableText,
  outcome: z.enum(COMMAND_OUTCOMES).nullable().optional().transform((v) => v ?? null),
  reason: nullableText,
});

/** A session_commands row (PostgREST, postgres_changes or a broadcast) as a command; undefined if it is not one. */
export function parseCommandRow(row: unknown): SessionCommand | undefined {
  const r = rowSchema.safeParse(row);
  if (!r.success) return undefined;
  const c = r.data;
  return { id: c.id, sessionId: c.session_id, kind: c.kind, body: c.body, agentRequestId: c.request_id, createdBy: c.created_by, createdByName: c.created_by_name, createdBySession: c.created_by_session, inputHash: c.input_hash, createdAt: c.created_at, claimedAt: c.claimed_at, handledAt: c.handled_at, outcome: c.outcome, reason: c.reason };
}

/** The later of two copies of one command: a handled copy beats an unhandled one, a claimed one an unclaimed one. */
export function newerCommand(a: SessionCommand, b: SessionCommand): SessionCommand {
  const rank = (c: SessionCommand) => (c.handledAt ? 2 : c.claimedAt ? 1 : 0);
  return rank(b) >= rank(a) ? b : a;
}

/** What a user sends: checked here as the database checks it, with a message that says what to fix. */
export function checkCommand(kind: CommandKind, body: string | undefined, agentRequestId: string | undefined): string | undefined {
  const bytes = new TextEncoder().encode(body ?? '').length;
  if (kind === 'message' && !body?.trim()) return 'A message needs some text.';
  if (bytes > MAX_COMMAND_BODY_BYTES) return `The ${kind === 'deny' ? 'reason' : 'message'} is ${(bytes / 1024).toFixed(1)} KiB; at most ${MAX_COMMAND_BODY_BYTES / 1024} KiB can be sent. Shorten it, or put the details in a file the agent can read.`;
  if ((kind === 'approve' || kind === 'deny') && !agentRequestId) return `Which request? ${kind === 'approve' ? 'Approve' : 'Deny'} answers one of the agent's requests (its id).`;
  if ((kind === 'stop' || kind === 'pause' || kind === 'resume') && (body || agentRequestId)) return `${kind} takes no text.`;
  return undefined;
}

/** "Stopping…", "Pausing…": what a button says while its command waits for the runner. */
export const PENDING_LABELS: Record<CommandKind, string> = {
  stop: 'Stopping…',
  pause: 'Pausing…',
  resume: 'Resuming…',
  message: 'Sending…',
  approve: 'Approving…',
  deny: 'Denying…',
};

/** "stop", "message" as a sentence says it ("ada's stop was refused: …"). */
export const COMMAND_NOUNS: Record<CommandKind, string> = { stop: 'stop', pause: 'pause', resume: 'resume', message: 'message', approve: 'approval', deny: 'denial' };

/** One line for a handled command: "Stopped by ada.", "ada's pause is not supported here: …". */
export function describeOutcome(c: SessionCommand): string {
  if (!c.outcome) return `${c.createdByName || 'Someone'}'s ${COMMAND_NOUNS[c.kind]} is waiting for the agent's runner.`;
  const why = c.reason ? `: ${c.reason}` : '.';
  if (c.outcome === 'refused') return `${c.createdByName || 'Someone'}'s ${COMMAND_NOUNS[c.kind]} was refused${why}`;
  if (c.outcome === 'unsupported') return `${c.createdByName || 'Someone'}'s ${COMMAND_NOUNS[c.kind]} is not supported${why}`;
  return c.reason || `${COMMAND_NOUNS[c.kind]} by ${c.createdByName || 'someone'}: done.`;
}

/** The most characters of a request's input kept with the session (the whole is in its timeline event). */
export const MAX_DETAIL_CHARS = 16_000;

/** What an agent asks of its user while its session is `waiting`. */
export interface AgentRequest {
  /** The agent's own id of the request (Claude Code's control request id): what approve / deny answer. */
  id: string;
  /** `approval`: may the agent use a tool (approve / deny). `question`: it wants an answer (a message). */
  kind: 'approval' | 'question';
  /** The tool it wants to use, for approvals. */
  tool?: string;
  /** One line: "Bash: rm -rf build", "Edit src/app.ts". */
  title: string;
  /**
   * For approvals: the whole input the agent would run with, as text (approval.ts reviewText), or
   * its first MAX_DETAIL_CHARS when `detailCut`. For questions: the questions.
   */
  detail?: string;
  /** The detail is the start of the input only: the whole is in the event `eventId`. */
  detailCut?: boolean;
  /** Bytes of the whole input text. */
  inputBytes?: number;
  /** SHA-256 (hex) of the whole input text: what an approval must name. */
  inputHash?: string;
  /** The timeline event that shows the request (with the whole input, when it fits in one). */
  eventId?: string;
  /** When the runner saw it (ISO). */
  at: string;
}

const requestSchema = z.object({
  id: z.string().min(1).max(200),
  kind: z.enum(['approval', 'question']),
  tool: z.string().max(200).optional(),
  title: z.string().max(1000),
  detail: z.string().max(MAX_DETAIL_CHARS).optional(),
  detailCut: z.boolean().optional(),
  inputBytes: z.number().int().nonnegative().optional(),
  inputHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  eventId: z.string().max(100).optional(),
  at: z.string(),
});

/** coding_sessions.waiting_for as requests (anything that is not one is left out). */
export function parseWaitingFor(value: unknown): AgentRequest[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    const r = requestSchema.safeParse(v);
    return r.success ? [r.data] : [];
  });
}

/** Which commands make sense for a session in `state` (the buttons and menus offer only these). */
export function commandsFor(state: string): CommandKind[] {
  switch (state) {
    case 'pending':
      return ['stop', 'message'];
    case 'running':
      return ['stop', 'pause', 'message'];
    case 'paused':
      return ['stop', 'resume'];
    case 'waiting':
      return ['stop', 'approve', 'deny', 'message'];
    default:
      return [];
  }
}
