// `npm run bench -- hooks`: what our hooks cost in the agent's path. (1) One hook call as an agent
// makes it (`sh -c '<our hook command>'`, a PreToolUse event on stdin), with the collector running
// and signed in to the stack, against the cheapest hook there is (`sh -c 'cat >/dev/null'`) in the
// same run: `hooks per call p50` (target ≤ 15 ms). (2) The real Claude Code on a scripted
// 20-tool-call `-p` run with our hooks installed against the same run without them, in
// alternating rounds: `hooks run overhead claude` (target ≤ 1.05); and the floors in the same rounds:
// our hooks not signed in (the hook calls alone), the same events as empty command hooks and as
// HTTP hooks to a local server that answers at once (what Claude Code spends on any hook).
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureAgents } from '../scripts/agents';
import { agentOf } from '../src/bridges';
import { hookCommand } from '../src/worker/hooks/install';
import { agentCommand } from '../test/agents/support';
import { runCliToEnd } from '../test/support/cli';
import { ModelServer, type Turn } from '../test/support/modelServer';
import { benchUser, type BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { now, sleep, summarize } from './support/stats';

/** The wall time of one hook call, as an agent makes it (a shell, the event on stdin). */
function callOnce(command: string, input: string): Promise<number> {
  const t0 = now();
  const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', () => resolve(now() - t0)));
}

export async function hooksBench(options: BenchOptions): Promise<SuiteReport> {
  const report = new SuiteReport('hooks');
  const { env } = options.stack;
  const { email, password } = await benchUser(options.stack, 'hooks');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-hooks-'));
  const collectorPid = (home: string) => {
    const file = path.join(home, '.config/session-stream/hooks/collector.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0;
  };
  const homes: string[] = [];
  /** A HOME with our hooks installed for Claude Code; signed in unless `store` is false (then the collector stores nothing). */
  const hookedHome = async (store = true): Promise<string> => {
    const home = path.join(dir, randomUUID());
    mkdirSync(home, { recursive: true });
    homes.push(home);
    const userEnv = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), SUPABASE_URL: env.API_URL, SUPABASE_ANON_KEY: env.ANON_KEY, SESSION_STREAM_PASSWORD: password };
    for (const args of [...(store ? [['login', '--email', email]] : []), ['hooks', 'install', '--agent', 'claude']]) {
      const r = await runCliToEnd(args, userEnv);
      if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    }
    return home;
  };
  try {
    // (1) one call.
    const home = await hookedHome();
    const hooksDir = path.join(home, '.config/session-stream/hooks');
    const command = hookCommand(hooksDir, 'claude', 'PreToolUse');
    const event = (i: number) => JSON.stringify({ session_id: `bench-${i % 4}`, transcript_path: path.join(home, '.claude/projects/x/bench.jsonl'), cwd: dir, hook_event_name: 'PreToolUse', permission_mode: 'default', tool_name: 'Bash', tool_input: { command: `echo step ${i}`, description: 'a step' }, tool_use_id: `toolu_${i}` });
    await callOnce(command, event(0));
    for (let waited = 0; !collectorPid(home) && waited < 30_000; waited += 100) await sleep(100);
    if (!collectorPid(home)) throw new Error('the collector did not start');
    const count = options.quick ? 100 : 400;
    const ours: number[] = [];
    const empty: number[] = [];
    for (let i = 1; i <= count; i++) {
      // Alternating, so both see the same machine.
      if (i % 2) {
        ours.push(await callOnce(command, event(i)));
        empty.push(await callOnce('cat >/dev/null', event(i)));
      } else {
        empty.push(await callOnce('cat >/dev/null', event(i)));
        ours.push(await callOnce(command, event(i)));
      }
    }
    const o = summarize(ours);
    const e = summarize(empty);
    report.add('per call p50', o.p50, 'ms', `our hook as Claude Code runs it (sh -c, a PreToolUse event on stdin), the collector running; ${count} calls; target ≤ 15 ms`);
    report.add('per call p95', o.p95, 'ms');
    report.add('empty hook per call p50', e.p50, 'ms', "baseline: the cheapest command hook (sh -c 'cat >/dev/null') in the same run");
    report.add('per call / empty hook p50 ratio', o.p50 / e.p50, '', 'what our hook costs over any hook at all');

    // (2) a real run with and without our hooks.
    const installed = ensureAgents();
    const rounds = options.quick ? 2 : 5;
    const tool = (i: number): Turn => ({ tools: [{ name: 'Bash', input: { command: `echo step ${i}`, description: `step ${i}` } }] });
    const server = new ModelServer([{ match: 'HOOKS-BENCH', turns: [...Array.from({ length: 20 }, (_, i) => tool(i + 1)), { text: 'Twenty steps done.' }] }]);
    const url = await server.start();
    let hookServer: http.Server | undefined;
    try {
      // The floor of any hook type: the same events as HTTP hooks to a local server that answers at once.
      hookServer = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      });
      await new Promise<void>((resolve) => hookServer!.listen(0, '127.0.0.1', resolve));
      const hookUrl = `http://127.0.0.1:${(hookServer!.address() as AddressInfo).port}/hook`;
      type Kind = 'bare' | 'hooked' | 'hooksOnly' | 'emptyHooks' | 'httpHooks';
      const timeOne = async (kind: Kind): Promise<number> => {
        const hooked = kind === 'hooked' || kind === 'hooksOnly';
        const h = hooked ? await hookedHome(kind === 'hooked') : path.join(dir, randomUUID());
        if (kind === 'emptyHooks' || kind === 'httpHooks') {
          // The floor for any command hook: the same events, each running the cheapest command there
          // is; and for any hook at all: each an HTTP hook answered at once.
          const hook = kind === 'emptyHooks' ? { type: 'command', command: 'cat >/dev/null', timeout: 15 } : { type: 'http', url: hookUrl, timeout: 15 };
          const events = agentOf('claude').hooks!.events;
          mkdirSync(path.join(h, '.claude'), { recursive: true });
          writeFileSync(path.join(h, '.claude/settings.json'), JSON.stringify({ hooks: Object.fromEntries(events.map((e) => [e.name, [{ ...(e.matcher ? { matcher: e.matcher } : {}), hooks: [hook] }]])) }));
        }
        const workspace = path.join(h, 'workspace');
        mkdirSync(workspace, { recursive: true });
        const { argv, env: agentEnv } = agentCommand('claude', { home: h, workspace }, url, 'HOOKS-BENCH twenty steps', ['--allowedTools', 'Bash']);
        // The collector of a hooked HOME is already up (started by a first call), as on a machine in use.
        if (hooked) {
          await callOnce(hookCommand(path.join(h, '.config/session-stream/hooks'), 'claude', 'Notification'), '{}');
          for (let waited = 0; !collectorPid(h) && waited < 30_000; waited += 100) await sleep(100);
        }
        const t0 = now();
        // Not spawnSync: the scripted model answers from this process.
        const child = spawn(argv[0]!, argv.slice(1), { cwd: workspace, env: { PATH: process.env.PATH, HOME: h, ...agentEnv }, stdio: 'ignore' });
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        if (code !== 0) throw new Error(`claude exited ${code}`);
        return now() - t0;
      };
      await timeOne('bare'); // warm the binary and the disk cache
      const times: Record<Kind, number[]> = { bare: [], hooked: [], hooksOnly: [], emptyHooks: [], httpHooks: [] };
      // Each round in another order (rotated), so no kind always runs first or after the same one.
      const kinds: Kind[] = ['bare', 'hooked', 'hooksOnly', 'emptyHooks', 'httpHooks'];
      for (let i = 0; i < rounds; i++) for (const kind of [...kinds.slice(i % kinds.length), ...kinds.slice(0, i % kinds.length)]) times[kind].push(await timeOne(kind));
      const b = summarize(times.bare);
      const h = summarize(times.hooked);
      report.add('real claude hooked', h.p50, 'ms', `${installed.claude.pkg} ${installed.claude.version}, a scripted 20-tool-call -p run with our hooks installed (median of ${rounds})`);
      report.add('real claude bare', b.p50, 'ms', 'baseline: the same run without hooks');
      report.add('run overhead claude', h.p50 / b.p50, '', 'target ≤ 1.05');
      const only = summarize(times.hooksOnly);
      report.add('real claude hooks only', only.p50, 'ms', 'the same run with our hooks but no sign-in: the hook calls alone, nothing stored by the collector');
      report.add('run overhead claude, hook calls alone', only.p50 / b.p50, '', 'the part of the overhead that is the hooks themselves; the rest is storing the session on this same machine (the collector and the local stack)');
      const empty = summarize(times.emptyHooks);
      report.add('real claude empty hooks', empty.p50, 'ms', "the same run with the same hook events, each running only 'cat >/dev/null': what any command hook costs in Claude Code");
      report.add('run overhead claude, empty hooks', empty.p50 / b.p50, '', 'the floor for command hooks of these events');
      const viaHttp = summarize(times.httpHooks);
      report.add('real claude http hooks', viaHttp.p50, 'ms', 'the same run with the same hook events as HTTP hooks to a local server that answers at once: what Claude Code spends on a hook of any type');
      report.add('run overhead claude, http hooks', viaHttp.p50 / b.p50, '', 'the floor for hooks of these events of any type');
    } finally {
      await server.close();
      hookServer?.close();
    }
  } finally {
    for (const h of homes) {
      const pid = collectorPid(h);
      if (pid) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
    // A collector told to stop may still write its log for a moment.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
  return report;
}
