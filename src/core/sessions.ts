// The one module that creates, reads, lists and moves sessions (public.coding_sessions) for every
// writer and reader: the worker, the runner and watcher, the command line and the extension.
// Row shapes and the parser are in shared/sessions.ts.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { SessionState } from '../shared/events';
import { SESSION_LIST_COLUMNS, sessionInsert, TRANSITIONS, type NewSession, type SessionRow, type SessionSource, type SessionSummary } from '../shared/sessions';

/** A session could not be created, read or moved; the message says why and what to do. */
export class SessionError extends Error {}

/** Undefined columns (an older project): 42703 from PostgreSQL, PGRST204 from PostgREST. */
function isMissingColumn(error: { code?: string } | null | undefined): boolean {
  return error?.code === '42703' || error?.code === 'PGRST204';
}

/**
 * Creates a pending session and returns its row. `columns` chooses what is read back (all by
 * default); `what` and `who` name the session and the sign-in in an error. A project without the columns this version writes
 * gets a SessionError saying to apply the migrations.
 */
export async function createSession(client: SupabaseClient, s: NewSession, o: { columns?: string; what?: string; who?: string } = {}): Promise<SessionRow> {
  const { data, error } = await client
    .from('coding_sessions')
    .insert(sessionInsert(s))
    .select(o.columns ?? '*')
    .single();
  if (error) {
    if (isMissingColumn(error) || /column .* does not exist/i.test(error.message)) {
      throw new SessionError(`Could not create the session: ${error.message}. The project lacks this version's migrations: run \`supabase db push\` (or \`supabase db reset\` locally).`);
    }
    throw new SessionError(`Could not create ${o.what ?? 'the session'}${o.who ? ` as ${o.who}` : ''}: ${error.message}`);
  }
  return data as unknown as SessionRow;
}

/**
 * The session's row (`columns` of it), or undefined when there is none this sign-in may read; a
 * SessionError when it cannot be read.
 */
export async function readSession(client: SupabaseClient, sessionId: string, columns = '*'): Promise<SessionRow | undefined> {
  const { data, error } = await client.from('coding_sessions').select(columns).eq('id', sessionId).maybeSingle();
  if (error) throw new SessionError(`Could not read session ${sessionId}: ${error.message}`);
  return (data ?? undefined) as unknown as SessionRow | undefined;
}

/** The session's row; a SessionError when it is not there (or not visible to this sign-in). */
export async function getSession(client: SupabaseClient, sessionId: string, columns = '*'): Promise<SessionRow> {
  const row = await readSession(client, sessionId, columns);
  if (!row) throw new SessionError(`There is no session ${sessionId}.`);
  return row;
}

/** The session's state, or undefined when there is no such session this sign-in may read. */
export async function sessionState(client: SupabaseClient, sessionId: string): Promise<SessionState | undefined> {
  return (await readSession(client, sessionId, 'state'))?.state;
}

/** The newest `limit` sessions this sign-in may read, with the columns the project has. */
export async function listSessions(client: SupabaseClient, limit = 200): Promise<SessionSummary[]> {
  let last: { message: string } | undefined;
  for (const columns of SESSION_LIST_COLUMNS) {
    const { data, error } = await client.from('coding_sessions').select(columns).order('created_at', { ascending: false }).limit(limit);
    if (!error) return data as unknown as SessionSummary[];
    last = error;
    if (!isMissingColumn(error)) break;
  }
  throw new SessionError(`Could not list your sessions: ${last?.message ?? 'no answer'}`);
}

/** The user's newest session of `source` for the agent's own id of its run, if there is one. */
export async function findAgentSession(client: SupabaseClient, userId: string, source: SessionSource, agentSessionId: string): Promise<{ id: string; state: SessionState } | undefined> {
  const { data, error } = await client.from('coding_sessions').select('id, state').eq('user_id', userId).eq('source', source).eq('agent_session_id', agentSessionId).order('created_at', { ascending: false }).limit(1);
  if (error) throw new SessionError(`Could not look up the session of ${agentSessionId}: ${error.message}`);
  return (data as Array<{ id: string; state: SessionState }>)[0];
}

/**
 * Moves the session to `to`, only from the state it is in now, and returns the state it left. The
 * database records the change as a state_changed event with `reason` (a trigger); `patch` sets
 * more columns in the same update (stats, waiting_for).
 */
export async function moveSession(client: SupabaseClient, sessionId: string, to: SessionState, reason: string, patch: Record<string, unknown> = {}): Promise<SessionState> {
  const current = await getSession(client, sessionId);
  if (!TRANSITIONS[current.state].includes(to)) {
    throw new SessionError(`A ${current.state} session cannot become ${to}; from ${current.state} it can become ${TRANSITIONS[current.state].join(', ') || 'nothing (it has ended)'}.`);
  }
  // updated_at is set by the table's trigger.
  const { data, error } = await client
    .from('coding_sessions')
    .update({ state: to, state_reason: reason.slice(0, 4000), ...patch })
    .eq('id', sessionId)
    .eq('state', current.state)
    .select('id');
  if (error) throw new SessionError(`Could not update session ${sessionId}: ${error.message}`);
  if (!data?.length) throw new SessionError(`Session ${sessionId} changed state meanwhile; read it again and retry.`);
  return current.state;
}

/**
 * Sets columns of a session that do not change its state (waiting_for while waiting, agent info);
 * with `onlyIn`, only while it is in that state. `what` names it in the error ("Could not <what>: …").
 */
export async function updateSession(client: SupabaseClient, sessionId: string, patch: Record<string, unknown>, o: { onlyIn?: SessionState; what?: string } = {}): Promise<void> {
  let query = client.from('coding_sessions').update(patch).eq('id', sessionId);
  if (o.onlyIn) query = query.eq('state', o.onlyIn);
  const { error } = await query;
  if (error) throw new SessionError(`Could not ${o.what ?? `update session ${sessionId}`}: ${error.message}`);
}
