// The session record's one schema (shared/sessions.ts): rows of every migration level parse, a row
// that is not a session is reported (never thrown), inserts carry only what is given, and the
// sources we write are the ones the database accepts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AGENTS } from '../../src/bridges';
import { parseSessionRow, SESSION_LIST_COLUMNS, SESSION_SOURCE_PATTERN, sessionInsert } from '../../src/shared/sessions';

const ROW = { id: 's1', user_id: 'u1', title: 'Fix the test', state: 'running', created_at: '2026-12-04T10:00:00Z', updated_at: '2026-12-04T10:01:00Z' };

describe('session rows (shared/sessions.ts)', () => {
  it('parses a row of the first migration and one with every later column, keeping unknown columns', () => {
    const oldest = parseSessionRow(ROW);
    assert.ok(oldest.ok);
    assert.equal(oldest.session.title, 'Fix the test');
    const newest = parseSessionRow({ ...ROW, source: 'claude', cwd: '/w', agent_session_id: 'a', model: 'm', waiting_for: [], stats: null, state_reason: '', future_column: 7 });
    assert.ok(newest.ok);
    assert.equal(newest.session.source, 'claude');
    assert.equal((newest.session as Record<string, unknown>).future_column, 7);
  });

  it('reports a row that is not a session, saying which field, and never throws', () => {
    const badState = parseSessionRow({ ...ROW, state: 'exploded' });
    assert.equal(badState.ok, false);
    assert.match(!badState.ok ? badState.reason : '', /^state: /);
    for (const garbage of [null, undefined, 42, 'row', [], { id: 1 }]) assert.equal(parseSessionRow(garbage).ok, false);
  });

  it('an insert carries only the columns given (older projects lack some)', () => {
    assert.deepEqual(sessionInsert({ userId: 'u1', title: 't' }), { user_id: 'u1', title: 't' });
    assert.deepEqual(sessionInsert({ userId: 'u1', title: 't', source: 'codex', cwd: null, agentSessionId: 'x', model: null }), { user_id: 'u1', title: 't', source: 'codex', cwd: null, agent_session_id: 'x', model: null });
  });

  it('the list reads the newest columns first and falls back one migration at a time', () => {
    const sets = SESSION_LIST_COLUMNS.map((c) => c.split(', '));
    for (let i = 1; i < sets.length; i++) assert.ok(sets[i]!.every((c) => sets[i - 1]!.includes(c)) && sets[i]!.length < sets[i - 1]!.length);
  });

  it("every agent's kind, demo and other are sources the database accepts (its CHECK has the same pattern)", () => {
    const dir = path.resolve(__dirname, '../../supabase/migrations');
    const sql = readdirSync(dir).sort().map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
    const pattern = [...sql.matchAll(/check \(source ~ '([^']+)'\)/g)].at(-1)?.[1];
    assert.equal(pattern, SESSION_SOURCE_PATTERN.source);
    for (const source of [...AGENTS.map((a) => a.kind), 'demo', 'other']) assert.match(source, SESSION_SOURCE_PATTERN);
  });
});
