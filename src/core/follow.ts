// Which session to follow on its own: the rule behind `sessionStream.followNewSessions`. Pure, so
// the unit tier specifies it; the host applies it whenever the list of sessions changes.
import type { SessionState } from '../shared/events';

export type FollowMode = 'off' | 'whenIdle' | 'always';

export interface FollowCandidate {
  id: string;
  state: SessionState;
  created_at: string;
}

const ACTIVE: readonly SessionState[] = ['pending', 'running', 'paused', 'waiting'];

export function isActive(state: SessionState): boolean {
  return ACTIVE.includes(state);
}

/**
 * The session to switch to, or undefined to stay. `known` holds the ids seen before this change
 * (undefined at start-up, when nothing has been seen yet: then the newest active session is
 * followed if nothing is watched). `sessions` is newest first. `whenIdle` switches only when
 * nothing is watched or the watched session has ended; `always` switches to every new session.
 */
export function sessionToFollow(mode: FollowMode, sessions: readonly FollowCandidate[], known: ReadonlySet<string> | undefined, current: FollowCandidate | undefined): FollowCandidate | undefined {
  if (mode === 'off') return undefined;
  const idle = !current || !isActive(current.state);
  if (!known) return idle ? sessions.find((s) => isActive(s.state)) : undefined;
  const fresh = sessions.find((s) => !known.has(s.id) && isActive(s.state));
  if (!fresh || fresh.id === current?.id) return undefined;
  return mode === 'always' || idle ? fresh : undefined;
}
