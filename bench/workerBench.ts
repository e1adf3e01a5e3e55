// `npm run bench -- worker`: SessionLifecycleManager.emitEvent against a bare supabase-js insert of
// the same row, in the same run, through the same stack: sequential latency and pipelined
// throughput, with the ratio ours/bare (target ≤ 1.1); and what a user's write budget costs (the
// same emits as a signed-in user with the budget's trigger on and off, in alternating blocks).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createSupabaseClient } from '../src/core/supabaseClient';
import { SessionLifecycleManager } from '../src/worker/sessionLifecycleManager';
import type { BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { now, summarize } from './support/stats';

export async function workerBench(options: BenchOptions): Promise<SuiteReport> {
  const report = new SuiteReport('worker');
  const { env } = options.stack;
  const service = createSupabaseClient(env.API_URL, env.SERVICE_ROLE_KEY);
  const signUp = await createSupabaseClient(env.API_URL, env.ANON_KEY).auth.signUp({ email: `bench-worker-${randomUUID()}@example.test`, password: 'correct horse battery' });
  if (signUp.error || !signUp.data.user) throw new Error(`sign-up failed: ${signUp.error?.message}`);
  const manager = new SessionLifecycleManager(service);
  const session = (await manager.createSession(signUp.data.user.id, 'bench worker')).id;
  const data = (i: number) => ({ iteration: i, toolsUsed: ['bash', 'read_file'] });
  const bare = async (i: number) => {
    const { error } = await service.from('session_events').insert({ session_id: session, event_type: 'thinking', event_data: data(i) }).select();
    if (error) throw new Error(error.message);
  };
  const ours = async (i: number) => {
    const outcome = await manager.emitEvent(session, 'thinking', data(i));
    if (outcome.status !== 'stored' && outcome.status !== 'queued') throw new Error(JSON.stringify(outcome));
  };
  const n = options.quick ? 300 : 2000;
  for (let i = 0; i < 50; i++) {
    await bare(i);
    await ours(i);
  }

  // Sequential, interleaved in rounds so drift (other load, autovacuum) hits both alike.
  const lat = { bare: [] as number[], ours: [] as number[] };
  for (let i = 0; i < n; i++) {
    for (const [name, fn] of i % 2 ? ([['bare', bare], ['ours', ours]] as const) : ([['ours', ours], ['bare', bare]] as const)) {
      const t = now();
      await fn(i);
      lat[name].push(now() - t);
    }
  }
  const b = summarize(lat.bare);
  const o = summarize(lat.ours);
  report.add('emit latency p50', o.p50, 'ms', 'sequential emitEvent (validate + idempotent insert + read back)');
  report.add('emit latency p99', o.p99, 'ms');
  report.add('bare insert latency p50', b.p50, 'ms', 'supabase-js insert().select() of the same row');
  report.add('bare insert latency p99', b.p99, 'ms');
  report.add('ours/bare p50 ratio', o.p50 / b.p50, '', 'target ≤ 1.1');

  // Pipelined: fire n without waiting. Ours keeps per-session order (one insert at a time per
  // session); bare inserts run concurrently and may commit out of order.
  const pipelined = async (fn: (i: number) => Promise<void>) => {
    const t = now();
    await Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
    await manager.flush(120_000); // emitEvent answers `queued` for events behind others: count until stored
    return n / ((now() - t) / 1000);
  };
  const tb = await pipelined(bare);
  const to = await pipelined(ours);
  report.add('emit throughput pipelined', to, 'events/s', 'one session, in order, until all stored');
  report.add('bare insert throughput pipelined', tb, 'events/s', 'concurrent, no order guarantee');
  report.add('ours/bare throughput ratio', to / tb, '');

  // The write budget (a statement trigger per insert) as the user pays it.
  const user = createSupabaseClient(env.API_URL, env.ANON_KEY, { accessToken: () => Promise.resolve(signUp.data.session!.access_token) });
  const userManager = new SessionLifecycleManager(user);
  const userSession = (await user.from('coding_sessions').insert({ user_id: signUp.data.user.id, title: 'bench budget' }).select('id').single()).data as { id: string };
  await user.from('coding_sessions').update({ state: 'running' }).eq('id', userSession.id);
  const admin = new pg.Client({ connectionString: env.DB_URL });
  await admin.connect();
  const budgetLat = { on: [] as number[], off: [] as number[] };
  const block = Math.max(20, Math.floor(n / 16));
  try {
    for (let round = 0; round < 8; round++) {
      const on = round % 2 === 0;
      await admin.query(`alter table public.session_events ${on ? 'enable' : 'disable'} trigger session_events_write_budget`);
      for (let i = 0; i < block; i++) {
        const t = now();
        const outcome = await userManager.emitEvent(userSession.id, 'thinking', data(i));
        if (outcome.status !== 'stored') throw new Error(JSON.stringify(outcome));
        budgetLat[on ? 'on' : 'off'].push(now() - t);
      }
    }
  } finally {
    await admin.query('alter table public.session_events enable trigger session_events_write_budget');
    await admin.end();
    userManager.dispose();
  }
  const bOn = summarize(budgetLat.on);
  const bOff = summarize(budgetLat.off);
  report.add('user emit latency p50', bOn.p50, 'ms', "as the signed-in user (RLS, and the write budget's trigger)");
  report.add('user emit latency p50 without budget', bOff.p50, 'ms', 'the same with the trigger disabled');
  report.add('budget cost p50 ratio', bOn.p50 / bOff.p50, '', 'with / without the write budget');
  return report;
}
