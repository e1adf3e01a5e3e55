import assert from 'node:assert/strict';
import { sessionToFollow, type FollowCandidate } from '../../src/core/follow';

const s = (id: string, state: FollowCandidate['state']): FollowCandidate => ({ id, state, created_at: `2026-11-30T10:00:0${id.length}Z` });

describe('sessionToFollow (sessionStream.followNewSessions)', () => {
  const old = s('old', 'completed');
  const live = s('live', 'running');

  it('at start-up follows the newest active session only when nothing is watched', () => {
    assert.equal(sessionToFollow('whenIdle', [live, old], undefined, undefined)?.id, 'live');
    assert.equal(sessionToFollow('whenIdle', [old], undefined, undefined), undefined, 'nothing active: stay');
    assert.equal(sessionToFollow('whenIdle', [live, old], undefined, s('mine', 'running')), undefined, 'keeps what the user watches');
    assert.equal(sessionToFollow('whenIdle', [live, old], undefined, old)?.id, 'live', 'the watched one has ended');
  });

  it('whenIdle: a new session is followed when nothing is watched or the watched one has ended', () => {
    const known = new Set(['old', 'live']);
    const fresh = s('fresh', 'pending');
    assert.equal(sessionToFollow('whenIdle', [fresh, live, old], known, undefined)?.id, 'fresh');
    assert.equal(sessionToFollow('whenIdle', [fresh, live, old], known, old)?.id, 'fresh');
    assert.equal(sessionToFollow('whenIdle', [fresh, live, old], known, live), undefined, 'watching a running one: stay');
  });

  it('always: every new active session is followed', () => {
    const known = new Set(['old', 'live']);
    assert.equal(sessionToFollow('always', [s('fresh', 'running'), live, old], known, live)?.id, 'fresh');
  });

  it('never follows a known, finished or already watched session, nor anything when off', () => {
    const known = new Set(['old', 'live']);
    assert.equal(sessionToFollow('always', [live, old], known, undefined), undefined, 'nothing new');
    assert.equal(sessionToFollow('always', [s('done', 'failed'), live, old], known, undefined), undefined, 'new but already over');
    const fresh = s('fresh', 'running');
    assert.equal(sessionToFollow('always', [fresh], new Set(), fresh), undefined, 'already watched');
    assert.equal(sessionToFollow('off', [fresh, live], undefined, undefined), undefined);
    assert.equal(sessionToFollow('off', [fresh, live], known, undefined), undefined);
  });
});
