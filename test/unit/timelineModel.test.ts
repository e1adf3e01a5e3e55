import assert from 'node:assert/strict';
import type { SessionEvent } from '../../src/shared/events';
import type { TimelineEntry } from '../../src/shared/entries';
import { counts, duration, matches, relativeTime, splitMatches, totals, visibleEntries } from '../../webview/model';

const at = (s: number) => new Date(Date.parse('2026-11-25T10:00:00Z') + s * 1000).toISOString();
const ev = (seq: number, type: SessionEvent['type'], data: Record<string, unknown>, t = seq): TimelineEntry => ({ kind: 'event', event: { id: `e${seq}`, sessionId: 's', seq, type, data, createdAt: at(t) } as SessionEvent });
const entries: TimelineEntry[] = [
  ev(1, 'thinking', { iteration: 1, toolsUsed: ['bash'] }),
  ev(2, 'terminal', { command: 'npm test', output: 'FAIL App.tsx', error: '', exitCode: 1 }),
  ev(3, 'file_change', { path: 'src/App.tsx', action: 'write' }),
  ev(4, 'completion', { message: 'done', stats: { iterations: 1, inputTokens: 10, outputTokens: 4, toolCalls: 2 } }, 65),
  { kind: 'malformed', malformed: { id: null, sessionId: null, seq: null, createdAt: null, reason: 'bad', raw: {} } },
];

describe('timeline model (webview, pure)', () => {
  it('counts per type and filters by hidden types', () => {
    assert.equal(counts(entries).terminal, 1);
    assert.equal(counts(entries).malformed, 1);
    assert.deepEqual(visibleEntries(entries, ['terminal', 'malformed']).map((e) => (e.kind === 'event' ? e.event.seq : -1)), [1, 3, 4]);
  });

  it('searches commands, output, paths and messages, case-insensitively', () => {
    assert.deepEqual(matches(entries, 'app.tsx'), [1, 2]);
    assert.deepEqual(matches(entries, 'DONE'), [3]);
    assert.deepEqual(matches(entries, '  '), []);
    assert.deepEqual(splitMatches('src/App.tsx', 'app'), [{ text: 'src/', hit: false }, { text: 'App', hit: true }, { text: '.tsx', hit: false }]);
  });

  it('replays by time: only what had happened by then, and nothing without a time', () => {
    assert.equal(visibleEntries(entries, [], Date.parse(at(2))).length, 2);
    assert.equal(visibleEntries(entries, []).length, 5);
  });

  it('sums tokens and elapsed time for the header', () => {
    const t = totals(entries);
    assert.equal(t.inputTokens, 10);
    assert.equal(duration(t.elapsedMs), '1m 4s');
    assert.equal(relativeTime(Date.parse(at(0)), Date.parse(at(90))), '1m ago');
  });
});
