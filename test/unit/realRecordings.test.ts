// The bridges on what the pinned real CLIs printed and wrote here for one scripted session each
// (test/fixtures/agents/real/, recorded by test/agents/record.ts). The scripts are in that file:
// what is expected below is what they made the agents do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createMapper, detectFormat, type AgentFormat, type BridgeItem } from '../../src/bridges';

const REAL = path.resolve(__dirname, '../fixtures/agents/real');

function mapped(file: string, format: AgentFormat) {
  const lines = readFileSync(path.join(REAL, file), 'utf8').split('\n').filter(Boolean);
  assert.equal(detectFormat(lines[0]!), format, `${file} is told as ${format}`);
  const mapper = createMapper(format, { cwd: '/work/demo' });
  const items: BridgeItem[] = [...lines.flatMap((l) => mapper.line(l)), ...mapper.finish({ code: 0, signal: null })];
  const events = items.flatMap((i) => (i.kind === 'event' ? [{ type: i.type, data: i.data }] : []));
  return {
    items,
    counts: mapper.counts,
    terminals: events.filter((e) => e.type === 'terminal').map((e) => e.data as { command: string; exitCode?: number; status?: string; parentToolUseId?: string }),
    files: events.flatMap((e) => (e.type === 'file_change' ? [e.data] : e.type === 'files_changed' ? (e.data.files as Array<Record<string, unknown>>) : [])).map((f) => [f.path, f.action] as [unknown, unknown]),
    start: items.find((i) => i.kind === 'start'),
    end: items.find((i) => i.kind === 'end'),
  };
}

describe('the bridges on recordings of the real CLIs (the versions the agents tier pins)', () => {
  it('Claude Code 2.1.197, stream-json: files, the failing and passing commands, the subagent’s command, cost', () => {
    const m = mapped('claude-2.1.197-stream.jsonl', 'claude');
    assert.equal(m.counts.unknown, 0);
    assert.deepEqual(m.files, [['notes.txt', 'create'], ['notes.txt', 'write']]);
    assert.deepEqual(m.terminals.map((t) => [t.command, t.exitCode, t.status]), [['ls missing-file', 2, 'failed'], ['echo passing', undefined, 'completed'], ['echo from-sub > sub.txt', undefined, 'completed']]);
    assert.ok(m.terminals[2]!.parentToolUseId, 'the subagent’s work is labelled');
    assert.equal(m.start?.kind === 'start' && m.start.info.version, '2.1.197');
    assert.ok(m.end?.kind === 'end' && m.end.outcome === 'completed' && (m.end.stats.costUsd ?? 0) > 0);
  });

  it('Claude Code 2.1.197, its transcript: the same files and commands', () => {
    const m = mapped('claude-2.1.197-transcript.jsonl', 'claude-transcript');
    assert.equal(m.counts.unknown, 0);
    assert.deepEqual(m.files, [['notes.txt', 'create'], ['notes.txt', 'write']]);
    assert.deepEqual(m.terminals.map((t) => t.command).slice(0, 2), ['ls missing-file', 'echo passing']);
  });

  it('Codex CLI 0.171.0, exec --json: the patch’s files and the commands with their exit codes', () => {
    const m = mapped('codex-0.171.0-stream.jsonl', 'codex');
    assert.equal(m.counts.unknown, 0);
    assert.deepEqual(m.files.sort(), [['gone.txt', 'delete'], ['new.txt', 'create'], ['old.txt', 'write']]);
    assert.deepEqual(m.terminals.map((t) => [t.command, t.exitCode]), [['ls missing-file', 2], ['echo passing', 0]]);
  });

  it('Codex CLI 0.171.0, its rollout: commands (not notes) with exit codes, each change, every line known', () => {
    const m = mapped('codex-0.171.0-rollout.jsonl', 'codex-rollout');
    assert.equal(m.counts.unknown, 0);
    assert.deepEqual(m.terminals.map((t) => [t.command, t.exitCode, t.status]), [['ls missing-file', 2, 'failed'], ['echo passing', 0, 'completed']]);
    assert.deepEqual(m.files.sort(), [['gone.txt', 'delete'], ['new.txt', 'create'], ['old.txt', 'write']]);
    assert.equal(m.start?.kind === 'start' && m.start.info.version, '0.171.0');
  });

  it('Gemini CLI 0.61.0, stream-json: the writes and the commands (its stream has no exit codes)', () => {
    const m = mapped('gemini-0.61.0-stream.jsonl', 'gemini');
    assert.equal(m.counts.unknown, 0);
    assert.deepEqual(m.files, [['notes.txt', 'write'], ['notes.txt', 'write']]);
    assert.deepEqual(m.terminals.map((t) => t.command), ['ls missing-file', 'echo passing']);
  });

  it('Gemini CLI 0.61.0, its session file: the commands with their exit codes, a new file as created, the model that answered', () => {
    const m = mapped('gemini-0.61.0-session.jsonl', 'gemini-session');
    assert.equal(m.counts.unknown, 0);
    assert.deepEqual(m.terminals.map((t) => [t.command, t.exitCode, t.status]), [['ls missing-file', 2, 'failed'], ['echo passing', 0, 'completed']]);
    assert.deepEqual(m.files, [['notes.txt', 'create'], ['notes.txt', 'write']]);
    // The model the CLI asked for (its router chose it), not the alias "auto".
    assert.ok(m.items.some((i) => i.kind === 'info' && typeof i.info.model === 'string' && /^gemini-/.test(i.info.model)));
  });
});
