// Sessions as the worker manages them: create, move through the lifecycle (refusing impossible
// transitions; one change at a time per session), wait for the user, and record the outcome.
// Events go through the EventSink it is given (the worker's EventQueue): every event emitted
// before a change of state is stored before it.
import type { SupabaseClient } from '@supabase/supabase-js';
import { HISTORY_COLUMNS } from '../core/history';
import type { AgentRequest } from '../shared/commands';
import { createSession, getSession, moveSession, updateSession } from '../core/sessions';
import { parseEventRow, type SessionEventType, type SessionState, type SessionStats } from '../shared/events';
import type { SessionRow, SessionSource } from '../shared/sessions';
import type { EmitOutcome } from './emitOutcome';

/** Where the store's events go: stored in order, and awaited before a change of state. */
export interface EventSink {
  /** Stores one event (validated, queued, retried; never throws). */
  emitEvent(sessionId: string, type: SessionEventType | string, data: unknown, options?: { id?: string }): Promise<EmitOutcome>;
  /** Waits until every event of `sessionId` emitted so far is stored. */
  settle(sessionId: string, timeoutMs?: number): Promise<void>;
}

export class SessionStore {
  private readonly stateChanges = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: SupabaseClient,
    private readonly events: EventSink,
  ) {}

  /**
   * Moves the session to `to`; the database records the change as a STATE_CHANGED event (with the
   * state it really left and `reason`) in the same transaction. Everything emitted before is stored
   * first, so the change comes after it in `seq`. Throws a SessionError for an impossible
   * transition (e.g. completed → running), a missing session, or events that could not be stored.
   */
  transition(sessionId: string, to: SessionState, reason = '', stats?: SessionStats): Promise<EmitOutcome> {
    return this.oneAtATime(sessionId, () => this.transitionNow(sessionId, to, reason, stats));
  }

  /**
   * State changes of one session run one after another: the agent ending while a command moves it
   * (an answer taking it out of `waiting`) must not make either fail as "changed meanwhile".
   */
  private oneAtATime<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const before = this.stateChanges.get(sessionId) ?? Promise.resolve();
    const next = before.then(work, work);
    const tail = next.catch(() => undefined);
    this.stateChanges.set(sessionId, tail);
    void tail.then(() => this.stateChanges.get(sessionId) === tail && this.stateChanges.delete(sessionId));
    return next;
  }

  private async transitionNow(sessionId: string, to: SessionState, reason: string, stats?: SessionStats): Promise<EmitOutcome> {
    await this.events.settle(sessionId);
    await this.moveState(sessionId, to, reason, stats);
    const { data, error } = await this.client.from('session_events').select(HISTORY_COLUMNS).eq('session_id', sessionId).eq('event_type', 'state_changed').order('session_seq', { ascending: false }).limit(1);
    const parsed = !error && data?.[0] ? parseEventRow(data[0]) : undefined;
    if (parsed?.ok) return { status: 'stored', event: parsed.event };
    return { status: 'failed', id: '', error: `the session is ${to}, but its state_changed event could not be read back${error ? `: ${error.message}` : ''}` };
  }

  /**
   * The agent waits for its user: the session becomes `waiting` with what it asked (`requests`,
   * shown in VS Code with Approve / Deny / Reply), or — already waiting — its list of requests is
   * replaced. An empty list moves a waiting session back to running with `reason`.
   */
  setWaiting(sessionId: string, requests: readonly AgentRequest[], reason: string): Promise<void> {
    return this.oneAtATime(sessionId, () => this.setWaitingNow(sessionId, requests, reason));
  }

  private async setWaitingNow(sessionId: string, requests: readonly AgentRequest[], reason: string): Promise<void> {
    await this.events.settle(sessionId);
    const current = await this.getSession(sessionId);
    if (requests.length === 0) {
      if (current.state === 'waiting') await this.moveState(sessionId, 'running', reason);
      return;
    }
    if (current.state !== 'waiting') {
      await this.moveState(sessionId, 'waiting', reason, undefined, { waiting_for: requests });
      return;
    }
    await updateSession(this.client, sessionId, { waiting_for: requests }, { onlyIn: 'waiting', what: `update what session ${sessionId} waits for` });
  }

  /** The success flow: COMPLETION with the stats, then STATE_CHANGED → completed. */
  async completeSession(sessionId: string, stats: SessionStats, message = 'Session completed'): Promise<EmitOutcome> {
    const completion = await this.events.emitEvent(sessionId, 'completion', { message, stats });
    if (completion.status === 'refused' || completion.status === 'failed') return completion;
    return this.transition(sessionId, 'completed', message, stats);
  }

  /** The failure flow: ERROR with the message (and stats), then STATE_CHANGED → failed. */
  async failSession(sessionId: string, message: string, stats?: SessionStats): Promise<EmitOutcome> {
    const failure = await this.events.emitEvent(sessionId, 'error', stats ? { message, stats } : { message });
    if (failure.status === 'refused' || failure.status === 'failed') return failure;
    return this.transition(sessionId, 'failed', message, stats);
  }

  /** A new pending session; `source` and `cwd` say where it comes from (the Sessions view shows them). */
  createSession(userId: string, title: string, origin: { source?: SessionSource; cwd?: string } = {}): Promise<SessionRow> {
    return createSession(this.client, { userId, title, ...origin });
  }

  /**
   * Records the agent's own id of its run and its model once they are known (`run` learns them from
   * the agent's first lines): each only while the session has none (the database keeps them once
   * set). Returns what was recorded.
   */
  async setAgentInfo(sessionId: string, info: { agentSessionId?: string; model?: string }): Promise<{ agentSessionId?: string; model?: string }> {
    const row = await getSession(this.client, sessionId, 'agent_session_id, model');
    const patch: Record<string, string> = {};
    if (info.agentSessionId && !row.agent_session_id) patch.agent_session_id = info.agentSessionId.slice(0, 256);
    if (info.model && !row.model) patch.model = info.model.slice(0, 256);
    if (Object.keys(patch).length === 0) return {};
    await updateSession(this.client, sessionId, patch, { what: `record the agent's id and model on session ${sessionId}` });
    return { agentSessionId: patch.agent_session_id, model: patch.model };
  }

  getSession(sessionId: string): Promise<SessionRow> {
    return getSession(this.client, sessionId);
  }

  private moveState(sessionId: string, to: SessionState, reason: string, stats?: SessionStats, extra: Record<string, unknown> = {}): Promise<SessionState> {
    return moveSession(this.client, sessionId, to, reason, stats ? { ...extra, stats } : extra);
  }
}
