// `npm run bench -- agents`: the bridges end to end. (1) `session-stream import` of a large Claude
// Code transcript (≥ 50,000 lines, made from a recorded one with its ids renumbered) into the
// stack as a user, against the mapping alone in this process (the baseline: what the bridge
// costs before anything is stored). (2) A stand-in agent under `session-stream run` writes lines
// that carry their own write time; `session-stream tail --json` (another process) receives them:
// line → tail latency, against events emitted straight through SessionLifecycleManager to the
// same kind of tail in the same run (the baseline). (3) The real agent CLIs (the agents tier's
// pinned versions) on a scripted 20-tool-call run: the wall time through `session-stream run`
// against the same run of the agent alone, in alternating rounds (`agents real <agent> run
// overhead`, target ≤ 1.05).
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMapper } from '../src/bridges';
import { createSupabaseClient } from '../src/core/supabaseClient';
import { SessionLifecycleManager } from '../src/worker/sessionLifecycleManager';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { ensureAgents, type AgentName } from '../scripts/agents';
import { agentCommand } from '../test/agents/support';
import { runCli, type CliProcess } from '../test/support/cli';
import { ModelServer, type Turn } from '../test/support/modelServer';
import { benchUser, type BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { now, sleep, summarize } from './support/stats';

const FIXTURE = path.resolve(__dirname, '../test/fixtures/agents/claude-transcript/full-session-four.jsonl');

/** A long transcript: the recorded one again and again, its message and tool ids made unique per copy. */
function bigTranscript(minLines: number): string[] {
  const source = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
  const out: string[] = [];
  for (let copy = 0; out.length < minLines; copy++) out.push(...source.map((l) => l.replace(/"(toolu_|msg_|req_)([A-Za-z0-9]+)"/g, `"$1$2c${copy}"`)));
  return out;
}

/** Reads `tail --json` and records now − the time written into each probe's text. */
function probeLatencies(tail: CliProcess, into: number[]): void {
  tail.child.stdout.on('data', () => {
    while (tail.lines.length > 0) {
      const line = tail.lines.shift()!;
      const m = /probe \d+ (\d+)/.exec(line);
      if (m) into.push(Date.now() - Number(m[1]));
    }
  });
}

export async function agentsBench(options: BenchOptions): Promise<SuiteReport> {
  const report = new SuiteReport('agents');
  const { env } = options.stack;
  const { email, password, accessToken, userId } = await benchUser(options.stack, 'agents');
  const userEnv = { SUPABASE_URL: env.API_URL, SUPABASE_ANON_KEY: env.ANON_KEY, SESSION_STREAM_EMAIL: email, SESSION_STREAM_PASSWORD: password };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-agents-'));
  try {
    // (1) import throughput.
    const lines = bigTranscript(options.quick ? 10_000 : 50_000);
    const file = path.join(dir, 'transcript.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    let t = now();
    const mapper = createMapper('claude-transcript');
    let mapped = 0;
    for (const line of lines) mapped += mapper.line(line).length;
    const parseRate = lines.length / ((now() - t) / 1000);
    t = now();
    const imported = runCli(['import', '--quiet', file], userEnv);
    const code = await imported.exited;
    const importSeconds = (now() - t) / 1000;
    if (code !== 0) throw new Error(`import exited with ${code}: ${imported.stderr()}`);
    report.add('import lines/s', lines.length / importSeconds, 'lines/s', `${lines.length.toLocaleString()} transcript lines → ${mapped.toLocaleString()} events stored in ${importSeconds.toFixed(1)} s (the CLI: start, sign-in, every event stored)`);
    report.add('mapping alone lines/s', parseRate, 'lines/s', 'baseline: the same lines through the bridge in this process, nothing stored');
    report.add('import/mapping ratio', lines.length / importSeconds / parseRate, '', 'what storing costs on top of reading');

    // (2) line → tail latency, and the baseline emit → tail.
    const count = options.quick ? 100 : 400;
    const rate = 20;
    const user = createSupabaseClient(env.API_URL, env.ANON_KEY, { accessToken: () => Promise.resolve(accessToken) });
    const manager = new SessionLifecycleManager(user);
    const base = (await manager.createSession(userId, 'bench: emit → tail', { source: 'other' })).id;
    const baseline: number[] = [];
    const tailBase = runCli(['tail', '--session', base, '--json'], userEnv);
    await tailBase.waitForLine(/"state":"joined"/, 30_000);
    probeLatencies(tailBase, baseline);
    await manager.transition(base, 'running', 'bench');
    const start = Date.now();
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      void manager.emitEvent(base, 'thinking', { iteration: i, toolsUsed: [], text: `probe ${i} ${Date.now()}`, kind: 'prompt' });
    }
    await manager.flush(30_000);
    await sleep(1000);
    tailBase.child.kill('SIGINT');

    const go = path.join(dir, 'go');
    const run = runCli(['run', '--quiet', '--format', 'gemini', '--', process.execPath, path.resolve(__dirname, 'support/probeAgent.mjs')], { ...userEnv, PROBE_COUNT: String(count), PROBE_RATE: String(rate), PROBE_GO: go });
    const session = (await run.waitForLine(/^SESSION_ID=/, 30_000)).slice('SESSION_ID='.length);
    const latencies: number[] = [];
    const tail = runCli(['tail', '--session', session, '--json', '--exit-when-done'], userEnv);
    await tail.waitForLine(/"state":"joined"/, 30_000);
    probeLatencies(tail, latencies);
    writeFileSync(go, '');
    await run.exited;
    await Promise.race([tail.exited, sleep(20_000)]);
    tail.child.kill('SIGINT');
    const l = summarize(latencies);
    const b = summarize(baseline);
    report.add('line→tail p50', l.p50, 'ms', `a line written by a stand-in agent under \`run\` (${rate}/s) → the event in \`tail --json\`; ${l.n}/${count} received`);
    report.add('line→tail p99', l.p99, 'ms');
    report.add('emit→tail p50', b.p50, 'ms', `baseline: SessionLifecycleManager.emitEvent → the same kind of tail; ${b.n}/${count} received`);
    report.add('line→tail/emit→tail p50 ratio', l.p50 / b.p50, '', 'what the agent → run → bridge path adds');
    manager.dispose();

    // (3) the real CLIs: through `run` vs alone.
    const installed = ensureAgents();
    const rounds = options.quick ? 2 : 5;
    for (const agent of ['claude', 'codex', 'gemini'] as const) {
      const tool = (i: number): Turn => ({ tools: [agent === 'claude' ? { name: 'Bash', input: { command: `echo step ${i}`, description: `step ${i}` } } : agent === 'codex' ? { name: 'exec_command', input: { cmd: `echo step ${i}` } } : { name: 'run_shell_command', input: { command: `echo step ${i}`, description: `step ${i}` } }] });
      const server = new ModelServer([{ match: 'BENCH-MARK', turns: [...Array.from({ length: 20 }, (_, i) => tool(i + 1)), { text: 'Twenty steps done.' }] }], agent === 'codex' ? 'gpt-5.5' : undefined);
      const url = await server.start();
      const timeOne = async (through: boolean): Promise<number> => {
        const round = path.join(dir, `${agent}-${randomUUID()}`);
        const p = { home: path.join(round, 'home'), workspace: path.join(round, 'workspace') };
        mkdirSync(p.home, { recursive: true });
        mkdirSync(p.workspace, { recursive: true });
        const { argv, env: agentEnv } = agentCommand(agent as AgentName, p, url, 'BENCH-MARK twenty steps', agent === 'claude' ? ['--allowedTools', 'Bash'] : []);
        const t0 = now();
        if (through) {
          const r = runCli(['run', '--quiet', '--', ...argv], { ...userEnv, ...agentEnv, HOME: p.home }, '', p.workspace);
          const code = await r.exited;
          if (code !== 0) throw new Error(`${agent} under run exited ${code}: ${r.stderr().slice(-500)}`);
        } else {
          const child = spawn(argv[0]!, argv.slice(1), { cwd: p.workspace, env: { ...process.env, ...agentEnv, HOME: p.home }, stdio: ['ignore', 'ignore', 'ignore'] });
          const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
          if (code !== 0) throw new Error(`${agent} alone exited ${code}`);
        }
        return now() - t0;
      };
      const times = { alone: [] as number[], through: [] as number[] };
      await timeOne(false); // warm the binary and the disk cache
      for (let i = 0; i < rounds; i++) {
        for (const through of i % 2 ? [true, false] : [false, true]) times[through ? 'through' : 'alone'].push(await timeOne(through));
      }
      await server.close();
      const a = summarize(times.alone);
      const t2 = summarize(times.through);
      report.add(`real ${agent} run`, t2.p50, 'ms', `${installed[agent].pkg} ${installed[agent].version}, a scripted 20-tool-call run through \`session-stream run\` (median of ${rounds})`);
      report.add(`real ${agent} bare`, a.p50, 'ms', 'baseline: the same run of the agent alone');
      report.add(`real ${agent} run overhead`, t2.p50 / a.p50, '', 'target ≤ 1.05');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return report;
}
