// `npm run bench -- stream`: emit → callback latency for our SessionEventStream, a bare supabase-js
// subscription and the naive RealtimeService, all watching the same session in the same run
// (ratio ours/bare); then recovery through a fault proxy: time from the network's return until the
// backlog is fully delivered after 1 s and 30 s outages (5 s with --quick), and what each loses.
import { randomUUID } from 'node:crypto';
import { SessionEventStream } from '../src/core/sessionEventStream';
import { createSupabaseClient } from '../src/core/supabaseClient';
import { SessionLifecycleManager } from '../src/worker/sessionLifecycleManager';
import { FaultProxy } from '../test/support/faultProxy';
import { RealtimeService, subscribeNaive, useSupabase } from './baselines/naiveRealtimeService';
import type { BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { now, paced, sleep, summarize } from './support/stats';

/** The raw latencies of the last run, per rate, for the plot (bench/support/plot.ts). */
export const samples: Array<{ rate: number; ours: number[]; bare: number[]; naive: number[] }> = [];

export async function streamBench(options: BenchOptions): Promise<SuiteReport> {
  const report = new SuiteReport('stream');
  const { env } = options.stack;
  const anon = createSupabaseClient(env.API_URL, env.ANON_KEY);
  const email = `bench-stream-${randomUUID()}@example.test`;
  const signUp = await anon.auth.signUp({ email, password: 'correct horse battery' });
  if (signUp.error || !signUp.data.session) throw new Error(`sign-up failed: ${signUp.error?.message}`);
  const token = signUp.data.session.access_token;
  const userId = signUp.data.user!.id;
  const worker = new SessionLifecycleManager(createSupabaseClient(env.API_URL, env.SERVICE_ROLE_KEY));
  const viewer = (url: string) => createSupabaseClient(url, env.ANON_KEY, { accessToken: () => Promise.resolve(token), heartbeatIntervalMs: 2000, realtimeTimeoutMs: 3000 });

  // 1. Latency, three subscribers on one session, at 50, 200 and 1,000 events/s.
  for (const rate of options.quick ? [200] : [50, 200, 1000]) {
    const session = (await worker.createSession(userId, `bench stream latency ${rate}/s`)).id;
    const sent = new Map<number, number>();
    const lat = { ours: [] as number[], bare: [] as number[], naive: [] as number[] };
    const record = (k: keyof typeof lat, iteration: number) => {
      const t = sent.get(iteration);
      if (t !== undefined) lat[k].push(now() - t);
    };
    const ours = new SessionEventStream({ client: viewer(env.API_URL), sessionId: session, watchdogMs: 0 });
    ours.onDidReceive((b) => b.history || b.entries.forEach((e) => e.kind === 'event' && e.event.type === 'thinking' && record('ours', e.event.data.iteration)));
    ours.open();
    const bareClient = viewer(env.API_URL);
    await bareClient.realtime.setAuth(token);
    await new Promise<void>((resolve) =>
      bareClient
        .channel(`bare:${session}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'session_events', filter: `session_id=eq.${session}` }, (p) => record('bare', (p.new as { event_data: { iteration: number } }).event_data.iteration))
        .subscribe((s) => s === 'SUBSCRIBED' && resolve()),
    );
    const naiveClient = viewer(env.API_URL);
    await naiveClient.realtime.setAuth(token);
    useSupabase(naiveClient);
    const naive = new RealtimeService();
    subscribeNaive(naive, session, (e) => record('naive', (e.data as { iteration: number }).iteration));
    while (ours.state.state !== 'joined' || naive.getConnectionState() !== 'joined') await sleep(20);
    const n = Math.min(rate * (options.quick ? 5 : 15), 15_000);
    // paced() does not wait for one emit before the next (a worker at 1,000/s pipelines).
    await paced(rate, n, (i) => {
      sent.set(i, now());
      return worker.emitEvent(session, 'thinking', { iteration: i });
    });
    await worker.flush(30_000);
    const end = now() + 15_000;
    while ((lat.ours.length < n || lat.bare.length < n || lat.naive.length < n) && now() < end) await sleep(20);
    const at = `${rate}/s`;
    for (const [who, label] of [['ours', 'ours'], ['bare', 'bare supabase-js'], ['naive', 'naive RealtimeService']] as const) {
      const x = summarize(lat[who]);
      report.add(`${who} ${at} p50`, x.p50, 'ms', `emit → ${label} callback, ${lat[who].length}/${n} received`);
      report.add(`${who} ${at} p95`, x.p95, 'ms');
      report.add(`${who} ${at} p99`, x.p99, 'ms');
      report.add(`${who} ${at} max`, x.max, 'ms');
    }
    const o = summarize(lat.ours);
    const b = summarize(lat.bare);
    report.add(`ours/bare ${at} p50 ratio`, o.p50 / b.p50, '', 'target ≤ 1.1');
    report.add(`ours/bare ${at} p99 ratio`, o.p99 / b.p99, '');
    samples.push({ rate, ...lat });
    await ours.close();
    naive.unsubscribe();
    await bareClient.removeAllChannels();
  }

  // 2. Recovery through outages, 50 events/s throughout.
  const proxy = new FaultProxy(Number(new URL(env.API_URL).port));
  await proxy.start();
  try {
    for (const outage of options.quick ? [1, 5] : [1, 10, 30]) {
      const session = (await worker.createSession(userId, `bench outage ${outage}s`)).id;
      const ours = new SessionEventStream({ client: viewer(proxy.url), sessionId: session, watchdogMs: 0 });
      const got = new Map<number, number>(); // iteration → when it arrived
      ours.onDidReceive((b) => b.entries.forEach((e) => e.kind === 'event' && e.event.type === 'thinking' && !got.has(e.event.data.iteration) && got.set(e.event.data.iteration, now())));
      ours.open();
      const naiveClient = viewer(proxy.url);
      await naiveClient.realtime.setAuth(token);
      useSupabase(naiveClient);
      const naive = new RealtimeService();
      const naiveGot = new Set<number>();
      subscribeNaive(naive, session, (e) => naiveGot.add((e.data as { iteration: number }).iteration));
      while (ours.state.state !== 'joined') await sleep(20);
      let restoredAt = 0;
      const total = Math.round((outage + 4) * 50);
      let emitted = 0;
      const emitter = paced(50, total, async (i) => {
        await worker.emitEvent(session, 'thinking', { iteration: i });
        emitted = Math.max(emitted, i + 1);
      });
      await sleep(1000);
      proxy.cut();
      await sleep(outage * 1000);
      proxy.restore();
      restoredAt = now();
      const backlog = emitted;
      await emitter;
      await worker.flush(30_000);
      const deadline = now() + 60_000;
      while (got.size < total && now() < deadline) await sleep(20);
      const backlogAt = Math.max(...Array.from({ length: backlog }, (_, i) => got.get(i) ?? Number.POSITIVE_INFINITY));
      report.add(`recovery after ${outage} s outage`, backlogAt - restoredAt, 'ms', `network back → the ${backlog} events emitted before it all delivered (reconnect delay included)`);
      report.add(`lost after ${outage} s outage`, total - got.size, 'events', `of ${total}`);
      report.add(`naive lost after ${outage} s outage`, total - naiveGot.size, 'events', `of ${total}, the naive RealtimeService`);
      await ours.close();
      naive.unsubscribe();
    }
  } finally {
    await proxy.close();
  }
  return report;
}
