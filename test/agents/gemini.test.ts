// The real Gemini CLI (the pinned version), driven by a scripted model, through our real stack and
// command line: `run` of a session that writes, edits and deletes files and runs a failing and a
// passing command; `import` and `watch` of the session file the CLI keeps itself.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelServer } from '../support/modelServer';
import { runCliToEnd } from '../support/cli';
import { agentCommand, agents, eventsOf, filesUnder, model, place, read, runner, runToEnd, sessionIdOf, sessionOf, type EventRow, type Place, type Runner, watchedRun } from './support';

const terminals = (events: EventRow[]) => events.filter((e) => e.event_type === 'terminal').map((e) => e.event_data as { command: string; output: string; status?: string; exitCode?: number });
const fileChanges = (events: EventRow[]) => events.filter((e) => e.event_type === 'file_change').map((e) => e.event_data as { path: string; action: string; diff?: string });

describe(`Gemini CLI ${agents().gemini.version}, for real`, function () {
  this.timeout(180_000);
  let r: Runner;
  let p: Place;
  let server: ModelServer;
  let url: string;
  let sessionFile = '';

  before(async () => {
    r = await runner();
    p = place();
    writeFileSync(path.join(p.workspace, 'gone.txt'), 'bye\n');
    const notes = path.join(p.workspace, 'notes.txt');
    ({ server, url } = await model(
      [
        {
          match: 'RUN-MARK',
          turns: [
            { text: 'Writing the notes.', tools: [{ name: 'write_file', input: { file_path: notes, content: 'one\n' } }], usage: { input: 1000, output: 40 } },
            { tools: [{ name: 'replace', input: { file_path: notes, old_string: 'one', new_string: 'two', instruction: 'Say two' } }], usage: { input: 1100, output: 30 } },
            { tools: [{ name: 'run_shell_command', input: { command: 'rm gone.txt', description: 'Remove the old file' } }], usage: { input: 1200, output: 20 } },
            { tools: [{ name: 'run_shell_command', input: { command: 'ls missing-file', description: 'A command that fails' } }], usage: { input: 1300, output: 20 } },
            { tools: [{ name: 'run_shell_command', input: { command: 'echo passing', description: 'A command that passes' } }], usage: { input: 1400, output: 20 } },
            { text: 'All done.', usage: { input: 1500, output: 10 } },
          ],
        },
      ],
      'gemini-scripted',
    ));
  });
  after(() => server.close());

  it('run: the files it writes and edits and its commands arrive as events; the session has its id, the model that answered, and usage', async () => {
    const { argv, env } = agentCommand('gemini', p, url, 'RUN-MARK do the work');
    const result = await runToEnd(r, p, argv, env, []);
    assert.equal(result.code, 0, result.stderr);
    // It says once which version it saw.
    assert.equal(result.stderr.split('\n').filter((l) => l.startsWith('Gemini CLI ')).join('\n'), `Gemini CLI ${agents().gemini.version}: a version we test.`);
    const sessionId = sessionIdOf(result.stdout);
    assert.equal(read(path.join(p.workspace, 'notes.txt')), 'two\n');
    assert.equal(existsSync(path.join(p.workspace, 'gone.txt')), false);
    const events = await eventsOf(sessionId);
    // Its stream says a file was written, not whether it was new (its session file says: see import).
    assert.deepEqual(fileChanges(events).map((f) => [f.path, f.action]), [['notes.txt', 'write'], ['notes.txt', 'write']]);
    const commands = terminals(events).map((c) => c.command);
    assert.deepEqual(commands, ['rm gone.txt', 'ls missing-file', 'echo passing']);
    assert.match(terminals(events)[2]!.output, /passing/);
    const completion = events.find((e) => e.event_type === 'completion')!.event_data as { message: string; stats: { outputTokens: number } };
    assert.match(completion.message, /All done\./);
    // The model router's side request counts in the CLI's totals too.
    assert.ok(completion.stats.outputTokens >= 40 + 30 + 20 + 20 + 20 + 10, String(completion.stats.outputTokens));
    const session = await sessionOf(sessionId);
    assert.equal(session.state, 'completed');
    assert.equal(session.model, 'gemini-scripted', 'the model that answered, not the "auto" alias it asked for');
    const files = (await filesUnder(path.join(p.home, '.gemini/tmp'))).filter((f) => /\/chats\/session-.*\.jsonl$/.test(f));
    assert.equal(files.length, 1, files.join(', '));
    sessionFile = path.join(p.home, '.gemini/tmp', files[0]!);
    assert.ok(session.agent_session_id && sessionFile.includes(session.agent_session_id.slice(0, 8)), `${session.agent_session_id} names ${sessionFile}`);
  });

  it('import of its session file: the commands with their exit codes, the changes with their diffs', async () => {
    const imported = await runCliToEnd(['import', '--quiet', sessionFile], r.env(p));
    assert.equal(imported.code, 0, imported.stderr);
    const events = await eventsOf(sessionIdOf(imported.stdout));
    assert.deepEqual(terminals(events).map((c) => [c.command, c.exitCode, c.status]), [['rm gone.txt', 0, 'completed'], ['ls missing-file', 2, 'failed'], ['echo passing', 0, 'completed']]);
    const changes = fileChanges(events);
    assert.deepEqual(changes.map((c) => [c.path, c.action]), [['notes.txt', 'create'], ['notes.txt', 'write']]);
    assert.match(changes[1]!.diff ?? '', /-one\n\+two/);
    assert.equal(events.filter((e) => e.event_data.unrecognised === true).length, 0, 'every line of this version is known');
  });

  it('watch of its session files: a run streams live while it works', async () => {
    const q = place();
    const { server: s2, url: u2 } = await model([{ match: 'WATCH-MARK', turns: [{ tools: [{ name: 'run_shell_command', input: { command: 'echo watched', description: 'watched' } }] }, { hold: 'end', text: 'Watched run done.' }] }], 'gemini-scripted');
    // The default folders of a user's HOME (~/.gemini/tmp does not exist before the first run).
    const watched = await watchedRun({ r, q, agent: 'gemini', server: s2, url: u2, watchArgs: [], prompt: 'WATCH-MARK go', stored: (events) => terminals(events).some((t) => t.command === 'echo watched' && t.exitCode === 0), last: 'Watched run done.' });
    const session = await sessionOf(watched);
    assert.deepEqual([session.source, session.cwd], ['gemini', q.workspace]);
  });
});
