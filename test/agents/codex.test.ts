// The real Codex CLI (the pinned version), driven by a scripted model, through our real stack and
// command line: `run` of a session that adds, updates and deletes files with apply_patch and runs a
// failing and a passing command; `import` and `watch` of the rollout file it wrote.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelServer } from '../support/modelServer';
import { runCliToEnd } from '../support/cli';
import { agentCommand, agents, eventsOf, filesUnder, model, place, read, runner, runToEnd, sessionIdOf, sessionOf, type EventRow, type Place, type Runner, watchedRun } from './support';

const terminals = (events: EventRow[]) => events.filter((e) => e.event_type === 'terminal').map((e) => e.event_data as { command: string; output: string; status?: string; exitCode?: number });
/** Every file change, whether an event has one file (file_change) or several (files_changed). */
const fileChanges = (events: EventRow[]) =>
  events.flatMap((e) => (e.event_type === 'file_change' ? [e.event_data] : e.event_type === 'files_changed' ? (e.event_data.files as Array<Record<string, unknown>>) : [])) as Array<{ path: string; action: string; diff?: string }>;
const PATCH = '*** Begin Patch\n*** Add File: new.txt\n+hello\n*** Update File: old.txt\n@@\n-one\n+uno\n*** Delete File: gone.txt\n*** End Patch\n';

describe(`Codex CLI ${agents().codex.version}, for real`, function () {
  this.timeout(180_000);
  let r: Runner;
  let p: Place;
  let server: ModelServer;
  let url: string;
  let rollout = '';

  before(async () => {
    r = await runner();
    p = place();
    writeFileSync(path.join(p.workspace, 'old.txt'), 'one\n');
    writeFileSync(path.join(p.workspace, 'gone.txt'), 'bye\n');
    ({ server, url } = await model(
      [
        {
          match: 'RUN-MARK',
          turns: [
            { thinking: 'Patch first, then check.', tools: [{ name: 'apply_patch', input: { text: PATCH }, custom: true }], usage: { input: 1000, output: 40 } },
            { tools: [{ name: 'exec_command', input: { cmd: 'ls missing-file' } }], usage: { input: 1100, output: 20 } },
            { tools: [{ name: 'exec_command', input: { cmd: 'echo passing' } }], usage: { input: 1200, output: 20 } },
            { text: 'Patched and checked.', usage: { input: 1300, output: 15 } },
          ],
        },
      ],
      'gpt-5.5',
    ));
  });
  after(() => server.close());

  it('run: the files it adds, updates and deletes and its commands, with their exit codes, arrive as events; the session has its thread id, model and usage', async () => {
    const { argv, env } = agentCommand('codex', p, url, 'RUN-MARK patch it');
    const result = await runToEnd(r, p, argv, env, []);
    assert.equal(result.code, 0, result.stderr);
    // It says once which version it saw.
    assert.equal(result.stderr.split('\n').filter((l) => l.startsWith('Codex CLI ')).join('\n'), `Codex CLI ${agents().codex.version}: a version we test.`);
    const sessionId = sessionIdOf(result.stdout);
    assert.equal(read(path.join(p.workspace, 'new.txt')), 'hello\n');
    assert.equal(read(path.join(p.workspace, 'old.txt')), 'uno\n');
    assert.equal(existsSync(path.join(p.workspace, 'gone.txt')), false);
    const events = await eventsOf(sessionId);
    const files = Object.fromEntries(fileChanges(events).map((f) => [f.path, f.action]));
    assert.deepEqual(files, { 'new.txt': 'create', 'old.txt': 'write', 'gone.txt': 'delete' });
    const commands = terminals(events);
    const failing = commands.find((c) => c.command === 'ls missing-file')!;
    assert.ok(failing, JSON.stringify(commands));
    assert.equal(failing.status, 'failed');
    assert.equal(failing.exitCode, 2);
    const passing = commands.find((c) => c.command === 'echo passing')!;
    assert.equal(passing.exitCode, 0);
    assert.match(passing.output, /passing/);
    const completion = events.find((e) => e.event_type === 'completion')!.event_data as { message: string; stats: { inputTokens: number; outputTokens: number } };
    assert.equal(completion.message, 'Patched and checked.');
    assert.equal(completion.stats.inputTokens, 1000 + 1100 + 1200 + 1300);
    assert.equal(completion.stats.outputTokens, 40 + 20 + 20 + 15);
    const rollouts = (await filesUnder(path.join(p.home, '.codex/sessions'))).filter((f) => f.endsWith('.jsonl'));
    assert.equal(rollouts.length, 1, rollouts.join(', '));
    rollout = path.join(p.home, '.codex/sessions', rollouts[0]!);
    const session = await sessionOf(sessionId);
    assert.ok(session.agent_session_id && rollout.endsWith(`${session.agent_session_id}.jsonl`), `${session.agent_session_id} names ${rollout}`);
    assert.equal(session.model, 'gpt-5.5');
    assert.equal(session.state, 'completed');
  });

  it('import of its rollout: commands with their exit codes (not notes), and each change with its diff', async () => {
    const imported = await runCliToEnd(['import', '--quiet', rollout], r.env(p));
    assert.equal(imported.code, 0, imported.stderr);
    const events = await eventsOf(sessionIdOf(imported.stdout));
    const commands = terminals(events);
    assert.deepEqual(commands.map((c) => [c.command, c.exitCode]), [['ls missing-file', 2], ['echo passing', 0]]);
    assert.equal(events.filter((e) => /exec_command\(/.test(String(e.event_data.text ?? ''))).length, 0, 'no command shown as a note');
    const changes = fileChanges(events);
    assert.deepEqual(changes.map((c) => [c.path, c.action]).sort(), [['gone.txt', 'delete'], ['new.txt', 'create'], ['old.txt', 'write']]);
    assert.match(changes.find((c) => c.path === 'old.txt')!.diff ?? '', /-one\n\+uno/);
    assert.equal(events.filter((e) => e.event_data.unrecognised === true).length, 0, 'every line of this version is known');
  });

  it('watch of its rollouts: a run streams live while it works', async () => {
    const q = place();
    mkdirSync(path.join(q.home, '.codex/sessions'), { recursive: true });
    const { server: s2, url: u2 } = await model([{ match: 'WATCH-MARK', turns: [{ tools: [{ name: 'exec_command', input: { cmd: 'echo watched' } }] }, { hold: 'end', text: 'Watched run done.' }] }], 'gpt-5.5');
    const watched = await watchedRun({ r, q, agent: 'codex', server: s2, url: u2, watchArgs: ['--format', 'codex-rollout', path.join(q.home, '.codex/sessions')], prompt: 'WATCH-MARK go', stored: (events) => terminals(events).some((t) => t.command === 'echo watched' && t.exitCode === 0), last: 'Watched run done.' });
    assert.equal((await sessionOf(watched)).source, 'codex');
  });
});
