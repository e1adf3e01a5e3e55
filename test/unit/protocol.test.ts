// The host↔webview protocols: the host acts only on page messages of a known type and shape (the
// page is a browser showing hostile data), each panel accepts only its own protocol's messages,
// and entries survive their JSON transport.
import assert from 'node:assert/strict';
import type { TimelineEntry } from '../../src/shared/entries';
import { isHealthHostMessage, isHealthWebviewMessage } from '../../src/shared/healthProtocol';
import { decodeEntries, encodeEntries, isTimelineHostMessage, isTimelineWebviewMessage } from '../../src/shared/timelineProtocol';

describe('host ↔ webview protocol', () => {
  it('accepts the webview messages it knows, in their shapes', () => {
    for (const m of [{ type: 'ready' }, { type: 'reconnect' }, { type: 'exportJsonl' }, { type: 'openFile', path: 'src/a.ts', mode: 'preview' }, { type: 'openFile', path: 'a', mode: 'diff' }, { type: 'copy', text: '{}' }, { type: 'annotate', requestId: 'r1', eventId: 'e1', body: 'why?' }, { type: 'editAnnotation', requestId: 'r2', id: 'a1', body: '' }, { type: 'deleteAnnotation', id: 'a1' }, { type: 'read', seq: 0 }, { type: 'read', seq: 1234 }]) {
      assert.equal(isTimelineWebviewMessage(m), true, JSON.stringify(m));
    }
  });

  it('refuses unknown types, wrong shapes and oversize copies or comments', () => {
    for (const m of [null, 'ready', 42, {}, { type: 'eval', code: 'x' }, { type: 'openFile' }, { type: 'openFile', path: 1, mode: 'preview' }, { type: 'openFile', path: 'a', mode: 'exec' }, { type: 'copy' }, { type: 'copy', text: 'x'.repeat(10_000_001) }, { type: 'copy', text: 'x', what: 'y'.repeat(101) }, { type: 'page', requestId: 'r', direction: 'sideways', seq: 1, limit: 10 }, { type: 'page', requestId: 'r', direction: 'after', seq: 1, limit: 1001 }, { type: 'page', requestId: 'r', direction: 'after', seq: 1.5, limit: 10 }, { type: 'page', requestId: 'r', direction: 'after', seq: 1, limit: 10, types: ['thinking', 'toString'] }, { type: 'search', requestId: 'r', query: 'q'.repeat(501) }, { type: 'search', requestId: 'r', query: 'q', after: 'x' }, { type: 'copyLink', seq: 0 }, { type: 'control', kind: 'explode' }, { type: 'annotate', eventId: 'e1', body: 'no request id' }, { type: 'annotate', requestId: 'r', eventId: '', body: 'x' }, { type: 'annotate', requestId: 'r', eventId: 'e', body: 'x'.repeat(65_537) }, { type: 'editAnnotation', requestId: 'r', id: 7, body: 'x' }, { type: 'deleteAnnotation', id: 'x'.repeat(101) }, { type: 'read', seq: -1 }, { type: 'read', seq: 1.5 }, { type: 'read', seq: '9' }]) {
      assert.equal(isTimelineWebviewMessage(m), false, JSON.stringify(m)?.slice(0, 80));
    }
    assert.equal(isTimelineHostMessage({ type: 'ready' }), false, 'a webview message is not a host message');
    assert.equal(isTimelineWebviewMessage({ type: 'refresh' }), false, 'the health panel’s refresh is not a timeline message');
    assert.equal(isTimelineWebviewMessage({ type: 'toString' }), false, 'inherited names are not message types');
  });

  it('the health panel takes ready and refresh only, and its page only a snapshot', () => {
    assert.equal(isHealthWebviewMessage({ type: 'ready' }), true);
    assert.equal(isHealthWebviewMessage({ type: 'refresh' }), true);
    for (const m of [{ type: 'openFile', path: 'a', mode: 'preview' }, { type: 'copy', text: 'x' }, { type: 'constructor' }, null]) assert.equal(isHealthWebviewMessage(m), false, JSON.stringify(m));
    assert.equal(isHealthHostMessage({ type: 'health', snapshot: { at: 1 } }), true);
    assert.equal(isHealthHostMessage({ type: 'health' }), false, 'a snapshot message without its snapshot');
    assert.equal(isHealthHostMessage({ type: 'init' }), false);
  });

  it('entries round-trip through their JSON transport, hostile text included', () => {
    const entries: TimelineEntry[] = [
      { kind: 'event', event: { id: 'e1', sessionId: 's', seq: 1, type: 'terminal', data: { command: '<script>alert(1)</script>', output: '\u001b[31mred\u001b[0m\u2028', error: '', exitCode: 1 }, createdAt: '2026-11-25T10:00:00.000Z' } },
      { kind: 'malformed', malformed: { id: 'b', sessionId: 's', seq: 2, createdAt: null, reason: 'bad', raw: { x: [1, { y: null }] } } },
    ];
    assert.deepEqual(decodeEntries(encodeEntries(entries)), entries);
  });
});
