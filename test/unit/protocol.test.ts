// The host↔webview protocols: the host acts only on page messages of a known type and shape, and
// runs a request only with params its schema takes (the page is a browser showing hostile data),
// each panel accepts only its own protocol's messages, and entries survive their JSON transport.
import assert from 'node:assert/strict';
import type { TimelineEntry } from '../../src/shared/entries';
import { isHealthHostMessage, isHealthWebviewMessage } from '../../src/shared/healthProtocol';
import { RequestRouter, type RequestType } from '../../src/shared/requests';
import { addCommentRequest, decodeEntries, editCommentRequest, encodeEntries, isTimelineHostMessage, isTimelineWebviewMessage, pageRequest, searchRequest } from '../../src/shared/timelineProtocol';

/** The page's request `type` with `params`, as it posts it. */
const ask = (type: RequestType<unknown, unknown>, params: unknown, id = 'r') => ({ type: 'request', id, method: type.method, params });
/** Whether the host takes `message` and its params (a request refused for its params gets an error reply instead of being ignored). */
const accepted = (type: RequestType<unknown, unknown>, message: ReturnType<typeof ask>) => isTimelineWebviewMessage(message) && type.params.safeParse(message.params).success;

describe('host ↔ webview protocol', () => {
  it('accepts the webview messages it knows, in their shapes', () => {
    for (const m of [{ type: 'ready' }, { type: 'reconnect' }, { type: 'exportJsonl' }, { type: 'openFile', path: 'src/a.ts', mode: 'preview' }, { type: 'openFile', path: 'a', mode: 'diff' }, { type: 'copy', text: '{}' }, { type: 'deleteAnnotation', id: 'a1' }, { type: 'read', seq: 0 }, { type: 'read', seq: 1234 }]) {
      assert.equal(isTimelineWebviewMessage(m), true, JSON.stringify(m));
    }
    for (const [type, params] of [[addCommentRequest, { eventId: 'e1', body: 'why?' }], [editCommentRequest, { id: 'a1', body: '' }], [pageRequest, { direction: 'before', seq: Number.MAX_SAFE_INTEGER, limit: 1000, types: ['thinking'] }], [searchRequest, { query: 'q', after: 3 }]] as const) {
      assert.equal(accepted(type, ask(type, params)), true, JSON.stringify(params));
    }
  });

  it('refuses unknown types, wrong shapes and oversize copies or comments', () => {
    for (const m of [null, 'ready', 42, {}, { type: 'eval', code: 'x' }, { type: 'openFile' }, { type: 'openFile', path: 1, mode: 'preview' }, { type: 'openFile', path: 'a', mode: 'exec' }, { type: 'copy' }, { type: 'copy', text: 'x'.repeat(10_000_001) }, { type: 'copy', text: 'x', what: 'y'.repeat(101) }, { type: 'copyLink', seq: 0 }, { type: 'control', kind: 'explode' }, { type: 'deleteAnnotation', id: 'x'.repeat(101) }, { type: 'read', seq: -1 }, { type: 'read', seq: 1.5 }, { type: 'read', seq: '9' }]) {
      assert.equal(isTimelineWebviewMessage(m), false, JSON.stringify(m)?.slice(0, 80));
    }
    const refused: Array<[RequestType<unknown, unknown>, ReturnType<typeof ask>]> = [
      [pageRequest, ask(pageRequest, { direction: 'sideways', seq: 1, limit: 10 })],
      [pageRequest, ask(pageRequest, { direction: 'after', seq: 1, limit: 1001 })],
      [pageRequest, ask(pageRequest, { direction: 'after', seq: 1.5, limit: 10 })],
      [pageRequest, ask(pageRequest, { direction: 'after', seq: 1, limit: 10, types: ['thinking', 'toString'] })],
      [searchRequest, ask(searchRequest, { query: 'q'.repeat(501) })],
      [searchRequest, ask(searchRequest, { query: 'q', after: 'x' })],
      [addCommentRequest, { ...ask(addCommentRequest, { eventId: 'e1', body: 'no request id' }), id: undefined as unknown as string }],
      [addCommentRequest, ask(addCommentRequest, { eventId: '', body: 'x' })],
      [addCommentRequest, ask(addCommentRequest, { eventId: 'e', body: 'x'.repeat(65_537) })],
      [editCommentRequest, ask(editCommentRequest, { id: 7, body: 'x' })],
    ];
    for (const [type, m] of refused) assert.equal(accepted(type, m), false, JSON.stringify(m)?.slice(0, 80));
    assert.equal(isTimelineHostMessage({ type: 'ready' }), false, 'a webview message is not a host message');
    assert.equal(isTimelineWebviewMessage({ type: 'refresh' }), false, 'the health panel’s refresh is not a timeline message');
    assert.equal(isTimelineWebviewMessage({ type: 'toString' }), false, 'inherited names are not message types');
  });

  it('a request with params its schema refuses is answered with an error, never run', async () => {
    let ran = false;
    const router = new RequestRouter();
    router.onRequest(pageRequest, () => {
      ran = true;
      return { entries: encodeEntries([]), reachedStart: true, reachedEnd: true, total: 0 };
    });
    const reply = await router.answer(ask(pageRequest, { direction: 'after', seq: 1, limit: 1001 }) as Parameters<RequestRouter['answer']>[0]);
    assert.equal(reply.ok, false);
    assert.match(reply.ok ? '' : reply.error, /^history\/page was asked with invalid params \(limit: /);
    assert.equal(ran, false);
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
