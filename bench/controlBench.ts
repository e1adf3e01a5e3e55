// `npm run bench -- control`: steering, end to end through the stack. Each round starts
// `session-stream run` of the stand-in agent (test/support/steerableAgent.mjs), a viewer (a
// SessionEventStream, as VS Code holds one) watches the session, and a stop is sent as the user:
// command insert → the agent got SIGINT (it writes the time it got it), and command insert → the
// viewer has the session's `cancelled` state change. Baseline, same run and viewer: an event
// emitted by the user → that viewer (one trip through Realtime, what any event costs).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sendCommand } from '../src/core/commands';
import { SessionEventStream } from '../src/core/sessionEventStream';
import { createSupabaseClient } from '../src/core/supabaseClient';
import { SessionLifecycleManager } from '../src/worker/sessionLifecycleManager';
import { runCli } from '../test/support/cli';
import { benchUser, type BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { sleep, summarize } from './support/stats';

const AGENT = path.resolve(__dirname, '../test/support/steerableAgent.mjs');

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

export async function controlBench(options: BenchOptions): Promise<SuiteReport> {
  const report = new SuiteReport('control');
  const { env } = options.stack;
  const { email, password, accessToken } = await benchUser(options.stack, 'control');
  const token = accessToken;
  const user = createSupabaseClient(env.API_URL, env.ANON_KEY, { accessToken: () => Promise.resolve(token) });
  const userEnv = { SUPABASE_URL: env.API_URL, SUPABASE_ANON_KEY: env.ANON_KEY, SESSION_STREAM_EMAIL: email, SESSION_STREAM_PASSWORD: password };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-control-'));
  const rounds = options.quick ? 3 : 10;
  const signalled: number[] = [];
  const shown: number[] = [];
  const baseline: number[] = [];
  const manager = new SessionLifecycleManager(user);
  try {
    for (let round = 0; round < rounds; round++) {
      const signalFile = path.join(dir, `signal-${round}`);
      const run = runCli(['run', '--quiet', '--format', 'claude', '--', process.execPath, AGENT, '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', 'work 100000'], { ...userEnv, STANDIN_SIGNAL_FILE: signalFile, STANDIN_TICK_MS: '500' });
      const session = (await run.waitForLine(/^SESSION_ID=/, 30_000)).slice('SESSION_ID='.length);
      const viewer = new SessionEventStream({ client: user, sessionId: session, watchdogMs: 0 });
      const arrivals = new Map<string, number>();
      let cancelledAt: number | undefined;
      viewer.onDidReceive((batch) => {
        for (const e of batch.entries) {
          if (e.kind !== 'event') continue;
          arrivals.set(e.event.id, Date.now());
          if (e.event.type === 'state_changed' && e.event.data.to === 'cancelled') cancelledAt ??= Date.now();
        }
      });
      viewer.open();
      await waitFor('the viewer joined', () => (viewer.state.state === 'joined' ? true : undefined));
      await waitFor('the session runs', () => (viewer.log.entries().some((e) => e.kind === 'event' && e.event.type === 'state_changed') ? true : undefined));
      // The runner listens before the agent's first line is stored; give its join a moment.
      await sleep(300);
      for (let i = 0; i < 5; i++) {
        const sent = Date.now();
        const outcome = await manager.emitEvent(session, 'thinking', { iteration: i, toolsUsed: [], kind: 'note', text: `baseline ${i}` });
        if (outcome.status !== 'stored') throw new Error(`baseline emit: ${outcome.status}`);
        const at = await waitFor('the baseline event', () => arrivals.get(outcome.event.id));
        baseline.push(at - sent);
      }
      const sentAt = Date.now();
      await sendCommand(user, session, 'stop');
      await waitFor('the agent got its signal', () => (existsSync(signalFile) ? true : undefined));
      signalled.push(Number(readFileSync(signalFile, 'utf8')) - sentAt);
      const at = await waitFor('cancelled shown', () => cancelledAt);
      shown.push(at - sentAt);
      await run.exited;
      await viewer.close();
      viewer.dispose();
    }
    const s = summarize(signalled);
    const c = summarize(shown);
    const b = summarize(baseline);
    report.add('stop→agent signalled p50', s.p50, 'ms', `the stop's insert → SIGINT in the agent (via the runner's channel, its claim, the signal); ${s.n} rounds`);
    report.add('stop→agent signalled max', s.max, 'ms');
    report.add('stop→cancelled shown p50', c.p50, 'ms', 'the stop\'s insert → a viewer has the session\'s cancelled state change (the agent exits, run stores the rest, then ends the session)');
    report.add('stop→cancelled shown max', c.max, 'ms');
    report.add('emit→viewer p50', b.p50, 'ms', `baseline: an event stored by the user → the same viewer; ${b.n} events`);
    report.add('stop→signalled/emit→viewer p50 ratio', s.p50 / b.p50, '', 'a command\'s way to the agent, in trips of an event to a viewer');
  } finally {
    manager.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  return report;
}
