// Sessions as the worker manages them: create, move through the lifecycle (refusing impossible
// transitions), and record the outcome. Events go through SessionLifecycleManager.emitEvent.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { SessionState, SessionStats } from '../shared/events';

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

export class SessionError extends Error {}

export interface SessionRow {
  id: string;
  user_id: string;
  title: string;
  state: SessionState;
  stats: SessionStats | null;
  /** What the agent asked its user while `waiting` (see shared/commands.ts AgentRequest). */
  waiting_for?: unknown;
  created_at: string;
  updated_at: string;
}

export abstract class SessionStore {
  constructor(protected readonly client: SupabaseClient) {}

  /** A new pending session; `source` and `cwd` say where it comes from (the Sessions view shows them). */
  async createSession(userId: string, title: string, origin: { source?: 'codex' | 'claude' | 'gemini' | 'demo' | 'other'; cwd?: string } = {}): Promise<SessionRow> {
    const { data, error } = await this.client.from('coding_sessions').insert({ user_id: userId, title, ...origin }).select().single();
    if (error) throw new SessionError(`Could not create the session: ${error.message}`);
    return data as SessionRow;
  }

  async getSession(sessionId: string): Promise<SessionRow> {
    const { data, error } = await this.client.from('coding_sessions').select().eq('id', sessionId).maybeSingle();
    if (error) throw new SessionError(`Could not read session ${sessionId}: ${error.message}`);
    if (!data) throw new SessionError(`There is no session ${sessionId}.`);
    return data as SessionRow;
  }

  /**
   * Moves the session to `to` (only from the state it is in now) and returns the state it left.
   * The database records the change as a state_changed event with `reason` (a trigger).
   */
  protected async moveState(sessionId: string, to: SessionState, reason: string, stats?: SessionStats, extra: Record<string, unknown> = {}): Promise<SessionState> {
    const current = await this.getSession(sessionId);
    if (!TRANSITIONS[current.state].includes(to)) {
      throw new SessionError(`A ${current.state} session cannot become ${to}; from ${current.state} it can become ${TRANSITIONS[current.state].join(', ') || 'nothing (it has ended)'}.`);
    }
    // updated_at is set by the table's trigger.
    const patch: Record<string, unknown> = { state: to, state_reason: reason.slice(0, 4000), ...extra };
    if (stats) patch.stats = stats;
    const { data, error } = await this.client.from('coding_sessions').update(patch).eq('id', sessionId).eq('state', current.state).select('id');
    if (error) throw new SessionError(`Could not update session ${sessionId}: ${error.message}`);
    if (!data?.length) throw new SessionError(`Session ${sessionId} changed state meanwhile; read it again and retry.`);
    return current.state;
  }
}
