import assert from 'node:assert/strict';
import { MAX_EVENT_DATA_BYTES, parseEventRow, SAMPLE_EVENT_DATA, SESSION_EVENT_TYPES, validateEventData, withoutNul } from '../../src/shared/events';

const row = (over: Record<string, unknown> = {}) => ({
  id: '6f1c1d2e-0000-4000-8000-000000000001',
  session_id: '6f1c1d2e-0000-4000-8000-0000000000aa',
  seq: 7,
  event_type: 'thinking',
  event_data: { iteration: 2, toolsUsed: ['bash'] },
  created_at: '2026-11-25T10:00:00.123456+00:00',
  ...over,
});

describe('event model (src/shared/events)', () => {
  it('accepts the sample of every type', () => {
    for (const type of SESSION_EVENT_TYPES) assert.equal(validateEventData(type, SAMPLE_EVENT_DATA[type]).ok, true, type);
  });

  it('fills the fields writers commonly leave out, and keeps unknown extra fields', () => {
    assert.deepEqual(validateEventData('thinking', { iteration: 1 }), { ok: true, value: { iteration: 1, toolsUsed: [] } });
    assert.deepEqual(validateEventData('terminal', { command: 'ls' }), { ok: true, value: { command: 'ls', output: '', error: '' } });
    assert.deepEqual(validateEventData('file_change', { path: 'App.tsx' }), { ok: true, value: { path: 'App.tsx', action: 'write' } });
    assert.deepEqual(validateEventData('thinking', { iteration: 1, toolsUsed: [], model: 'x' }), { ok: true, value: { iteration: 1, toolsUsed: [], model: 'x' } });
  });

  it('refuses each invalid shape with a message that names the field', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['state_changed', { from: 'pending', to: 'flying' }, /state_changed\.to: /],
      ['thinking', { iteration: -1 }, /thinking\.iteration/],
      ['thinking', { iteration: 1.5 }, /thinking\.iteration/],
      ['thinking', { iteration: 1, toolsUsed: 'bash' }, /thinking\.toolsUsed/],
      ['terminal', { output: 'x' }, /terminal\.command/],
      ['terminal', { command: 'ls', exitCode: '1' }, /terminal\.exitCode/],
      ['file_change', { path: '' }, /file_change\.path: must not be empty/],
      ['file_change', { path: 'a', action: 'rename' }, /file_change\.action/],
      ['files_changed', { files: [] }, /files_changed\.files: needs at least one file/],
      ['completion', { message: 'done' }, /completion\.stats/],
      ['completion', { message: 'done', stats: { iterations: 1, inputTokens: 1, outputTokens: 1 } }, /completion\.stats\.toolCalls/],
      ['error', {}, /error\.message/],
      ['thinking', [1], /thinking data must be a JSON object/],
      ['thinking', null, /must be a JSON object/],
      ['nonsense', {}, /unknown event type "nonsense"; expected one of state_changed, /],
    ];
    for (const [type, data, message] of cases) {
      const result = validateEventData(type, data);
      assert.equal(result.ok, false, `${type} ${JSON.stringify(data)}`);
      assert.match((result as { error: string }).error, message);
    }
  });

  it('refuses data over the database’s size limit with the sizes and what to do', () => {
    const result = validateEventData('terminal', { command: 'cat big', output: 'x'.repeat(MAX_EVENT_DATA_BYTES) });
    assert.equal(result.ok, false);
    assert.match((result as { error: string }).error, /terminal data is 250 KiB; the limit is 249 KiB\. Split large terminal output over several terminal events/);
  });

  it('parses a row into a SessionEvent (seq as a number, PostgreSQL’s timestamp text kept)', () => {
    assert.deepEqual(parseEventRow(row({ seq: '7' })), {
      ok: true,
      event: { id: row().id, sessionId: row().session_id, seq: 7, type: 'thinking', data: { iteration: 2, toolsUsed: ['bash'] }, createdAt: row().created_at },
    });
  });

  it('reports a malformed row with its reason, its identity and the raw row, instead of throwing', () => {
    const bad = row({ event_data: { iteration: 'two' } });
    const parsed = parseEventRow(bad);
    assert.equal(parsed.ok, false);
    if (parsed.ok) return;
    assert.equal(parsed.malformed.id, bad.id);
    assert.equal(parsed.malformed.seq, 7);
    assert.match(parsed.malformed.reason, /thinking\.iteration/);
    assert.equal(parsed.malformed.raw, bad);
    for (const weird of [null, 42, 'row', {}, row({ seq: 'x' }), row({ event_type: 'teleport' })]) assert.equal(parseEventRow(weird).ok, false);
  });

  it('a NUL in an agent\'s output (which jsonb cannot hold) is shown as ␀, everywhere in the data', () => {
    assert.deepEqual(withoutNul({ output: 'a\u0000b', nested: [{ 'k\u0000': '\u0000' }], n: 1 }), { output: 'a\u2400b', nested: [{ 'k\u2400': '\u2400' }], n: 1 });
  });
});
