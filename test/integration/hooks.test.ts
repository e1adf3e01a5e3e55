// Hooks through the real stack: `session-stream hooks install` into a temporary HOME, an agent
// started the ordinary way that runs those hooks (test/support/hookedAgent.mjs, shaped as Claude
// Code runs them; the real CLIs are in the agents tier), our real hook script and collector. A
// permission request waits in the session for a viewer (unmodified supabase-js, as VS Code sends
// answers); approved, denied, unanswered; Stop from a viewer; the stack down while the agent works.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sendCommand } from '../../src/core/commands';
import { showOnline, watchOnline } from '../../src/core/viewers';
import { inputHash, reviewText } from '../../src/shared/approval';
import { parseWaitingFor } from '../../src/shared/commands';
import { runCliToEnd } from '../support/cli';
import { FaultProxy } from '../support/faultProxy';
import { query } from '../support/sql';
import { until } from '../support/wait';
import { client, signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';

const AGENT = path.resolve(__dirname, '../support/hookedAgent.mjs');

interface Row {
  id: string;
  state: string;
  waiting_for: unknown;
  state_reason: string | null;
  agent_session_id: string | null;
  source: string;
}
const sessionsOf = (user: string) => query<Row>('select id, state, waiting_for, state_reason, agent_session_id, source from public.coding_sessions where user_id = $1 order by created_at', [user]);
const eventsOf = (id: string) => query<{ event_type: string; event_data: Record<string, unknown> }>('select event_type, event_data from public.session_events where session_id = $1 order by session_seq', [id]);
const commandOf = (id: string) => query<{ outcome: string | null; reason: string | null }>('select outcome, reason from public.session_commands where id = $1', [id]).then((r) => r[0]!);

describe('hooks: sessions started without session-stream stream, and are answered from a viewer', function () {
  this.timeout(120_000);
  let user: TestUser;
  let home: string;
  let workspace: string;
  let env: NodeJS.ProcessEnv;
  let viewer: { dispose(): void } | undefined;
  const hooksDir = () => path.join(home, '.config/session-stream/hooks');

  before(async () => {
    user = await signUp();
    const root = mkdtempSync(path.join(os.tmpdir(), 'hooked-'));
    home = path.join(root, 'home');
    workspace = path.join(root, 'work');
    mkdirSync(home, { recursive: true });
    mkdirSync(workspace, { recursive: true });
    env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SUPABASE_SERVICE_ROLE_KEY: '', SESSION_STREAM_PASSWORD: user.password };
    const login = await runCliToEnd(['login', '--email', user.email], env);
    assert.equal(login.code, 0, login.stderr);
    const install = await runCliToEnd(['hooks', 'install', '--agent', 'claude', '--answer-timeout-ms', '20000'], env);
    assert.equal(install.code, 0, install.stderr);
    assert.match(install.stdout, /Claude Code: hooks added to/);
    // A viewer online (as a VS Code window signed in as the user is): requests wait for an answer.
    viewer = await showOnline(user.client, user.id, { key: 'a-window', name: 'test', client: 'vscode' });
  });

  after(async () => {
    viewer?.dispose();
    const pid = Number(readFileSync(path.join(hooksDir(), 'collector.pid'), 'utf8').trim() || 0);
    if (pid) process.kill(pid, 'SIGTERM');
  });

  /** The stand-in agent, as a user starts it: only HOME and PATH, no credentials of ours. */
  function agent(steps: string[], extra: NodeJS.ProcessEnv = {}) {
    const agentSessionId = crypto.randomUUID();
    const child = spawn(process.execPath, [AGENT], { cwd: workspace, env: { PATH: process.env.PATH, HOME: home, STANDIN_STEPS: steps.join(','), STANDIN_SESSION_ID: agentSessionId, ...extra } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { agentSessionId, out: () => out, exited };
  }

  const sessionFor = async (agentSessionId: string) => (await sessionsOf(user.id)).find((s) => s.agent_session_id === agentSessionId);

  it('a session streams live with what the agent did, and ends completed when the agent exits', async () => {
    const a = agent(['tool:echo hello-from-the-agent']);
    assert.equal(await a.exited, 0, a.out());
    await until('the session is completed', async () => (await sessionFor(a.agentSessionId))?.state === 'completed', 60_000);
    const s = (await sessionFor(a.agentSessionId))!;
    assert.equal(s.source, 'claude');
    const events = await eventsOf(s.id);
    assert.ok(events.some((e) => e.event_type === 'terminal' && JSON.stringify(e.event_data).includes('hello-from-the-agent')), JSON.stringify(events.map((e) => e.event_type)));
    assert.ok(events.some((e) => e.event_type === 'completion' && String(e.event_data.message ?? '').includes('All done.')));
    // A late event of the ended session (its exit seen before its last hook) makes no second session:
    // the next agent's session shows the collector got past it.
    const late = spawn('sh', ['-c', `'${path.join(hooksDir(), 'hook.sh')}' claude Stop`], { env: { PATH: process.env.PATH } });
    late.stdin.end(JSON.stringify({ session_id: a.agentSessionId, hook_event_name: 'Stop' }));
    await new Promise((resolve) => late.once('exit', resolve));
    const next = agent([]);
    assert.equal(await next.exited, 0);
    await until('the next session is there', async () => (await sessionFor(next.agentSessionId)) !== undefined, 60_000);
    assert.equal((await sessionsOf(user.id)).filter((r) => r.agent_session_id === a.agentSessionId).length, 1);
    const status = await runCliToEnd(['hooks', 'status', '--agent', 'claude'], env);
    assert.match(status.stdout, /Claude Code: hooked in .*settings\.json/);
    assert.match(status.stdout, /Collector: running/);
  });

  it('a permission request shows as waiting; approved by a viewer, the agent gets "allow" and runs the command', async () => {
    const a = agent(['ask:echo approved-ran']);
    await until('waiting', async () => (await sessionFor(a.agentSessionId))?.state === 'waiting', 60_000);
    const s = (await sessionFor(a.agentSessionId))!;
    const [request] = parseWaitingFor(s.waiting_for);
    assert.equal(request!.tool, 'Bash');
    assert.equal(request!.title, 'Bash: echo approved-ran');
    const approve = await sendCommand(user.client, s.id, 'approve', { agentRequestId: request!.id, inputHash: await inputHash(reviewText({ command: 'echo approved-ran', description: 'step 1' })) });
    assert.equal(await a.exited, 0);
    assert.match(a.out(), /decision: allow/);
    await until('answered', async () => (await commandOf(approve.id)).outcome === 'done');
    await until('completed', async () => (await sessionFor(a.agentSessionId))?.state === 'completed', 60_000);
    const events = await eventsOf(s.id);
    const states = events.filter((e) => e.event_type === 'state_changed').map((e) => e.event_data.to);
    assert.deepEqual(states, ['running', 'waiting', 'running', 'completed']);
    assert.ok(events.some((e) => JSON.stringify(e.event_data).includes('approved-ran\\n')), 'the command ran and its output streamed');
  });

  it('denied by a viewer (with why); an approval of other input than asked about is refused', async () => {
    const a = agent(['ask:rm -rf build']);
    await until('waiting', async () => (await sessionFor(a.agentSessionId))?.state === 'waiting', 60_000);
    const s = (await sessionFor(a.agentSessionId))!;
    const [request] = parseWaitingFor(s.waiting_for);
    const forged = await sendCommand(user.client, s.id, 'approve', { agentRequestId: request!.id, inputHash: await inputHash(reviewText({ command: 'ls' })) });
    await until('refused', async () => (await commandOf(forged.id)).outcome === 'refused');
    assert.match((await commandOf(forged.id)).reason ?? '', /not what the agent asks/);
    const deny = await sendCommand(user.client, s.id, 'deny', { agentRequestId: request!.id, body: 'not the build folder' });
    assert.equal(await a.exited, 0);
    assert.match(a.out(), /decision: deny \(not the build folder\)/);
    await until('done', async () => (await commandOf(deny.id)).outcome === 'done');
  });

  it('nobody answers in time: the agent gets no decision (it asks in its terminal), the request is withdrawn, a late answer is refused', async () => {
    const gate = path.join(home, `late-${Date.now()}`);
    const a = agent(['ask:echo unanswered', `wait:${gate}`], { SESSION_STREAM_HOOK_ANSWER_TIMEOUT_MS: '1500' });
    await until('waiting', async () => (await sessionFor(a.agentSessionId))?.state === 'waiting', 60_000);
    const s = (await sessionFor(a.agentSessionId))!;
    const [request] = parseWaitingFor(s.waiting_for);
    await until('the agent went on without an answer', () => /decision: none/.test(a.out()), 30_000);
    await until('the request is withdrawn', async () => (await sessionFor(a.agentSessionId))?.state === 'running', 30_000);
    const reason = (await sessionFor(a.agentSessionId))!.state_reason ?? '';
    assert.match(reason, /No answer from a viewer within 1.5 s: Claude Code asks in its terminal/);
    const late = await sendCommand(user.client, s.id, 'approve', { agentRequestId: request!.id, inputHash: request!.inputHash });
    await until('the late answer is handled', async () => (await commandOf(late.id)).outcome !== null);
    assert.equal((await commandOf(late.id)).outcome, 'refused');
    assert.match((await commandOf(late.id)).reason ?? '', /no request .* is waiting/);
    writeFileSync(gate, '');
    assert.equal(await a.exited, 0);
    await until('completed', async () => (await sessionFor(a.agentSessionId))?.state === 'completed', 60_000);
  });

  it('answered in the terminal while the hook waits: the request is withdrawn as answered there, the waiting hook let go at once', async () => {
    const gate = path.join(home, `local-${Date.now()}`);
    const a = agent(['local:echo answered-locally'], { STANDIN_GATE: gate });
    await until('waiting', async () => (await sessionFor(a.agentSessionId))?.state === 'waiting', 60_000).catch((e: Error) => assert.fail(`${e.message}: ${a.out()}`));
    const started = Date.now();
    writeFileSync(gate, '');
    assert.equal(await a.exited, 0, a.out());
    assert.match(a.out(), /hook ended: ""/, 'the hook decided nothing');
    assert.ok(Date.now() - started < 15_000, 'the hook did not wait out its 20 s');
    await until('completed', async () => (await sessionFor(a.agentSessionId))?.state === 'completed', 60_000);
    const reasons = (await eventsOf((await sessionFor(a.agentSessionId))!.id)).filter((e) => e.event_type === 'state_changed').map((e) => String(e.event_data.reason ?? ''));
    assert.ok(reasons.includes("Answered in Claude Code's terminal"), reasons.join(' | '));
  });

  it('Stop from a viewer: the agent is stopped at its next step and the session ends cancelled', async () => {
    const gate = path.join(home, `gate-${Date.now()}`);
    const a = agent(['tool:echo first', `wait:${gate}`, 'tool:echo never']);
    await until('running', async () => (await sessionFor(a.agentSessionId))?.state === 'running', 60_000);
    const s = (await sessionFor(a.agentSessionId))!;
    const stop = await sendCommand(user.client, s.id, 'stop');
    await until('stop handled', async () => (await commandOf(stop.id)).outcome === 'done');
    writeFileSync(gate, '');
    assert.equal(await a.exited, 0);
    assert.match(a.out(), /decision: stopped \(Stopped by /);
    await until('cancelled', async () => (await sessionFor(a.agentSessionId))?.state === 'cancelled', 60_000);
    assert.ok(!(await eventsOf(s.id)).some((e) => JSON.stringify(e.event_data).includes('never\\n')), 'the step after the stop did not run');
    assert.ok(!existsSync(path.join(hooksDir(), 'stop', a.agentSessionId)), 'the stop is cleared with the session');
  });

  it('with the stack down the agent goes on unhindered; what it did arrives once the stack is back', async () => {
    // A second user of this machine whose sign-in reaches the stack through a proxy we can cut.
    const proxy = new FaultProxy(Number(new URL(stack().env.API_URL).port));
    await proxy.start();
    try {
      const other = await signUp();
      const otherHome = mkdtempSync(path.join(os.tmpdir(), 'hooked-down-'));
      const otherEnv = { ...env, HOME: otherHome, XDG_CONFIG_HOME: path.join(otherHome, '.config'), SUPABASE_URL: proxy.url, SESSION_STREAM_PASSWORD: other.password };
      assert.equal((await runCliToEnd(['login', '--email', other.email], otherEnv)).code, 0);
      assert.equal((await runCliToEnd(['hooks', 'install', '--agent', 'claude', '--answer-timeout-ms', '3000'], otherEnv)).code, 0);
      proxy.cut();
      const started = Date.now();
      const agentSessionId = crypto.randomUUID();
      const child = spawn(process.execPath, [AGENT], { cwd: workspace, env: { PATH: process.env.PATH, HOME: otherHome, STANDIN_STEPS: 'tool:echo while-the-stack-is-down,ask:echo asked-while-down', STANDIN_SESSION_ID: agentSessionId } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 0);
      assert.match(out, /decision: none/, 'no decision: the agent asks in its terminal');
      assert.ok(Date.now() - started < 20_000, `the agent was held ${Date.now() - started} ms`);
      assert.equal((await sessionsOf(other.id)).length, 0, 'nothing reached the stack');
      proxy.restore();
      await until('the session arrives, completed, with what the agent did', async () => {
        const s = (await sessionsOf(other.id)).find((r) => r.agent_session_id === agentSessionId);
        return s?.state === 'completed' && (await eventsOf(s.id)).some((e) => JSON.stringify(e.event_data).includes('while-the-stack-is-down'));
      }, 90_000);
      const pid = Number(readFileSync(path.join(otherHome, '.config/session-stream/hooks/collector.pid'), 'utf8').trim() || 0);
      if (pid) process.kill(pid, 'SIGTERM');
    } finally {
      await proxy.close();
    }
  });

  it('with no viewer online the agent asks in its terminal at once, not after the answer time', async () => {
    const other = await signUp();
    const otherHome = mkdtempSync(path.join(os.tmpdir(), 'hooked-alone-'));
    const otherEnv = { ...env, HOME: otherHome, XDG_CONFIG_HOME: path.join(otherHome, '.config'), SESSION_STREAM_PASSWORD: other.password };
    assert.equal((await runCliToEnd(['login', '--email', other.email], otherEnv)).code, 0);
    assert.equal((await runCliToEnd(['hooks', 'install', '--agent', 'claude', '--answer-timeout-ms', '60000'], otherEnv)).code, 0);
    // Whose windows are online is the user's own: another user can neither see nor join the topic.
    // (A client of its own, as the collector has: one client joins a topic once.)
    const again = client();
    assert.equal((await again.auth.signInWithPassword({ email: user.email, password: user.password })).error, null);
    const mine = await watchOnline(again, user.id);
    const theirs = await watchOnline(other.client, user.id);
    try {
      assert.equal(await mine.online(15_000), true);
      assert.equal(await theirs.online(15_000), undefined, 'another user joined the topic');
      const agentSessionId = crypto.randomUUID();
      const child = spawn(process.execPath, [AGENT], { cwd: workspace, env: { PATH: process.env.PATH, HOME: otherHome, STANDIN_STEPS: 'ask:echo nobody-watches', STANDIN_SESSION_ID: agentSessionId } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const started = Date.now();
      assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 0);
      assert.match(out, /decision: none/);
      assert.ok(Date.now() - started < 30_000, `held ${Date.now() - started} ms of its 60 s answer time`);
      await until('said why', async () => {
        const s = (await sessionsOf(other.id)).find((r) => r.agent_session_id === agentSessionId);
        return s !== undefined && (await eventsOf(s.id)).some((e) => e.event_type === 'thinking' && /^Claude Code asks to use .*echo nobody-watches.* in its terminal \(nobody is watching from VS Code\)$/.test(String(e.event_data.text)));
      }, 60_000);
    } finally {
      mine.dispose();
      theirs.dispose();
      const pidFile = path.join(otherHome, '.config/session-stream/hooks/collector.pid');
      if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    }
  });

  it('uninstall puts the settings back as they were (here: no file)', async () => {
    const r = await runCliToEnd(['hooks', 'uninstall', '--agent', 'claude'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(path.join(home, '.claude/settings.json')));
    assert.deepEqual(readdirSync(path.join(home, '.claude')).filter((n) => n.endsWith('-backup')), []);
  });
});
