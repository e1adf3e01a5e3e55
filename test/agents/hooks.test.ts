// The real Claude Code, Codex CLI and Gemini CLI started the ordinary way (no `run`, no `watch`),
// with our hooks installed into their own settings in a temporary HOME by `session-stream hooks
// install`: each session streams live as the user's (while the agent is still mid-turn), with its
// commands and final message, linked to the agent's own session id, and ends with the agent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentName } from '../../scripts/agents';
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

function collectorLog(p: Place): string {
  const file = path.join(p.home, '.config/session-stream/hooks/collector.log');
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-3000) : '(none)';
}
