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
import { parseWaitingFor } from '../../src/shared/commands';
import { runCliToEnd } from '../support/cli';
import { query } from '../support/sql';
import { until } from '../support/wait';
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
      } finally {
        await server.close();
      }
    });
  });
}

describe(`hooks: Claude Code ${agents().claude.version} in a terminal (interactive), answered from a viewer`, function () {
  this.timeout(240_000);
  let r: Runner;
  let p: Place;
  after(() => {
    const pidFile = path.join(p.home, '.config/session-stream/hooks/collector.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
    if (pid) process.kill(pid, 'SIGTERM');
  });

  it('its permission request shows as waiting; approved from the viewer, the command runs; one answered in its terminal is withdrawn', async () => {
    r = await runner();
    p = place();
    const proof = path.join(p.workspace, 'proof.txt');
    const { server, url } = await model([
      {
        match: 'PTY-MARK',
        turns: [
          { tools: [{ name: 'Bash', input: { command: 'echo approved-from-the-viewer > proof.txt', description: 'Write the proof' } }], usage: { input: 500, output: 20 } },
          { tools: [{ name: 'Bash', input: { command: 'echo answered-in-the-terminal > terminal.txt', description: 'Write it' } }], usage: { input: 550, output: 20 } },
          { text: 'Interactive run done.', usage: { input: 600, output: 10 } },
        ],
      },
    ]);
    const kill: Array<() => void> = [];
    try {
      assert.equal((await runCliToEnd(['login', '--email', r.user.email], r.env(p))).code, 0);
      assert.equal((await runCliToEnd(['hooks', 'install', '--agent', 'claude', '--answer-timeout-ms', '120000'], r.env(p))).code, 0);
      // What a user has answered once on their machine: onboarding done, this key and this folder trusted.
      writeFileSync(path.join(p.home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, customApiKeyResponses: { approved: ['sk-scripted'.slice(-20)], rejected: [] }, projects: { [p.workspace]: { hasTrustDialogAccepted: true } } }));
      // The real terminal UI on a pseudo-terminal (script(1)), as in a terminal window.
      const line = `stty cols 120 rows 40; exec '${agents().claude.bin}' 'PTY-MARK go'`;
      const tty = spawn('script', ['-qfc', line, '/dev/null'], { cwd: p.workspace, env: { PATH: process.env.PATH, HOME: p.home, TERM: 'xterm-256color', ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-scripted' }, stdio: ['pipe', 'pipe', 'pipe'] });
      kill.push(() => tty.kill('SIGKILL'));
      let screen = '';
      tty.stdout.on('data', (d: Buffer) => (screen += d.toString()));
      // eslint-disable-next-line no-control-regex -- terminal escapes are what is taken out
      const plain = () => screen.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, ' ').replace(/\s+/g, ' ').slice(-2000);
      const waitingOn = async (command: string) => {
        await until(`waiting on ${command}`, async () => {
          const [s] = await sessionsOf(r.user.id);
          return s?.state === 'waiting' && parseWaitingFor((await query<{ waiting_for: unknown }>('select waiting_for from public.coding_sessions where id = $1', [s.id]))[0]!.waiting_for).some((q) => q.title.includes(command));
        }, 90_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}\ncollector log:\n${collectorLog(p)}`));
        const [s] = await sessionsOf(r.user.id);
        const [request] = parseWaitingFor((await query<{ waiting_for: unknown }>('select waiting_for from public.coding_sessions where id = $1', [s!.id]))[0]!.waiting_for);
        return { session: s!, request: request! };
      };
      const first = await waitingOn('approved-from-the-viewer');
      assert.equal(first.request.tool, 'Bash');
      const approve = await sendCommand(r.user.client, first.session.id, 'approve', { agentRequestId: first.request.id, inputHash: first.request.inputHash });
      await until('the approved command ran', () => existsSync(proof), 60_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}`));
      await until('the approval is recorded done', async () => (await query<{ outcome: string | null }>('select outcome from public.session_commands where id = $1', [approve.id]))[0]!.outcome === 'done');
      // The second request: answered Yes in the terminal (the dialog's default), not from the viewer.
      await waitingOn('answered-in-the-terminal');
      await until('the terminal shows its own dialog', () => /Do you want to proceed/.test(plain()), 30_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}`));
      tty.stdin.write('\r');
      await until('withdrawn as answered in the terminal', async () => {
        const [s] = await sessionsOf(r.user.id);
        return s?.state === 'running' && (await eventsOf(s.id)).some((e) => e.event_type === 'state_changed' && e.event_data.reason === "Answered in Claude Code's terminal");
      }, 60_000).catch((error: Error) => assert.fail(`${error.message}\nscreen: ${plain()}\ncollector log:\n${collectorLog(p)}`));
      await until('the command answered in the terminal ran', () => existsSync(path.join(p.workspace, 'terminal.txt')), 30_000);
      await until('its last message streams', async () => {
        const [s] = await sessionsOf(r.user.id);
        return (await eventsOf(s!.id)).some((e) => JSON.stringify(e.event_data).includes('Interactive run done.'));
      }, 60_000);
      // The user leaves it (/exit): the session ends with the agent.
      const ttyExited = new Promise((resolve) => tty.once('exit', resolve));
      tty.stdin.write('/exit');
      await until('typed', () => /\/exit/.test(plain()), 10_000).catch(() => undefined);
      tty.stdin.write('\r');
      await ttyExited;
      await until('completed once the agent is gone', async () => (await sessionsOf(r.user.id))[0]?.state === 'completed', 60_000).catch((error: Error) => assert.fail(`${error.message}\ncollector log:\n${collectorLog(p)}`));
    } finally {
      for (const k of kill) k();
      await server.close();
    }
  });
});

function collectorLog(p: Place): string {
  const file = path.join(p.home, '.config/session-stream/hooks/collector.log');
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-3000) : '(none)';
}
