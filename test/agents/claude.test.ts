// The real Claude Code CLI (the pinned version), driven by a scripted model, through our real stack
// and command line: `run` of a session that creates, edits and deletes files, runs a failing and a
// passing command and hands work to a subagent; `watch` and `import` of the transcript it wrote.
// What is expected comes from the script and from what the agent did (its files, its own output),
// never from our mapper.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelServer } from '../support/modelServer';
import { agentCommand, agents, eventsOf, filesUnder, model, place, read, runner, runToEnd, sessionIdOf, sessionOf, type EventRow, type Place, type Runner, watchedRun } from './support';
import { runCliToEnd } from '../support/cli';

const terminals = (events: EventRow[]) => events.filter((e) => e.event_type === 'terminal').map((e) => e.event_data as { command: string; output: string; error: string; status?: string; exitCode?: number; parentToolUseId?: string });
const fileChanges = (events: EventRow[]) => events.filter((e) => e.event_type === 'file_change').map((e) => e.event_data as { path: string; action: string; diff?: string; parentToolUseId?: string });

describe(`Claude Code ${agents().claude.version}, for real`, function () {
  this.timeout(180_000);
  let r: Runner;
  let p: Place;
  let server: ModelServer;
  let url: string;
  let sessionId = '';
  let transcript = '';

  before(async () => {
    r = await runner();
    p = place();
    writeFileSync(path.join(p.workspace, 'old.txt'), 'to be removed\n');
    const notes = path.join(p.workspace, 'notes.txt');
    ({ server, url } = await model([
      {
        match: 'RUN-MARK',
        turns: [
          { thinking: 'I will write notes first.', text: 'Writing the notes.', tools: [{ name: 'Write', input: { file_path: notes, content: 'one\n' } }], usage: { input: 1000, output: 40 } },
          { tools: [{ name: 'Edit', input: { file_path: notes, old_string: 'one', new_string: 'two', replace_all: false } }], usage: { input: 1100, output: 30 } },
          { tools: [{ name: 'Bash', input: { command: 'rm old.txt', description: 'Remove the old file' } }], usage: { input: 1200, output: 20 } },
          { tools: [{ name: 'Bash', input: { command: 'ls missing-file', description: 'A command that fails' } }], usage: { input: 1300, output: 20 } },
          { tools: [{ name: 'Bash', input: { command: 'echo passing', description: 'A command that passes' } }], usage: { input: 1400, output: 20 } },
          { tools: [{ name: 'Task', input: { description: 'Sub work', prompt: 'SUB-MARK write sub.txt', subagent_type: 'general-purpose' } }], usage: { input: 1500, output: 30 } },
          { text: 'All done: notes written, old file removed.', usage: { input: 1600, output: 25 } },
        ],
      },
      { match: 'SUB-MARK', turns: [{ tools: [{ name: 'Bash', input: { command: 'echo from-sub > sub.txt', description: 'Sub work' } }], usage: { input: 500, output: 10 } }, { text: 'Sub work done.', usage: { input: 600, output: 10 } }] },
    ]));
  });
  after(() => server.close());

  it('run: the files it creates, edits and deletes, its failing and passing commands and its subagent arrive as events; the session has its id, model, usage and cost', async () => {
    const { argv, env } = agentCommand('claude', p, url, 'RUN-MARK do the work', ['--allowedTools', 'Bash', 'Write', 'Edit', 'Task']);
    const result = await runToEnd(r, p, argv, env, []);
    assert.equal(result.code, 0, result.stderr);
    // It says once which version it saw.
    assert.equal(result.stderr.split('\n').filter((l) => l.startsWith('Claude Code ')).join('\n'), `Claude Code ${agents().claude.version}: a version we test.`);
    sessionId = sessionIdOf(result.stdout);
    // What the agent did, on disk.
    assert.equal(read(path.join(p.workspace, 'notes.txt')), 'two\n');
    assert.equal(existsSync(path.join(p.workspace, 'old.txt')), false);
    assert.equal(read(path.join(p.workspace, 'sub.txt')), 'from-sub\n');
    const events = await eventsOf(sessionId);
    const files = fileChanges(events);
    assert.deepEqual(files.filter((f) => f.path === 'notes.txt').map((f) => f.action), ['create', 'write']);
    assert.match(files.find((f) => f.action === 'write')!.diff ?? '', /-one\n\+two/);
    const commands = terminals(events);
    const byCommand = (c: string) => commands.find((t) => t.command === c);
    assert.ok(byCommand('rm old.txt'), JSON.stringify(commands.map((c) => c.command)));
    assert.equal(byCommand('ls missing-file')!.status, 'failed');
    assert.match(`${byCommand('ls missing-file')!.output}${byCommand('ls missing-file')!.error}`, /missing-file/);
    assert.equal(byCommand('echo passing')!.status, 'completed');
    assert.match(byCommand('echo passing')!.output, /passing/);
    // The subagent's command, labelled as its work.
    const sub = byCommand('echo from-sub > sub.txt');
    assert.ok(sub, 'the subagent’s command');
    assert.ok(sub.parentToolUseId, 'nested under the Task call');
    const session = await sessionOf(sessionId);
    assert.equal(session.state, 'completed');
    const completion = events.find((e) => e.event_type === 'completion')!.event_data as { message: string; stats: { inputTokens: number; outputTokens: number; costUsd?: number } };
    assert.equal(completion.message, 'All done: notes written, old file removed.');
    assert.ok((completion.stats.costUsd ?? 0) > 0, 'Claude Code priced the usage the model reported');
    assert.ok(completion.stats.outputTokens >= 40 + 30 + 20 + 20 + 20 + 30 + 25, `output tokens: ${completion.stats.outputTokens}`);
    // The agent's own id of the run and its model, as it printed them.
    const transcripts = (await filesUnder(path.join(p.home, '.claude/projects'))).filter((f) => f.endsWith('.jsonl') && !f.includes('subagents'));
    assert.equal(transcripts.length, 1, transcripts.join(', '));
    transcript = path.join(p.home, '.claude/projects', transcripts[0]!);
    assert.equal(session.agent_session_id, path.basename(transcript, '.jsonl'));
    const models = new Set(server.turns().map((t) => String(t.body?.model)));
    // As Claude Code names it in its init line: the model it asks for, with its context size ("[1m]").
    assert.ok(session.model && models.has(session.model.replace(/\[[^\]]*\]$/, '')), `model ${session.model} is one the agent asked for (${[...models].join(', ')})`);
    assert.equal(session.source, 'claude');
  });

  it('import of the transcript it wrote: the same commands and changes', async () => {
    const imported = await runCliToEnd(['import', '--quiet', transcript], r.env(p));
    assert.equal(imported.code, 0, imported.stderr);
    const events = await eventsOf(sessionIdOf(imported.stdout));
    const commands = terminals(events).map((t) => t.command);
    for (const c of ['rm old.txt', 'ls missing-file', 'echo passing']) assert.ok(commands.includes(c), `${c} in ${commands.join(' | ')}`);
    assert.deepEqual(fileChanges(events).filter((f) => f.path === 'notes.txt').map((f) => f.action), ['create', 'write']);
  });

  it('watch of the transcript while it is written: a second run streams live as its own session', async () => {
    const q = place();
    mkdirSync(path.join(q.home, '.claude/projects'), { recursive: true });
    const { server: s2, url: u2 } = await model([{ match: 'WATCH-MARK', turns: [{ tools: [{ name: 'Bash', input: { command: 'echo watched', description: 'watched' } }] }, { hold: 'end', text: 'Watched run done.' }] }]);
    const watched = await watchedRun({ r, q, agent: 'claude', server: s2, url: u2, watchArgs: ['--format', 'claude-transcript', path.join(q.home, '.claude/projects')], prompt: 'WATCH-MARK go', extra: ['--allowedTools', 'Bash'], stored: (events) => terminals(events).some((t) => t.command === 'echo watched'), last: 'Watched run done.' });
    assert.equal((await sessionOf(watched)).source, 'claude');
  });
});
