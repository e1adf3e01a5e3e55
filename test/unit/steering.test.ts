// Steering without a network: Claude Code's recorded permission request becomes a `waiting`
// request (and its withdrawal a withdrawal), the prompt of a stream-json run is found, commands
// are checked as the database checks them, copies of a command never undo a later one, and a
// multi-turn run ends with its last result.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createMapper, type BridgeItem } from '../../src/bridges';
import { CommandFeed } from '../../src/core/commandFeed';
import { checkCommand, commandsFor, describeOutcome, parseCommandRow, parseWaitingFor, type SessionCommand } from '../../src/shared/commands';
import { streamInputOf } from '../../src/worker/agentSteering';
import { TRANSITIONS } from '../../src/shared/sessions';

const FIXTURE = path.resolve(__dirname, '../fixtures/agents/claude/control-request-can-use-tool-edit.jsonl');

describe('steering', () => {
  it("a recorded can_use_tool control request becomes a request the session waits for, with its note for the timeline", () => {
    const mapper = createMapper('claude', { cwd: '/home/meawoppl/repos/cc-proxy' });
    const items = mapper.line(readFileSync(FIXTURE, 'utf8').trim());
    assert.equal(items.length, 1);
    const request = items[0] as Extract<BridgeItem, { kind: 'request' }>;
    assert.equal(request.kind, 'request');
    assert.equal(request.note.text, 'Claude Code asks to use Edit proxy/src/ui.rs');
    assert.equal(request.note.requestId, 'f3cf357c-17d6-4eca-b498-dd17c7ac43dd');
    assert.deepEqual({ ...request.request, at: 'x' }, {
      id: 'f3cf357c-17d6-4eca-b498-dd17c7ac43dd',
      kind: 'approval',
      tool: 'Edit',
      title: 'Edit proxy/src/ui.rs',
      at: 'x',
    });
    assert.equal(request.input!.replace_all, false, 'the input is kept whole, to be sent back with an approval');
    assert.equal(parseWaitingFor([request.request]).length, 1, 'it is a valid waiting_for entry');
    assert.deepEqual(mapper.line('{"type":"control_cancel_request","request_id":"f3cf357c-17d6-4eca-b498-dd17c7ac43dd"}'), [{ kind: 'requestWithdrawn', id: 'f3cf357c-17d6-4eca-b498-dd17c7ac43dd' }]);
    assert.equal(mapper.counts.unknown, 0);
  });

  it('an AskUserQuestion request is a question; control requests that are not ours are skipped', () => {
    const mapper = createMapper('claude');
    const [q] = mapper.line(JSON.stringify({ type: 'control_request', request_id: 'q1', request: { subtype: 'can_use_tool', tool_name: 'AskUserQuestion', input: { questions: [{ question: 'Which library?', header: 'Library', options: [] }] } } })) as [Extract<BridgeItem, { kind: 'request' }>];
    assert.deepEqual([q.request.kind, q.request.title], ['question', 'Which library?']);
    assert.deepEqual(mapper.line(JSON.stringify({ type: 'control_request', request_id: 'h1', request: { subtype: 'hook_callback', callback_id: 'hook_0' } })), []);
    assert.equal(mapper.counts.skipped, 1);
  });

  it("finds the prompt of a stream-json run (it goes through stdin), and leaves other runs alone", () => {
    assert.deepEqual(streamInputOf(['claude', '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', 'fix it']), { argv: ['claude', '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose'], prompt: 'fix it' });
    assert.deepEqual(streamInputOf(['claude', '-p', '--input-format=stream-json', '--', '--weird prompt']), { argv: ['claude', '-p', '--input-format=stream-json'], prompt: '--weird prompt' });
    assert.deepEqual(streamInputOf(['claude', '-p', '--input-format', 'stream-json', '--model', 'opus']), { argv: ['claude', '-p', '--input-format', 'stream-json', '--model', 'opus'] }, 'a value of an option is not a prompt');
    assert.equal(streamInputOf(['claude', '-p', '--output-format', 'stream-json', 'fix it']), undefined);
  });

  it('checks commands as the database does, with a message that says what to fix', () => {
    assert.equal(checkCommand('stop', undefined, undefined), undefined);
    assert.match(checkCommand('message', '  ', undefined)!, /needs some text/);
    assert.match(checkCommand('message', 'é'.repeat(8193), undefined)!, /16\.0 KiB; at most 16 KiB/);
    assert.equal(checkCommand('message', 'é'.repeat(8192), undefined), undefined, '16 KiB of UTF-8 is allowed');
    assert.match(checkCommand('approve', undefined, undefined)!, /Which request/);
    assert.match(checkCommand('pause', 'now', undefined)!, /takes no text/);
  });

  it('offers only the commands a state allows, and the lifecycle allows waiting', () => {
    assert.deepEqual(commandsFor('running'), ['stop', 'pause', 'message']);
    assert.deepEqual(commandsFor('paused'), ['stop', 'resume']);
    assert.deepEqual(commandsFor('waiting'), ['stop', 'approve', 'deny', 'message']);
    assert.deepEqual(commandsFor('completed'), []);
    assert.ok(TRANSITIONS.running.includes('waiting') && TRANSITIONS.waiting.includes('running') && !TRANSITIONS.waiting.includes('paused'));
  });

  it('a command seen handled is never shown pending again, whatever order its copies arrive in', () => {
    const feed = new CommandFeed('s1');
    const fired: SessionCommand[][] = [];
    feed.onDidChange((c) => fired.push(c));
    const row = { id: 'c1', session_id: 's1', kind: 'stop', body: null, request_id: null, created_by: 'u1', created_by_name: 'ada', created_at: '2026-12-03T10:00:00Z', claimed_at: null, handled_at: null, outcome: null, reason: null };
    const handled = { ...row, claimed_at: '2026-12-03T10:00:01Z', handled_at: '2026-12-03T10:00:02Z', outcome: 'done', reason: 'Stopped by ada' };
    feed.begin();
    feed.receive(handled); // live, during the reload after a join
    feed.settle([parseCommandRow(row)!]); // the reload read it before it was handled
    assert.equal(feed.get('c1')!.outcome, 'done');
    feed.receive(row);
    assert.equal(feed.get('c1')!.outcome, 'done');
    assert.equal(fired.length, 1, 'one change reported');
    assert.equal(describeOutcome(feed.get('c1')!), 'Stopped by ada');
    feed.receive({ ...row, id: 'c2', session_id: 'other' });
    assert.equal(feed.list().length, 1, "another session's command is not this one's");
  });

  it('a multi-turn run (input while it runs) ends with its last result, not its first', () => {
    const mapper = createMapper('claude');
    mapper.multiTurn = true;
    const result = (text: string) => JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: text, num_turns: 1 });
    const ends = [...mapper.line(result('first')), ...mapper.line(result('second'))].filter((i) => i.kind === 'end');
    assert.deepEqual(ends.map((e) => (e as { message: string }).message), ['first', 'second']);
  });
});
