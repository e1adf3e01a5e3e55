// Sessions of any length without a browser or a database: the timeline's window (pages at either
// end, the far end let go of, live events only at the end), the stream's log bounded, and the
// Markdown people paste into pull requests (fences that nothing inside can close, text that stays
// text, colour codes gone).
import assert from 'node:assert/strict';
import { EventLog } from '../../src/core/eventLog';
import { insertInOrder, seqOf, type TimelineEntry } from '../../src/shared/entries';
import type { SessionEvent } from '../../src/shared/events';
import { entryMarkdown, escapeText, fenced, sessionMarkdown, stripAnsi } from '../../src/shared/markdown';
import { SessionWindow } from '../../webview/window';

const ev = (seq: number, type: SessionEvent['type'] = 'thinking', data: Record<string, unknown> = { iteration: seq, toolsUsed: [] }): TimelineEntry => ({ kind: 'event', event: { id: `e${seq}`, sessionId: 's', seq, type, data, createdAt: '2026-12-03T10:00:00Z' } as SessionEvent });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ev(from + i));
const seqs = (w: SessionWindow) => [w.firstSeq, w.lastSeq, w.entries.length];

describe('the timeline window over a long session', () => {
  it('grows at either end and lets the far end go past its size; a jump replaces it', () => {
    const w = new SessionWindow(1000);
    w.replace({ entries: range(9001, 10_000), reachedStart: false, reachedEnd: true, total: 10_000 });
    assert.equal(w.prepend({ entries: range(8751, 9000), reachedStart: false, reachedEnd: false, total: 0 }), 250);
    assert.deepEqual(seqs(w), [8751, 9750, 1000], 'the newest 250 were let go of');
    assert.equal(w.reachedEnd, false);
    assert.equal(w.evicted, 250);
    assert.equal(w.append({ entries: range(9751, 10_000), reachedStart: false, reachedEnd: true, total: 10_000 }), 250);
    assert.deepEqual(seqs(w), [9001, 10_000, 1000]);
    assert.equal(w.reachedEnd, true);
    assert.equal(w.prepend({ entries: [...range(8990, 9005)], reachedStart: false, reachedEnd: false, total: 0 }), 11, 'what it holds already is not added twice');
    w.replace({ entries: range(1, 250), reachedStart: true, reachedEnd: false, total: 10_000 });
    assert.deepEqual(seqs(w), [1, 250, 250]);
    assert.ok(w.covers(1) && w.covers(250) && !w.covers(251));
  });

  it('takes live events only when it reaches the end; otherwise only the length grows', () => {
    const w = new SessionWindow(100);
    w.replace({ entries: range(1, 100), reachedStart: true, reachedEnd: true, total: 100 });
    const put = (list: TimelineEntry[], e: TimelineEntry) => void insertInOrder(list, e);
    const a = w.live([ev(101), ev(102)], put, false);
    assert.deepEqual([a.taken.length, a.dropped, w.total, w.firstSeq, w.lastSeq, w.reachedStart], [2, 2, 102, 3, 102, false]);
    w.replace({ entries: range(1, 50), reachedStart: true, reachedEnd: false, total: 102 });
    const b = w.live([ev(103)], put, false);
    assert.deepEqual([b.taken.length, w.total, w.lastSeq], [0, 103, 50]);
    const empty = new SessionWindow(100);
    empty.live(range(900, 1000), put, false);
    assert.equal(empty.reachedStart, false, 'history that starts at 900 has events before it');
  });
});

describe('the stream log, bounded', () => {
  it('keeps the latest maxEntries; anything numbered below what it keeps is a copy', () => {
    const log = new EventLog(3);
    log.add(range(1, 5));
    assert.deepEqual(log.entries().map(seqOf), [3, 4, 5]);
    assert.equal(log.firstSeq, 3);
    const again = log.add([ev(2), ev(6)]);
    assert.deepEqual([again.duplicates, again.appended.map(seqOf)], [1, [6]]);
    assert.equal(log.lastSeq, 6);
    assert.equal(log.size, 3);
  });
});

describe('Copy as Markdown', () => {
  it('fences what holds backticks with a longer fence, and strips colour codes from output', () => {
    assert.equal(fenced('a ``` b'), '````\na ``` b\n````');
    assert.equal(stripAnsi('\u001b[32m✔\u001b[0m ok \u001b]8;;http://x\u0007link\u001b]8;;\u0007'), '✔ ok link');
    const md = entryMarkdown(ev(4, 'terminal', { command: 'echo "```"', output: '\u001b[31m```\u001b[0m\n', error: '', exitCode: 1 }));
    assert.equal(md, '#4 — exit 1\n\n````console\n$ echo "```"\n```\n````');
  });

  it('keeps text as text: HTML, links and list markers in messages do nothing', () => {
    assert.equal(escapeText('<img src=x> [a](javascript:x) *b*'), '\\<img src=x\\> \\[a\\](javascript:x) \\*b\\*');
    assert.equal(escapeText('- not a list\n1. nor this'), '\\- not a list\n1\\. nor this');
    assert.match(entryMarkdown(ev(9, 'error', { message: '<script>alert(1)</script>' })), /^#9 \*\*Error:\*\* \\<script\\>alert\(1\)\\<\/script\\>$/);
  });

  it('a session: a header with title, state, duration and tokens, then file changes with their diffs', () => {
    const text = sessionMarkdown(
      [ev(1, 'state_changed', { from: 'pending', to: 'running', reason: 'started' }), ev(2, 'file_change', { path: 'src/a.ts', action: 'write', diff: '@@ -1 +1 @@\n-a\n+b\n', additions: 1, deletions: 1 }), ev(3, 'files_changed', { files: [{ path: 'README.md', action: 'write' }, { path: 'old.ts', action: 'delete' }] })],
      { title: 'Fix *the* test', state: 'completed', stats: { durationMs: 125_000, inputTokens: 12_000, outputTokens: 3400, costUsd: 0.0123 }, events: 3 },
    );
    assert.equal(
      text,
      '## Fix \\*the\\* test\n\n**State:** completed · **Duration:** 2 min 5 s · **Tokens:** 12,000 in / 3,400 out · **Cost:** $0.0123 · **Events:** 3\n\n' +
        '- #1 **pending → running**: started\n\n- #2 Changed `src/a.ts` (+1 −1)\n\n```diff\n@@ -1 +1 @@\n-a\n+b\n```\n\n- #3 Changed 2 files:\n  - `README.md`\n  - Deleted `old.ts`\n',
    );
  });
});
