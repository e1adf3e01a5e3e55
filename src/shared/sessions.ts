// A session as the database holds it (public.coding_sessions): one zod schema, the types every
// layer derives from it (the worker's row, the host's list item, the panel's view), and a parser
// that never throws. Events have the same in events.ts.
import { z } from 'zod';
import { sessionStateSchema, sessionStatsSchema, type SessionState } from './events';

/**
 * Where a session comes from (`coding_sessions.source`): an agent's kind (the agent registry in
 * src/bridges lists them), `demo` or `other`. The database takes any name of this shape, so a new
 * agent needs no migration.
 */
export type SessionSource = string;
export const SESSION_SOURCE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

const optionalText = z.string().nullish();

/**
 * One row of `coding_sessions`. Columns added by later migrations are optional (a project without
 * them lists its sessions with the columns it has); unknown columns are kept.
 */
export const sessionRowSchema = z.looseObject({
  id: z.string().min(1),
  user_id: z.string().optional(),
  title: z.string(),
  state: sessionStateSchema,
  created_at: z.string(),
  updated_at: z.string(),
  stats: sessionStatsSchema.nullish(),
  state_reason: optionalText,
  /** An agent's kind, demo or other (see SessionSource). */
  source: optionalText,
  /** The folder the agent works in. */
  cwd: optionalText,
  /** The agent's own id of its run, and its model. */
  agent_session_id: optionalText,
  model: optionalText,
  /** What the agent asked its user while `waiting` (read with parseWaitingFor in commands.ts). */
  waiting_for: z.unknown().optional(),
});
export type SessionRow = z.infer<typeof sessionRowSchema>;

/** What a list of sessions shows: the columns `listSessions` reads. */
export type SessionSummary = Pick<SessionRow, 'id' | 'title' | 'state' | 'created_at' | 'updated_at' | 'source' | 'cwd' | 'waiting_for'>;

/** The columns of a session list, newest migration first; a project without one lists with the next. */
export const SESSION_LIST_COLUMNS = [
  'id, title, state, created_at, updated_at, source, cwd, waiting_for',
  'id, title, state, created_at, updated_at, source, cwd',
  'id, title, state, created_at, updated_at',
] as const;

export type ParsedSession = { ok: true; session: SessionRow } | { ok: false; reason: string };

/** A database row as a session, or why it is not one. Never throws. */
export function parseSessionRow(row: unknown): ParsedSession {
  const parsed = sessionRowSchema.safeParse(row);
  if (parsed.success) return { ok: true, session: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: issue ? `${issue.path.join('.') || 'row'}: ${issue.message}` : 'not a session row' };
}

/** A session to create: who owns it, its title, and where it comes from. */
export interface NewSession {
  userId: string;
  title: string;
  source?: SessionSource;
  cwd?: string | null;
  agentSessionId?: string | null;
  model?: string | null;
}

/** The row to insert for `s`: only the columns given (the database refuses a title over 1,000 bytes). */
export function sessionInsert(s: NewSession): Record<string, unknown> {
  const row: Record<string, unknown> = { user_id: s.userId, title: s.title };
  if (s.source !== undefined) row.source = s.source;
  if (s.cwd !== undefined) row.cwd = s.cwd;
  if (s.agentSessionId !== undefined) row.agent_session_id = s.agentSessionId;
  if (s.model !== undefined) row.model = s.model;
  return row;
}

/** Which state may follow which; completed, failed and cancelled are final (the database checks the same). */
export const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  pending: ['running', 'cancelled', 'failed'],
  running: ['paused', 'waiting', 'completed', 'failed', 'cancelled'],
  paused: ['running', 'failed', 'cancelled'],
  waiting: ['running', 'completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};
