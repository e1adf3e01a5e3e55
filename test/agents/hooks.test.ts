// The real Claude Code, Codex CLI and Gemini CLI started the ordinary way (no `run`, no `watch`),
// with our hooks installed into their own settings in a temporary HOME by `session-stream hooks
// install`: each session streams live as the user's (while the agent is still mid-turn), with its
// commands and final message, linked to the agent's own session id, and ends with the agent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentName } from '../../scripts/agents';
import { sendCommand } from '../../src/core/commands';
import { showOnline } from '../../src/core/viewers';
import { parseWaitingFor } from '../../src/shared/commands';
import { runCliToEnd } from '../support/cli';
import { FaultProxy } from '../support/faultProxy';
import { query } from '../support/sql';
import { until } from '../support/wait';
import { stack } from '@agent-session-stream/local-supabase/testing';
import { agentCommand, agents, eventsOf, model, place, runner, type EventRow, type Place, type Runner } from './support';

interface Row {
  id: string;
  state: string;
  agent_session_id: string | null;
  source: string;
}
const sessionsOf = (user: string) => query<Row>('select id, state, agent_session_id, source from public.coding_sessions where user_id = $1 order by created_at', [user]);
const terminalText = (events: EventRow[]) => events.filter((e) => e.event_type === 'terminal').map((e) => JSON.stringify(e.event_data)).join('\n');

const SCRIPT: Record<AgentName, { tool: { name: string; input: Record<string, unknown> }; model?: string; extra?: string[] }> = {
  claude: { tool: { name: 'Bash', input: { command: 'echo hooked-claude', description: 'Say it' } }, extra: ['--allowedTools', 'Bash'] },
  codex: { tool: { name: 'exec_command', input: { cmd: 'echo hooked-codex' } }, model: 'gpt-5.5' },
  gemini: { tool: { name: 'run_shell_command', input: { command: 'echo hooked-gemini', description: 'Say it' } }, model: 'gemini-scripted' },
};

for (const name of ['claude', 'codex', 'gemini'] as const) {
  describe(`hooks: ${name} ${agents()[name].version}, started the ordinary way`, function () {
    this.timeout(180_000);
    let r: Runner;
    let p: Place;

    before(async () => {
      r = await runner();
      p = place();
    });

    after(() => {
      const pidFile = path.join(p.home, '.config/session-stream/hooks/collector.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
      if (pid) process.kill(pid, 'SIGTERM');
    });

    it('streams live as the user’s session, linked to the agent’s own id, and ends with the agent', async () => {
      const mark = `HOOK-${name.toUpperCase()}`;
      const script = SCRIPT[name];
      const { server, url } = await model([{ match: mark, turns: [{ tools: [script.tool], usage: { input: 500, output: 20 } }, { hold: 'end', text: `Hooked ${name} done.`, usage: { input: 600, output: 10 } }] }], script.model);
      try {
        // The agent's own settings first (Gemini CLI's auth choice), then ours merged in.
        const { argv, env } = agentCommand(name, p, url, `${mark} go`, script.extra, script.model);
        const before = settingsFiles(name, p).map((f) => [f, existsSync(f) ? readFileSync(f, 'utf8') : null] as const);
        const login = await runCliToEnd(['login', '--email', r.user.email], r.env(p));
        assert.equal(login.code, 0, login.stderr);
        const install = await runCliToEnd(['hooks', 'install', '--agent', name], r.env(p));
        assert.equal(install.code, 0, install.stderr + install.stdout);
        // The agent as a user starts it: its own environment, none of ours.
        const bare = spawn(argv[0]!, argv.slice(1), { cwd: p.workspace, env: { PATH: process.env.PATH, HOME: p.home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        bare.stdout.on('data', (d: Buffer) => (output += d.toString()));
        bare.stderr.on('data', (d: Buffer) => (output += d.toString()));
        const exited = new Promise<number | null>((resolve) => bare.once('exit', resolve));
        await until(
          'the command is in the session while the agent still runs',
          async () => {
            const [s] = await sessionsOf(r.user.id);
            return s !== undefined && terminalText(await eventsOf(s.id)).includes(`hooked-${name}`);
          },
          90_000,
        ).catch((error: Error) => assert.fail(`${error.message}\nagent output:\n${output.slice(-3000)}\ncollector log:\n${collectorLog(p)}`));
        const [live] = await sessionsOf(r.user.id);
        assert.equal(live!.source, name);
        assert.notEqual(live!.state, 'completed', 'live: the agent has not finished yet');
        server.release('end');
        assert.equal(await exited, 0, output.slice(-3000));
        await until('completed with its last message', async () => {
          const [s] = await sessionsOf(r.user.id);
          return s?.state === 'completed' && (await eventsOf(s.id)).some((e) => JSON.stringify(e.event_data).includes(`Hooked ${name} done.`));
        }, 60_000).catch((error: Error) => assert.fail(`${error.message}\ncollector log:\n${collectorLog(p)}`));
        const sessions = await sessionsOf(r.user.id);
        assert.equal(sessions.length, 1, 'one session for one run');
        assert.ok(sessions[0]!.agent_session_id, 'linked to the agent’s own session id');
        const status = await runCliToEnd(['hooks', 'status', '--agent', name], r.env(p));
        assert.equal(status.code, 0, status.stdout);
        // Uninstall puts back the user's settings exactly as they were (after the agent ran with ours).
        const uninstall = await runCliToEnd(['hooks', 'uninstall', '--agent', name], r.env(p));
        assert.equal(uninstall.code, 0, uninstall.stderr);
        for (const [file, text] of before) assert.equal(existsSync(file) ? readFileSync(file, 'utf8') : null, text, `${file} as it was`);
      } finally {
        await server.close();
      }
    });
  });
}

/** The real Claude Code terminal UI on a pseudo-terminal (script(1)), as in a terminal window. */
function interactiveClaude(p: Place, url: string, prompt: string, extraEnv: NodeJS.ProcessEnv = {}) {
  // What a user has answered once on their machine: onboarding done, this key and this folder trusted.
  writeFileSync(path.join(p.home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, customApiKeyResponses: { approved: ['sk-scripted'.slice(-20)], rejected: [] }, projects: { [p.workspace]: { hasTrustDialogAccepted: true } } }));
  const line = `stty cols 120 rows 40; exec '${agents().claude.bin}' '${prompt}'`;
  const tty = spawn('script', ['-qfc', line, '/dev/null'], { cwd: p.workspace, env: { PATH: process.env.PATH, HOME: p.home, TERM: 'xterm-256color', ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-scripted', ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  tty.stdout.on('data', (d: Buffer) => (screen += d.toString()));
  const exited = new Promise((resolve) => tty.once('exit', resolve));
  // eslint-disable-next-line no-control-regex -- terminal escapes are what is taken out
  const plain = () => screen.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, ' ').replace(/\s+/g, ' ').slice(-2000);
  return { tty, plain, exited };
}

describe(`hooks: Claude Code ${agents().claude.version} in a terminal (interactive), answered from a viewer`, function () {
  this.timeout(240_000);
  let r: Runner;
  let p: Place;
  let viewer: { dispose(): void } | undefined;
  const cleanups: Array<() => unknown> = [];
  /**
   * A new user signed in with hooks installed (`install`: its extra options) and Claude Code
   * started in a terminal on a scripted model answering `mark`; `online`: a VS Code window of the
   * user's is online (requests wait for an answer from it).
   */
  const start = async (mark: string, turns: Parameters<typeof model>[0][number]['turns'], o: { online: boolean; install?: string[]; env?: NodeJS.ProcessEnv }) => {
    r = await runner();
    p = place();
    const { server, url } = await model([{ match: mark, turns }]);
    cleanups.push(() => server.close());
    if (o.online) viewer = await showOnline(r.user.client, r.user.id, { key: 'a-window', name: 'test', client: 'vscode' });
    assert.equal((await runCliToEnd(['login', '--email', r.user.email], r.env(p))).code, 0);
    assert.equal((await runCliToEnd(['hooks', 'install', '--agent', 'claude', ...(o.install ?? [])], r.env(p))).code, 0);
    const claude = interactiveClaude(p, url, `${mark} go`, o.env);
    cleanups.push(() => claude.tty.kill('SIGKILL'));
    return claude;
  };
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    viewer?.dispose();
    viewer = undefined;
    const pidFile = path.join(p.home, '.config/session-stream/hooks/collector.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
    if (pid) process.kill(pid, 'SIGTERM');
  });

  const requestOf = async (sessionId: string) => parseWaitingFor((await query<{ waiting_for: unknown }>('select waiting_for from public.coding_sessions where id = $1', [sessionId]))[0]!.waiting_for);
  const waitingOn = async (command: string, plain: () => string) => {
    await until(`waiting on ${command}`, async () => {
      const [s] = await sessionsOf(r.user.id);
      return s?.state === 'waiting' && (await requestOf(s.id)).some((q) => q.title.includes(command));
    }, 90_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}\ncollector log:\n${collectorLog(p)}`));
    const [s] = await sessionsOf(r.user.id);
    return { session: s!, request: (await requestOf(s!.id))[0]! };
  };
  const ownDialog = (plain: () => string, ms: number) =>
    until('the terminal shows its own dialog', () => /Do you want to proceed/.test(plain()), ms).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}\ncollector log:\n${collectorLog(p)}`));
  const reasonSeen = (reason: RegExp) => async () => {
    const [s] = await sessionsOf(r.user.id);
    return s?.state === 'running' && (await eventsOf(s.id)).some((e) => e.event_type === 'state_changed' && reason.test(String(e.event_data.reason ?? '')));
  };

  it('its permission request shows as waiting; approved from the viewer, the command runs; one denied does not; one answered in its terminal is withdrawn', async () => {
    const { tty, plain, exited } = await start('PTY-MARK', [
      { tools: [{ name: 'Bash', input: { command: 'echo approved-from-the-viewer > proof.txt', description: 'Write the proof' } }], usage: { input: 500, output: 20 } },
      { tools: [{ name: 'Bash', input: { command: 'echo denied-from-the-viewer > denied.txt', description: 'Write it' } }], usage: { input: 520, output: 20 } },
      { tools: [{ name: 'Bash', input: { command: 'echo answered-in-the-terminal > terminal.txt', description: 'Write it' } }], usage: { input: 550, output: 20 } },
      { text: 'Interactive run done.', usage: { input: 600, output: 10 } },
    ], { online: true, install: ['--answer-timeout-ms', '120000'] });
    const first = await waitingOn('approved-from-the-viewer', plain);
    assert.equal(first.request.tool, 'Bash');
    const approve = await sendCommand(r.user.client, first.session.id, 'approve', { agentRequestId: first.request.id, inputHash: first.request.inputHash });
    await until('the approved command ran', () => existsSync(path.join(p.workspace, 'proof.txt')), 60_000).catch(async (error: Error) => {
      const outcome = (await query<{ outcome: string | null; reason: string | null }>('select outcome, reason from public.session_commands where id = $1', [approve.id]))[0];
      assert.fail(`${error.message}\napproval: ${JSON.stringify(outcome)}\nscreen: ${plain()}\ncollector log:\n${collectorLog(p)}`);
    });
    await until('the approval is recorded done', async () => (await query<{ outcome: string | null }>('select outcome from public.session_commands where id = $1', [approve.id]))[0]!.outcome === 'done');
    // The second: denied from the viewer, with why; the command does not run.
    const second = await waitingOn('denied-from-the-viewer', plain);
    const deny = await sendCommand(r.user.client, second.session.id, 'deny', { agentRequestId: second.request.id, body: 'not that file' });
    await until('denied, the agent goes on', reasonSeen(/^Denied by .*not that file/), 60_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}`));
    await until('the denial is recorded done', async () => (await query<{ outcome: string | null }>('select outcome from public.session_commands where id = $1', [deny.id]))[0]!.outcome === 'done');
    // The third: answered Yes in the terminal (the dialog's default), not from the viewer.
    await waitingOn('answered-in-the-terminal', plain);
    assert.equal(existsSync(path.join(p.workspace, 'denied.txt')), false, 'the denied command never ran');
    await ownDialog(plain, 30_000);
    tty.stdin.write('\r');
    await until('withdrawn as answered in the terminal', reasonSeen(/^Answered in Claude Code's terminal$/), 60_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}\ncollector log:\n${collectorLog(p)}`));
    await until('the command answered in the terminal ran', () => existsSync(path.join(p.workspace, 'terminal.txt')), 30_000);
    await until('its last message streams', async () => {
      const [s] = await sessionsOf(r.user.id);
      return (await eventsOf(s!.id)).some((e) => JSON.stringify(e.event_data).includes('Interactive run done.'));
    }, 60_000);
    // The user leaves it (/exit): the session ends with the agent.
    tty.stdin.write('/exit');
    await until('typed', () => /\/exit/.test(plain()), 10_000).catch(() => undefined);
    tty.stdin.write('\r');
    await exited;
    await until('completed once the agent is gone', async () => (await sessionsOf(r.user.id))[0]?.state === 'completed', 60_000).catch((error: Error) => assert.fail(`${error.message}\ncollector log:\n${collectorLog(p)}`));
  });

  it('nobody answers from a viewer in time: the request is withdrawn and the agent’s own dialog decides', async () => {
    // The answer time of this one start, from the environment (the contract's variable).
    const { tty, plain } = await start('QUIET-MARK', [
      { tools: [{ name: 'Bash', input: { command: 'echo nobody-answered > quiet.txt', description: 'Write it' } }], usage: { input: 500, output: 20 } },
      { text: 'Quiet run done.', usage: { input: 600, output: 10 } },
    ], { online: true, env: { SESSION_STREAM_HOOK_ANSWER_TIMEOUT_MS: '3000' } });
    await waitingOn('nobody-answered', plain);
    await until('withdrawn: nobody answered', reasonSeen(/^No answer from a viewer within 3 s: Claude Code asks in its terminal$/), 60_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}\ncollector log:\n${collectorLog(p)}`));
    assert.equal(existsSync(path.join(p.workspace, 'quiet.txt')), false, 'no decision was made for the user');
    await ownDialog(plain, 30_000);
    tty.stdin.write('\r');
    await until('the command answered in the terminal ran', () => existsSync(path.join(p.workspace, 'quiet.txt')), 30_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}`));
  });

  it('with no VS Code window online, its own dialog asks at once (not after the answer time)', async () => {
    // An answer time far longer than this test may take: the dialog can only come from nobody being online.
    const { tty, plain } = await start('ALONE-MARK', [
      { tools: [{ name: 'Bash', input: { command: 'echo nobody-watching > alone.txt', description: 'Write it' } }], usage: { input: 500, output: 20 } },
      { text: 'Alone run done.', usage: { input: 600, output: 10 } },
    ], { online: false, install: ['--answer-timeout-ms', '600000'] });
    // (Claude Code shows its dialog while a hook waits too: what tells is that nothing waits for a viewer.)
    await ownDialog(plain, 120_000);
    await until('the timeline says where it asks', async () => {
      const [s] = await sessionsOf(r.user.id);
      return s !== undefined && (await eventsOf(s.id)).some((e) => e.event_type === 'thinking' && / in its terminal \(nobody is watching from VS Code\)$/.test(String(e.event_data.text ?? '')));
    }, 60_000).catch((error: Error) => assert.fail(`${error.message}\ncollector log:\n${collectorLog(p)}`));
    const [s] = await sessionsOf(r.user.id);
    const states = (await eventsOf(s!.id)).filter((e) => e.event_type === 'state_changed').map((e) => String(e.event_data.to));
    assert.ok(!states.includes('waiting'), `nothing waited for a viewer: ${states.join(' → ')}`);
    tty.stdin.write('\r');
    await until('the command answered in the terminal ran', () => existsSync(path.join(p.workspace, 'alone.txt')), 30_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}`));
  });
});

describe(`hooks: Claude Code ${agents().claude.version} with the stack cut off mid-session`, function () {
  this.timeout(180_000);
  it('the agent finishes unhindered; what it did arrives once the stack is back', async () => {
    const r = await runner();
    const p = place();
    const proxy = new FaultProxy(Number(new URL(stack().env.API_URL).port));
    await proxy.start();
    const { server, url } = await model([
      {
        match: 'CUT-MARK',
        turns: [
          { tools: [{ name: 'Bash', input: { command: 'echo before-the-cut', description: 'One' } }], usage: { input: 500, output: 20 } },
          { hold: 'cut', tools: [{ name: 'Bash', input: { command: 'echo during-the-cut', description: 'Two' } }], usage: { input: 550, output: 20 } },
          { text: 'Cut run done.', usage: { input: 600, output: 10 } },
        ],
      },
    ]);
    try {
      // This user's sign-in reaches the stack through a proxy that can be cut.
      const env = r.env(p, { SUPABASE_URL: proxy.url });
      assert.equal((await runCliToEnd(['login', '--email', r.user.email], env)).code, 0);
      assert.equal((await runCliToEnd(['hooks', 'install', '--agent', 'claude'], env)).code, 0);
      const { argv, env: agentEnv } = agentCommand('claude', p, url, 'CUT-MARK go', ['--allowedTools', 'Bash']);
      const agent = spawn(argv[0]!, argv.slice(1), { cwd: p.workspace, env: { PATH: process.env.PATH, HOME: p.home, ...agentEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      agent.stdout.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => agent.once('exit', resolve));
      const commands = async () => {
        const [s] = await sessionsOf(r.user.id);
        return s ? terminalText(await eventsOf(s.id)) : '';
      };
      await until('the first command is stored', async () => (await commands()).includes('before-the-cut'), 90_000).catch((error: Error) => assert.fail(`${error.message}\ncollector log:\n${collectorLog(p)}`));
      proxy.cut();
      server.release('cut');
      assert.equal(await exited, 0, output.slice(-2000));
      assert.match(output, /Cut run done\./, 'the agent finished its work');
      assert.equal((await commands()).includes('during-the-cut'), false, 'nothing reached the stack while it was cut off');
      proxy.restore();
      await until('what it did while the stack was cut off arrives, and the session completes', async () => {
        const [s] = await sessionsOf(r.user.id);
        return s?.state === 'completed' && (await commands()).includes('during-the-cut');
      }, 90_000).catch((error: Error) => assert.fail(`${error.message}\ncollector log:\n${collectorLog(p)}`));
      const pidFile = path.join(p.home, '.config/session-stream/hooks/collector.pid');
      if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    } finally {
      await server.close();
      await proxy.close();
    }
  });
});

/** The files `hooks install` writes for an agent (user scope). */
function settingsFiles(name: AgentName, p: Place): string[] {
  if (name === 'claude') return [path.join(p.home, '.claude/settings.json')];
  if (name === 'codex') return [path.join(p.home, '.codex/hooks.json'), path.join(p.home, '.codex/config.toml')];
  return [path.join(p.home, '.gemini/settings.json')];
}

function collectorLog(p: Place): string {
  const file = path.join(p.home, '.config/session-stream/hooks/collector.log');
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-3000) : '(none)';
}
