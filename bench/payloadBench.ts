// `npm run bench -- payload`: what big TERMINAL outputs cost, measured before deciding on a budget.
// For outputs of 1 KiB, 64 KiB and 200 KiB of realistic test-runner log (repetitive, with ANSI
// colour, different in every event) and 64 KiB of incompressible text: the size PostgreSQL stores (TOAST compresses jsonb
// values over ≈ 2 KiB), emit → callback latency, and the bytes a viewer downloads per event over
// Realtime — with the local gateway's permessage-deflate off (its default) and on. Its own in-process
// stacks (one per compression setting); local addresses only; bounded.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { SessionEventStream } from '../src/core/sessionEventStream';
import { createSupabaseClient } from '../src/core/supabaseClient';
import { SessionLifecycleManager } from '../src/worker/sessionLifecycleManager';
import { startStack } from '@agent-session-stream/local-supabase';
import { FaultProxy } from '../test/support/faultProxy';
import type { BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { sleep, summarize } from './support/stats';

const LOG_LINE = (i: number) => `\u001b[32m  ✔\u001b[0m src/module-${i % 40}/feature.test.ts › handles case ${i} (${(i * 7) % 90} ms)\n`;

/** Test-runner output; `run` shifts the case numbers so no two events carry the same text. */
function logOutput(bytes: number, run: number): string {
  let out = '';
  for (let i = run * 1000; out.length < bytes; i++) out += LOG_LINE(i);
  return out.slice(0, bytes);
}

const KINDS: Array<[string, (run: number) => string]> = [
  ['log 1 KiB', (run) => logOutput(1024, run)],
  ['log 64 KiB', (run) => logOutput(64 * 1024, run)],
  ['log 200 KiB', (run) => logOutput(200 * 1024, run)],
  ['random 64 KiB', () => randomBytes(48 * 1024).toString('base64')],
];

export async function payloadBench(options: Pick<BenchOptions, 'quick'>): Promise<SuiteReport> {
  const report = new SuiteReport('payload');
  const perKind = options.quick ? 5 : 10;
  for (const compression of [false, true]) {
    const mode = compression ? 'deflate on' : 'deflate off';
    const stack = await startStack({ port: 0, logLevel: 'error', compression });
    const proxy = new FaultProxy(Number(new URL(stack.env.API_URL).port));
    await proxy.start();
    const worker = new SessionLifecycleManager(createSupabaseClient(stack.env.API_URL, stack.env.SERVICE_ROLE_KEY));
    try {
      const { data, error } = await createSupabaseClient(stack.env.API_URL, stack.env.ANON_KEY).auth.signUp({ email: `payload-${randomUUID()}@example.test`, password: 'correct horse battery' });
      if (error || !data.session || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
      const token = data.session.access_token;
      for (const [kind, make] of KINDS) {
        const session = (await worker.createSession(data.user.id, `payload ${kind}`)).id;
        const client = createSupabaseClient(proxy.url, stack.env.ANON_KEY, { accessToken: () => Promise.resolve(token) });
        const stream = new SessionEventStream({ client, sessionId: session, watchdogMs: 0 });
        const arrived = new Map<number, number>();
        stream.onDidReceive((b) => b.history || b.entries.forEach((e) => e.kind === 'event' && e.event.type === 'terminal' && arrived.set(Number(e.event.data.command.split(' ').at(-1)), performance.now())));
        stream.open();
        while (stream.state.state !== 'joined') await sleep(20);
        await sleep(200);
        const sent = new Map<number, number>();
        const bytesBefore = proxy.bytesToClients;
        for (let i = 0; i < perKind; i++) {
          const output = make(i);
          sent.set(i, performance.now());
          const r = await worker.emitEvent(session, 'terminal', { command: `npm test ${i}`, output, error: '', exitCode: 0 });
          if (r.status !== 'stored') throw new Error(`${kind}: not stored (${JSON.stringify(r).slice(0, 200)})`);
          await sleep(50);
        }
        const end = Date.now() + 20_000;
        while (arrived.size < perKind && Date.now() < end) await sleep(20);
        await sleep(300); // heartbeats are small; let the last frames land
        const latencies = [...sent].filter(([i]) => arrived.has(i)).map(([i, t]) => arrived.get(i)! - t);
        const wire = (proxy.bytesToClients - bytesBefore) / perKind;
        report.add(`${kind} ${mode} latency p50`, summarize(latencies).p50, 'ms', `emit → callback, ${arrived.size}/${perKind} received`);
        report.add(`${kind} ${mode} wire bytes per event`, wire / 1024, 'KiB', `${(Buffer.byteLength(JSON.stringify(make(0))) / 1024).toFixed(0)} KiB of output as JSON`);
        if (!compression) {
          const db = new pg.Client({ connectionString: stack.env.DB_URL });
          await db.connect();
          try {
            const { rows } = await db.query<{ stored: string; text: string }>('select avg(pg_column_size(event_data))::float8 as stored, avg(octet_length(event_data::text))::float8 as text from public.session_events where session_id = $1 and event_type = $2', [session, 'terminal']);
            const stored = Number(rows[0]!.stored);
            const text = Number(rows[0]!.text);
            report.add(`${kind} stored`, stored / 1024, 'KiB', `jsonb as PostgreSQL stores it (TOAST); ${(text / 1024).toFixed(1)} KiB as text`);
            report.add(`${kind} TOAST ratio`, text / Math.max(1, stored), '', 'text size / stored size');
          } finally {
            await db.end();
          }
        }
        await stream.close();
      }
    } finally {
      worker.dispose();
      await proxy.close();
      await stack.stop();
    }
  }
  return report;
}
