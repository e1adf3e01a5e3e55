// Steering through the real stack: commands stored by a viewer (unmodified supabase-js, as VS Code
// sends them) or by the command line, handled by `session-stream run` driving a stand-in agent that
// speaks Claude Code's stream-json both ways (test/support/steerableAgent.mjs) — stop, pause and
// resume on its processes, messages and answers on its stdin, the `waiting` state for its
// permission requests (a recorded request) — each handled once, also when sent while the runner
// was cut off; and what the database refuses: strangers, finished sessions, forged senders,
// a second claim or a second outcome.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CommandError, claimCommand, completeCommand, sendCommand } from '../../src/core/commands';
import { parseWaitingFor } from '../../src/shared/commands';
import { runCli, runCliToEnd, type CliProcess } from '../support/cli';
import { FaultProxy } from '../support/faultProxy';
import { query } from '../support/sql';
import { sleep, until } from '../support/wait';
import { createSession, signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';

const AGENT = path.resolve(__dirname, '../support/steerableAgent.mjs');
const REQUEST = path.resolve(__dirname, '../fixtures/agents/claude/control-request-can-use-tool-edit.jsonl');


interface SessionRow {
  state: string;
  state_reason: string | null;
  waiting_for: unknown;
}
interface EventRow {
  event_type: string;
  event_data: Record<string, unknown>;
}
interface CommandRow {
  id: string;
  outcome: string | null;
  reason: string | null;
  claimed_at: string | null;
  handled_at: string | null;
  created_by_name: string;
}
const sessionOf = (id: string) => query<SessionRow>('select state, state_reason, waiting_for from public.coding_sessions where id = $1', [id]).then((r) => r[0]!);
const eventsOf = (id: string) => query<EventRow>('select event_type, event_data from public.session_events where session_id = $1 order by session_seq', [id]);
const commandOf = (id: string) => query<CommandRow>('select id, outcome, reason, claimed_at, handled_at, created_by_name from public.session_commands where id = $1', [id]).then((r) => r[0]!);
const texts = (events: EventRow[]) => events.filter((e) => e.event_type === 'thinking').map((e) => String(e.event_data.text ?? ''));

describe('steering: stop, pause, resume, messages and approvals reach the running agent, once', function () {
  this.timeout(120_000);
  let user: TestUser;
  let stranger: TestUser;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const running: CliProcess[] = [];
  const proxies: FaultProxy[] = [];

  before(async () => {
    [user, stranger] = await Promise.all([signUp(), signUp()]);
    dir = await mkdtemp(path.join(os.tmpdir(), 'steering-'));
    env = { SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SUPABASE_SERVICE_ROLE_KEY: '', SESSION_STREAM_EMAIL: user.email, SESSION_STREAM_PASSWORD: user.password, SESSION_STREAM_CONFIG_DIR: path.join(dir, 'config'), STANDIN_REQUEST: REQUEST };
  });
  afterEach(async () => {
    for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const p of proxies.splice(0)) await p.close();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const name = () => user.email.split('@')[0]!;

  /** `session-stream run` of the stand-in agent, started with `prompt`; resolves once its session runs. */
  async function run(prompt: string, extraEnv: NodeJS.ProcessEnv = {}, format = 'claude'): Promise<{ p: CliProcess; session: string }> {
    const p = runCli(['run', '--quiet', '--format', format, '--', 'node', AGENT, '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', '--permission-prompt-tool', 'stdio', prompt], { ...env, ...extraEnv });
    running.push(p);
    const first = await p.waitForLine(/^SESSION_ID=/);
    const session = first.slice('SESSION_ID='.length);
    await until('the session runs', async () => ['running', 'waiting'].includes((await sessionOf(session)).state), 30_000);
    return { p, session };
  }

  it('stop (from the command line): the agent and what it started are gone, the session is cancelled "stopped by" its sender', async () => {
    const pidFile = path.join(dir, 'stop.pid');
    const { p, session } = await run('work 10000', { STANDIN_PID_FILE: pidFile });
    await until('ticks arrive', async () => texts(await eventsOf(session)).some((t) => t === 'tick 2'));
    const stop = await runCliToEnd(['stop', '--session', session], env);
    assert.equal(stop.code, 0, stop.stderr + stop.stdout);
    assert.match(stop.stdout, new RegExp(`Stopped by ${name()}`));
    assert.equal(await p.exited, 130, 'run exits with the code of the interrupted agent');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.throws(() => process.kill(pid, 0), 'the agent process is gone');
    const s = await sessionOf(session);
    assert.equal(s.state, 'cancelled');
    assert.equal(s.state_reason, `Stopped by ${name()}`);
    const last = (await eventsOf(session)).at(-1)!;
    assert.deepEqual([last.event_type, last.event_data.to, last.event_data.reason], ['state_changed', 'cancelled', `Stopped by ${name()}`]);
  });

  it('pause: no output while paused, the session is paused; resume: output goes on, the session runs; each said by whom', async () => {
    const ticks = path.join(dir, 'pause.ticks');
    const { session } = await run('work 10000', { STANDIN_TICK_FILE: ticks });
    await until('ticking', () => existsSync(ticks) && readFileSync(ticks, 'utf8').split('\n').length > 3);
    const pause = await sendCommand(user.client, session, 'pause');
    await until('paused', async () => (await commandOf(pause.id)).outcome === 'done');
    assert.equal((await sessionOf(session)).state, 'paused');
    const count = () => readFileSync(ticks, 'utf8').trim().split('\n').length;
    const atPause = count();
    await sleep(1200); // 12 ticks' worth of time
    assert.ok(count() <= atPause + 1, `no output while paused (${atPause} → ${count()})`);
    const resume = await sendCommand(user.client, session, 'resume');
    await until('resumed', async () => (await commandOf(resume.id)).outcome === 'done');
    assert.equal((await sessionOf(session)).state, 'running');
    await until('ticks again', () => count() >= atPause + 3);
    const changes = (await eventsOf(session)).filter((e) => e.event_type === 'state_changed').map((e) => `${e.event_data.to}: ${e.event_data.reason}`);
    assert.ok(changes.includes(`paused: Paused by ${name()}`) && changes.includes(`running: Resumed by ${name()}`), changes.join('\n'));
    const again = await sendCommand(user.client, session, 'resume');
    await until('refused', async () => (await commandOf(again.id)).outcome === 'refused');
    assert.match((await commandOf(again.id)).reason!, /not paused/);
    await sendCommand(user.client, session, 'stop');
    await until('stopped', async () => (await sessionOf(session)).state === 'cancelled');
  });

  it('a message is delivered to the agent (it echoes it) and recorded; once every message is answered the session completes', async () => {
    const { p, session } = await run('work 5');
    const message = await sendCommand(user.client, session, 'message', { body: 'Please also update the README <b>now</b>' });
    await until('delivered', async () => (await commandOf(message.id)).outcome === 'done');
    assert.equal(await p.exited, 0);
    const s = await sessionOf(session);
    assert.equal(s.state, 'completed');
    const said = texts(await eventsOf(session));
    assert.ok(said.includes('echo: Please also update the README <b>now</b>'), `the agent got the message: ${said.join(' | ')}`);
    assert.ok(said.includes(`Message from ${name()}: Please also update the README <b>now</b>`), 'the timeline records who said what');
    assert.ok(said.indexOf('tick 5') < said.indexOf('echo: Please also update the README <b>now</b>'), 'the message waited for the turn that was running');
  });

  it('a permission request puts the session in waiting with what was asked; approve (command line) answers it and the run goes on; deny says why', async () => {
    const { p, session } = await run('ask');
    await until('waiting', async () => (await sessionOf(session)).state === 'waiting');
    const requests = parseWaitingFor((await sessionOf(session)).waiting_for);
    assert.deepEqual(requests.map((r) => [r.id, r.kind, r.tool]), [['f3cf357c-17d6-4eca-b498-dd17c7ac43dd', 'approval', 'Edit']]);
    assert.match(requests[0]!.title, /^Edit .*ui\.rs$/);
    const approve = await runCliToEnd(['approve', '--session', session], env);
    assert.equal(approve.code, 0, approve.stderr + approve.stdout);
    assert.match(approve.stdout, new RegExp(`Approved by ${name()}: Edit`));
    assert.equal(await p.exited, 0, p.stderr() + p.lines.join('\n'));
    const events = await eventsOf(session);
    assert.ok(texts(events).includes('allow'), 'the agent got an allow');
    const states = events.filter((e) => e.event_type === 'state_changed').map((e) => e.event_data.to);
    assert.deepEqual(states, ['running', 'waiting', 'running', 'completed']);
    assert.equal((await sessionOf(session)).waiting_for, null, 'nothing is waited for after the session left waiting');

    const second = await run('ask');
    await until('waiting', async () => (await sessionOf(second.session)).state === 'waiting');
    const deny = await sendCommand(user.client, second.session, 'deny', { agentRequestId: 'f3cf357c-17d6-4eca-b498-dd17c7ac43dd', body: 'not that file' });
    await until('denied', async () => (await commandOf(deny.id)).outcome === 'done');
    assert.equal(await second.p.exited, 0);
    assert.ok(texts(await eventsOf(second.session)).includes('deny: not that file'));
    const wrong = await runCliToEnd(['approve', '--session', second.session], env);
    assert.equal(wrong.code, 2, 'nothing to approve on a finished session');
    assert.match(wrong.stderr, /not waiting for an answer \(the session is completed\)/);
  });

  it('a command sent while the runner is cut off is handled once, after it is back', async () => {
    const proxy = new FaultProxy(Number(new URL(stack().env.API_URL).port));
    proxies.push(proxy);
    await proxy.start();
    const { session } = await run('work 10000', { SUPABASE_URL: proxy.url, STANDIN_TICK_MS: '200' });
    await until('ticks arrive', async () => texts(await eventsOf(session)).includes('tick 1'));
    proxy.cut();
    const message = await sendCommand(user.client, session, 'message', { body: 'sent while you were away' });
    await sleep(1500);
    assert.equal((await commandOf(message.id)).claimed_at, null, 'not taken while the runner is cut off');
    proxy.restore();
    await until('handled after the reconnect', async () => (await commandOf(message.id)).outcome === 'done', 60_000);
    await sendCommand(user.client, session, 'stop');
    await until('stopped', async () => (await sessionOf(session)).state === 'cancelled', 60_000);
    const notes = (await eventsOf(session)).filter((e) => (e.event_data.command as { id?: string } | undefined)?.id === message.id);
    assert.equal(notes.length, 1, 'recorded once');
  });

  it('an agent that takes no input: a message is unsupported, with why, and the timeline says so', async () => {
    const replay = runCli(['run', '--quiet', '--format', 'codex', '--', 'node', path.resolve(__dirname, '../support/replayAgent.mjs'), path.resolve(__dirname, '../fixtures/agents/codex/exec-0.46-1.jsonl')], { ...env, REPLAY_GAP_MS: '400' });
    running.push(replay);
    const session = (await replay.waitForLine(/^SESSION_ID=/)).slice('SESSION_ID='.length);
    const message = await sendCommand(user.client, session, 'message', { body: 'hello?' });
    await until('answered', async () => (await commandOf(message.id)).outcome !== null);
    const c = await commandOf(message.id);
    assert.equal(c.outcome, 'unsupported');
    assert.match(c.reason!, /codex exec takes no input while it runs/);
    await replay.exited;
    const errors = (await eventsOf(session)).filter((e) => e.event_type === 'error');
    assert.ok(errors.some((e) => /message is not supported: codex exec/.test(String(e.event_data.message))), JSON.stringify(errors));
  });

  it('the demo agent (npm start, Run Demo Session) takes the same commands: pause, a message, resume, stop', async () => {
    const demo = runCli(['demo', '--speed', '4', '--workspace', path.join(dir, 'demo')], { ...env, SUPABASE_SERVICE_ROLE_KEY: stack().env.SERVICE_ROLE_KEY });
    running.push(demo);
    const session = (await demo.waitForLine(/^SESSION_ID=/)).slice('SESSION_ID='.length);
    await until('running', async () => (await sessionOf(session)).state === 'running');
    const handled = async (kind: Parameters<typeof sendCommand>[2], body?: string) => {
      const c = await sendCommand(user.client, session, kind, { body });
      await until(`${kind} handled`, async () => (await commandOf(c.id)).outcome !== null);
      return commandOf(c.id);
    };
    assert.equal((await handled('pause')).outcome, 'done');
    assert.equal((await sessionOf(session)).state, 'paused');
    const count = (await eventsOf(session)).length;
    await sleep(1000); // five steps' worth at this speed
    assert.equal((await eventsOf(session)).length, count, 'no step while paused');
    assert.equal((await handled('message', 'use tabs')).outcome, 'done');
    assert.equal((await handled('resume')).outcome, 'done');
    await until('a step after resuming', async () => (await eventsOf(session)).length > count + 2);
    assert.equal((await handled('stop')).outcome, 'done');
    await until('cancelled', async () => (await sessionOf(session)).state === 'cancelled');
    assert.equal((await sessionOf(session)).state_reason, `Stopped by ${name()}`);
    assert.equal(await demo.exited, 0, demo.stderr());
    assert.ok(texts(await eventsOf(session)).some((t) => t.startsWith(`Message from ${name()}: use tabs`)));
  });

  it('the database refuses: a stranger, a finished session, a forged sender, a second claim, a second outcome, an oversize message', async () => {
    const session = await createSession(user.id);
    await assert.rejects(sendCommand(stranger.client, session, 'stop'), (e: Error) => e instanceof CommandError && /not one you can see/.test(e.message));
    const forged = await user.client.from('session_commands').insert({ session_id: session, kind: 'stop', created_by: stranger.id });
    assert.equal(forged.error?.code, '42501', 'created_by is not the sender\'s to set');
    const big = await user.client.from('session_commands').insert({ session_id: session, kind: 'message', body: 'x'.repeat(16 * 1024 + 1) });
    assert.equal(big.error?.code, '23514');
    await assert.rejects(sendCommand(user.client, session, 'message', { body: 'y'.repeat(16 * 1024 + 1) }), /at most 16 KiB/);

    const sent = await sendCommand(user.client, session, 'pause');
    assert.equal(sent.createdByName, name(), 'the name comes from the token');
    assert.equal((await stranger.client.from('session_commands').select('id').eq('id', sent.id)).data?.length, 0, 'a stranger cannot read it');
    assert.equal(await claimCommand(stranger.client, sent.id), false, 'a stranger cannot take it');
    assert.equal(await claimCommand(user.client, sent.id), true);
    assert.equal(await claimCommand(user.client, sent.id), false, 'taken once');
    assert.equal((await completeCommand(user.client, sent.id, 'done', 'Paused by test'))?.outcome, 'done');
    assert.equal(await completeCommand(user.client, sent.id, 'refused', 'again'), undefined, 'handled once');
    assert.equal((await commandOf(sent.id)).reason, 'Paused by test');

    await query('update public.coding_sessions set state = $2 where id = $1', [session, 'cancelled']);
    await assert.rejects(sendCommand(user.client, session, 'stop'), /session has ended/);
  });
});
