// Steering the real Claude Code process through `session-stream run`: its own permission requests
// approved and denied from a viewer, a long command stopped, the agent and its command paused and
// resumed, and a message sent while a turn runs. Each expectation is what the agent did (files,
// processes, what it asked the model) after what the viewer sent.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { wholeInput } from '../../src/core/approvals';
import { sendCommand } from '../../src/core/commands';
import { parseWaitingFor, type AgentRequest } from '../../src/shared/commands';
import type { CliProcess } from '../support/cli';
import type { ModelServer } from '../support/modelServer';
import { query } from '../support/sql';
import { until } from '../support/wait';
import { agentCommand, agents, eventsOf, model, place, run, runner, sessionIdOf, sessionOf, type Runner } from './support';

/** Processes whose command line contains `needle` (from /proc): their pids and states (R, S, T…). */
function processes(needle: string): Array<{ pid: number; state: string }> {
  const found: Array<{ pid: number; state: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!cmdline.includes(needle) || cmdline.includes('/proc')) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      found.push({ pid: Number(entry), state: stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe(`steering the real Claude Code ${agents().claude.version}`, function () {
  this.timeout(180_000);
  let r: Runner;
  const open: Array<{ p: CliProcess; server: ModelServer }> = [];

  before(async () => {
    r = await runner();
  });
  afterEach(async () => {
    for (const { p, server } of open.splice(0)) {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await server.close();
    }
  });

  const steerable = ['--input-format', 'stream-json', '--permission-prompt-tool', 'stdio'];
  const waitingFor = async (session: string): Promise<AgentRequest[]> => {
    let requests: AgentRequest[] = [];
    await until('the agent waits for its user', async () => {
      const [row] = await query<{ state: string; waiting_for: unknown }>('select state, waiting_for from public.coding_sessions where id = $1', [session]);
      requests = row?.state === 'waiting' ? parseWaitingFor(row.waiting_for) : [];
      return requests.length > 0;
    }, 60_000);
    return requests;
  };
  const handled = (id: string) => until(`command ${id} handled`, async () => (await query<{ outcome: string | null }>('select outcome from public.session_commands where id = $1', [id]))[0]?.outcome != null, 60_000);

  it('its permission requests: an approval from a viewer lets the write happen, a denial keeps the command from running', async () => {
    const p = place();
    const target = path.join(p.workspace, 'approved.txt');
    const { server, url } = await model([
      {
        match: 'ASK-MARK',
        turns: [
          { tools: [{ name: 'Write', input: { file_path: target, content: 'approved\n' } }] },
          { tools: [{ name: 'Bash', input: { command: 'touch denied.txt', description: 'Make a file the user will refuse' } }] },
          { text: 'Finished asking.' },
        ],
      },
    ]);
    const { argv, env } = agentCommand('claude', p, url, 'ASK-MARK write a file', steerable);
    const runProcess = run(r, p, argv, env);
    open.push({ p: runProcess, server });
    const session = sessionIdOf(await runProcess.waitForLine(/^SESSION_ID=/));
    // Claude Code's own request to write; the viewer sees its whole input and approves exactly that.
    const [write] = await waitingFor(session);
    assert.equal(write!.tool, 'Write');
    assert.match(write!.detail!, /approved\\n/);
    const whole = await wholeInput(r.user.client, session, write!);
    const approval = await sendCommand(r.user.client, session, 'approve', { agentRequestId: write!.id, inputHash: whole.hash });
    await handled(approval.id);
    await until('the agent wrote the file', async () => existsSync(target), 60_000);
    assert.equal(readFileSync(target, 'utf8'), 'approved\n');
    // Its next request, denied with a reason.
    const [bash] = await waitingFor(session);
    assert.equal(bash!.tool, 'Bash');
    const denial = await sendCommand(r.user.client, session, 'deny', { agentRequestId: bash!.id, body: 'not that file' });
    await handled(denial.id);
    assert.equal(await runProcess.exited, 0, runProcess.stderr());
    assert.equal(existsSync(path.join(p.workspace, 'denied.txt')), false, 'the denied command did not run');
    // The model was told: the denial's reason reached the next request as the tool's result.
    const afterDenial = server.turns().at(-1)!;
    assert.match(JSON.stringify(afterDenial.body), /not that file/);
    assert.equal((await sessionOf(session)).state, 'completed');
  });

  it('stop: a long command and the agent are gone, the session is cancelled', async () => {
    const p = place();
    const { server, url } = await model([{ match: 'STOP-MARK', turns: [{ tools: [{ name: 'Bash', input: { command: 'sleep 97', description: 'A long command' } }] }, { text: 'never reached' }] }]);
    const { argv, env } = agentCommand('claude', p, url, 'STOP-MARK take your time', ['--allowedTools', 'Bash']);
    const runProcess = run(r, p, argv, env);
    open.push({ p: runProcess, server });
    const session = sessionIdOf(await runProcess.waitForLine(/^SESSION_ID=/));
    await until('the long command runs', async () => processes('sleep 97').length > 0, 60_000);
    const stop = await sendCommand(r.user.client, session, 'stop');
    await handled(stop.id);
    await runProcess.exited;
    await until('the command is gone', async () => processes('sleep 97').length === 0, 30_000);
    const s = await sessionOf(session);
    assert.equal(s.state, 'cancelled');
    assert.equal(server.turns().filter((t) => t.turn === 1).length, 0, 'the agent did not go on');
  });

  it('pause and resume: the agent and the command it runs are stopped, then go on to the end', async () => {
    const p = place();
    const ticks = path.join(p.workspace, 'ticks');
    const { server, url } = await model([{ match: 'PAUSE-MARK', turns: [{ tools: [{ name: 'Bash', input: { command: `for i in $(seq 1 60); do echo $i >> ${ticks}; sleep 0.05; done; echo pause-loop-done`, description: 'Count slowly' } }] }, { text: 'Counted.' }] }]);
    const { argv, env } = agentCommand('claude', p, url, 'PAUSE-MARK count', ['--allowedTools', 'Bash']);
    const runProcess = run(r, p, argv, env);
    open.push({ p: runProcess, server });
    const session = sessionIdOf(await runProcess.waitForLine(/^SESSION_ID=/));
    await until('the loop runs', async () => existsSync(ticks), 60_000);
    const pause = await sendCommand(r.user.client, session, 'pause');
    await handled(pause.id);
    assert.equal((await sessionOf(session)).state, 'paused');
    // Every process of the loop is stopped (state T) while paused.
    const loop = processes('pause-loop-done');
    assert.ok(loop.length > 0 && loop.every((x) => x.state === 'T'), JSON.stringify(loop));
    const before = readFileSync(ticks, 'utf8');
    const resume = await sendCommand(r.user.client, session, 'resume');
    await handled(resume.id);
    assert.equal(await runProcess.exited, 0, runProcess.stderr());
    assert.equal(readFileSync(ticks, 'utf8').trim().split('\n').length, 60, 'it went on to the end');
    assert.ok(readFileSync(ticks, 'utf8').startsWith(before));
    assert.equal((await sessionOf(session)).state, 'completed');
    const states = (await eventsOf(session)).filter((e) => e.event_type === 'state_changed').map((e) => e.event_data.to);
    assert.deepEqual(states, ['running', 'paused', 'running', 'completed']);
  });

  it('a message sent while a turn runs is answered in a turn of its own, then the session ends', async () => {
    const p = place();
    const { server, url } = await model([
      { match: 'FIRST-MARK', turns: [{ hold: 'first', text: 'First turn done.' }] },
      { match: 'ALSO-MARK', turns: [{ text: 'Also done, as you asked.' }] },
    ]);
    const { argv, env } = agentCommand('claude', p, url, 'FIRST-MARK begin', steerable);
    const runProcess = run(r, p, argv, env);
    open.push({ p: runProcess, server });
    const session = sessionIdOf(await runProcess.waitForLine(/^SESSION_ID=/));
    // The first turn is under way (the model holds its answer) when the message is sent.
    await server.whenHeld('first');
    const message = await sendCommand(r.user.client, session, 'message', { body: 'ALSO-MARK update the README too' });
    await handled(message.id);
    server.release('first');
    assert.equal(await runProcess.exited, 0, runProcess.stderr());
    const asked = server.turns().map((t) => t.conversation);
    assert.deepEqual(asked, ['FIRST-MARK', 'ALSO-MARK'], 'the message reached the agent as its next prompt');
    const events = await eventsOf(session);
    assert.ok(events.some((e) => String(e.event_data.text ?? '').includes('Also done, as you asked.')));
    assert.equal((await sessionOf(session)).state, 'completed');
  });
});
