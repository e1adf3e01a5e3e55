// The session event model shared by the worker, the stream, the extension host, the webview and the
// command line: the six event types plus `files_changed` (several file changes in one event), a zod schema for
// each type's `data`, and a row parser that turns a database row into a SessionEvent — or reports
// it as malformed, without losing it or its neighbours.
import { z } from 'zod';

/** Every event type the database accepts (its CHECK constraint lists the same). */
export const SESSION_EVENT_TYPES = ['state_changed', 'thinking', 'terminal', 'file_change', 'files_changed', 'completion', 'error'] as const;
/** What a writer may emit: a `state_changed` event is the database's record of a change of the session's state. */
export const WRITABLE_EVENT_TYPES = SESSION_EVENT_TYPES.filter((t) => t !== 'state_changed');
/** Why a writer cannot emit `state_changed`. */
export const STATE_CHANGED_IS_THE_DATABASES = "state_changed events are written by the database when a session changes state; change the session's state instead (its state_changed event follows).";
export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

/** Upper-case names for the types (`SessionEventType.THINKING`), for code that prefers an enum. */
export const SessionEventType = {
  STATE_CHANGED: 'state_changed',
  THINKING: 'thinking',
  TERMINAL: 'terminal',
  FILE_CHANGE: 'file_change',
  FILES_CHANGED: 'files_changed',
  COMPLETION: 'completion',
  ERROR: 'error',
} as const satisfies Record<string, SessionEventType>;

/** `waiting`: the agent asked its user something (an approval, an answer) and waits for it. */
export const SESSION_STATES = ['pending', 'running', 'paused', 'waiting', 'completed', 'failed', 'cancelled'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/**
 * The database refuses `event_data` larger than this (JSON text, bytes); so do we, before sending.
 * Chosen so that the largest event's broadcast (the row with its envelope, as Realtime sends it)
 * stays under the 256,500 bytes hosted Supabase's Free plan delivers (docs/benchmarks.md).
 */
export const MAX_EVENT_DATA_BYTES = 255_000;

const count = z.number().int().nonnegative();
const text = z.string().max(MAX_EVENT_DATA_BYTES);
const filePath = z.string().min(1, 'must not be empty').max(4096).refine((p) => !p.includes('\u0000'), 'must not contain NUL');
const fileAction = z.enum(['write', 'create', 'delete']);
export const sessionStateSchema = z.enum(SESSION_STATES);

export const sessionStatsSchema = z.looseObject({
  iterations: count,
  inputTokens: count,
  outputTokens: count,
  toolCalls: count,
  /** What the run cost, when the agent reports it (Claude Code does). */
  costUsd: z.number().nonnegative().optional(),
  durationMs: count.optional(),
});
export type SessionStats = z.infer<typeof sessionStatsSchema>;

/**
 * One schema per type. Unknown extra fields are kept (an agent may send more than we know about);
 * fields that writers commonly leave out get a neutral default (`toolsUsed: []`, `output: ''`,
 * `error: ''`, `action: 'write'`). `exitCode` may be absent while a command still runs.
 */
export const eventDataSchemas = {
  state_changed: z.looseObject({ from: sessionStateSchema, to: sessionStateSchema, reason: z.string().max(4096).default('') }),
  thinking: z.looseObject({ iteration: count, toolsUsed: z.array(z.string().max(200)).max(500).default([]), text: text.optional() }),
  terminal: z.looseObject({ command: text, output: text.default(''), error: text.default(''), exitCode: z.number().int().optional() }),
  file_change: z.looseObject({ path: filePath, action: fileAction.default('write'), diff: text.optional(), additions: count.optional(), deletions: count.optional() }),
  files_changed: z.looseObject({ files: z.array(z.looseObject({ path: filePath, action: fileAction.default('write') })).min(1, 'needs at least one file').max(10_000) }),
  completion: z.looseObject({ message: z.string().max(65_536).default(''), stats: sessionStatsSchema }),
  error: z.looseObject({ message: z.string().min(1, 'must say what failed').max(65_536), stats: sessionStatsSchema.optional() }),
} satisfies Record<SessionEventType, z.ZodType>;

export type EventDataMap = { [T in SessionEventType]: z.infer<(typeof eventDataSchemas)[T]> };
export type EventDataInput = { [T in SessionEventType]: z.input<(typeof eventDataSchemas)[T]> };

/** A stored event. JSON of it is what `tail --json` prints. */
export type SessionEvent = {
  [T in SessionEventType]: { id: string; sessionId: string; seq: number; type: T; data: EventDataMap[T]; createdAt: string };
}[SessionEventType];

/** A row that is not a valid event: kept and shown as such, with the reason and the raw row. */
export interface MalformedEvent {
  id: string | null;
  sessionId: string | null;
  seq: number | null;
  createdAt: string | null;
  reason: string;
  raw: unknown;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function isSessionEventType(value: unknown): value is SessionEventType {
  return typeof value === 'string' && (SESSION_EVENT_TYPES as readonly string[]).includes(value);
}

/** Byte length of `value` as JSON text (what the database's size check measures). */
export function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value) ?? '').length;
}

function describe(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}

/**
 * `value` with every NUL character (U+0000) in its strings and keys shown as ␀ (U+2400):
 * PostgreSQL's jsonb cannot hold one, so an agent's output with a NUL byte would otherwise be
 * refused by the database and lost.
 */
export function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '\u2400') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k) as string, withoutNul(v)]));
  return value;
}

/** Validates `data` for `type`: the parsed data with defaults applied, or a message that says what to fix. */
export function validateEventData<T extends SessionEventType>(type: T, data: unknown): ValidationResult<EventDataMap[T]>;
export function validateEventData(type: string, data: unknown): ValidationResult<EventDataMap[SessionEventType]>;
export function validateEventData(type: string, data: unknown): ValidationResult<EventDataMap[SessionEventType]> {
  if (!isSessionEventType(type)) return { ok: false, error: `unknown event type "${type}"; expected one of ${SESSION_EVENT_TYPES.join(', ')}` };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: false, error: `${type} data must be a JSON object` };
  const bytes = jsonBytes(data);
  if (bytes > MAX_EVENT_DATA_BYTES) {
    return { ok: false, error: `${type} data is ${Math.ceil(bytes / 1024)} KiB; the limit is ${Math.floor(MAX_EVENT_DATA_BYTES / 1024)} KiB. Split large terminal output over several terminal events (or shorten the field) before emitting.` };
  }
  const parsed = eventDataSchemas[type].safeParse(data);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: describe(parsed.error, type) };
}

/** A `session_events` row as PostgREST and Realtime deliver it. */
export interface SessionEventRow {
  id: string;
  session_id: string;
  /** Global insert order. */
  seq: number | string;
  /** 1, 2, 3 … within the session, commit-ordered: what SessionEvent.seq is. */
  session_seq?: number | string;
  event_type: string;
  event_data: unknown;
  created_at: string;
}

export type ParsedRow = { ok: true; event: SessionEvent } | { ok: false; malformed: MalformedEvent };

const whole = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const rowSchema = z.object({
  id: z.string().min(1),
  session_id: z.string().min(1),
  seq: whole,
  session_seq: whole.optional(),
  event_type: z.string(),
  event_data: z.unknown(),
  created_at: z.string(),
});

/** Turns a row into a SessionEvent, or into a MalformedEvent that says why (never throws). */
export function parseEventRow(row: unknown): ParsedRow {
  const r = (row && typeof row === 'object' ? row : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const seqOf = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);
  const malformed = (reason: string): ParsedRow => ({
    ok: false,
    malformed: { id: str(r.id), sessionId: str(r.session_id), seq: seqOf(r.session_seq ?? r.seq), createdAt: str(r.created_at), reason, raw: row },
  });
  const shape = rowSchema.safeParse(row);
  if (!shape.success) return malformed(`not a session_events row: ${describe(shape.error, 'row')}`);
  const { id, session_id, seq, session_seq, event_type, event_data, created_at } = shape.data;
  const data = validateEventData(event_type, event_data);
  if (!data.ok) return malformed(data.error);
  // An event's number is its place in its session (rows from before that column: the global one).
  return { ok: true, event: { id, sessionId: session_id, seq: session_seq ?? seq, type: event_type, data: data.value, createdAt: created_at } as SessionEvent };
}

/** A sample `data` for each type: what "Emit Test Event" pre-fills and `emit --help` shows. */
export const SAMPLE_EVENT_DATA: EventDataInput = {
  state_changed: { from: 'pending', to: 'running', reason: 'Agent started' },
  thinking: { iteration: 1, toolsUsed: ['read_file', 'bash'] },
  terminal: { command: 'npm test', output: '\u001b[32m✔\u001b[0m 12 passing\n', error: '', exitCode: 0 },
  file_change: { path: 'src/index.ts', action: 'write' },
  files_changed: { files: [{ path: 'src/a.ts', action: 'write' }, { path: 'src/old.ts', action: 'delete' }] },
  completion: { message: 'Implemented the feature and all tests pass.', stats: { iterations: 4, inputTokens: 12000, outputTokens: 3400, toolCalls: 9 } },
  error: { message: 'The test suite failed after 3 attempts.', stats: { iterations: 3, inputTokens: 9000, outputTokens: 2100, toolCalls: 7 } },
};
