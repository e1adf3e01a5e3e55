// `npm run bench -- stack`: the local stack's Realtime path, measured as users see it.
// - latency INSERT → unmodified supabase-js callback at 200 events/s, 1 and 50 subscribers;
// - the CDC floor in the same run: the same INSERTs seen by a raw pgoutput reader (no gateway);
// - 1,000 events/s to 10 subscribers, lost and duplicated counted;
// - the gateway's RSS before and after a soak (90 s; 10 s with --quick).
// The stack runs as `npm run stack` does, in its own process (support/benchStack.ts).
import { readFile } from 'node:fs/promises';
import type { SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { createSupabaseClient } from '../src/core/supabaseClient';
import { ChangeFeed, createLogger } from '@agent-session-stream/local-supabase';
import type { BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { cpuSeconds, now, paced, sleep, summarize } from './support/stats';

interface Env {
  API_URL: string;
  ANON_KEY: string;
  DB_URL: string;
}

interface PhaseResult {
  /** CPU use during the emitting, percent of one core: the gateway's and this process's. */
  gatewayCpu: number;
  benchCpu: number;
  latencies: number[];
  floor: number[];
  expected: number;
  lost: number;
  duplicated: number;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function userClient(env: Env): SupabaseClient {
  return createSupabaseClient(env.API_URL, env.ANON_KEY);
}

class Bench {
  private readonly floorListeners = new Map<string, (iteration: number) => void>();
  constructor(
    private readonly env: Env,
    private readonly pool: pg.Pool,
    private readonly userId: string,
    private readonly accessToken: string,
    private readonly gatewayPid: number,
    feed: ChangeFeed,
  ) {
    feed.on('transaction', (changes) => {
      for (const c of changes) {
        if (c.table !== 'session_events' || c.type !== 'INSERT' || !c.record) continue;
        const data = JSON.parse(c.record.event_data ?? '{}') as { iteration?: number };
        this.floorListeners.get(c.record.session_id ?? '')?.(data.iteration ?? -1);
      }
    });
  }

  /**
   * Emits `count` events at `rate` into a new session watched by `subscribers` supabase-js clients.
   * With `otherUsers`, the subscribers' binding is unfiltered (every row RLS-checked) while another
   * user's session gets as many inserts at the same rate: rows these subscribers may not see.
   */
  async phase(rate: number, count: number, subscribers: number, otherUsers?: string): Promise<PhaseResult> {
    const { rows } = await this.pool.query<{ id: string }>('insert into public.coding_sessions (user_id, title) values ($1, $2) returning id', [this.userId, `bench ${rate}/s x${subscribers}`]);
    const session = rows[0]!.id;
    const other = otherUsers ? (await this.pool.query<{ id: string }>('insert into public.coding_sessions (user_id, title) values ($1, $2) returning id', [otherUsers, 'other user'])).rows[0]!.id : undefined;
    const sent = new Map<number, number>();
    const latencies: number[] = [];
    const floor: number[] = [];
    const seen = Array.from({ length: subscribers }, () => new Set<number>());
    let duplicated = 0;
    let delivered = 0;
    this.floorListeners.set(session, (i) => {
      const t = sent.get(i);
      if (t !== undefined) floor.push(now() - t);
    });
    const clients = Array.from({ length: subscribers }, () => userClient(this.env));
    await Promise.all(
      clients.map(async (client, k) => {
        await client.realtime.setAuth(this.accessToken);
        await new Promise<void>((resolve, reject) => {
          client
            .channel(`session:${session}`)
            .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'session_events', ...(other ? {} : { filter: `session_id=eq.${session}` }) }, (payload) => {
              const at = now();
              if ((payload.new as { session_id: string }).session_id !== session) return;
              const i = (payload.new as { event_data: { iteration: number } }).event_data.iteration;
              if (seen[k]!.has(i)) duplicated++;
              else {
                seen[k]!.add(i);
                delivered++;
                latencies.push(at - sent.get(i)!);
              }
            })
            .subscribe((status, error) => {
              if (status === 'SUBSCRIBED') resolve();
              else if (status !== 'CLOSED') reject(new Error(`subscribe: ${status} ${error?.message ?? ''}`));
            });
        });
      }),
    );
    const cpu0 = { gateway: await cpuSeconds(this.gatewayPid), bench: process.cpuUsage(), at: now() };
    await paced(rate, count, async (i) => {
      sent.set(i, now());
      await Promise.all([
        this.pool.query("insert into public.session_events (session_id, event_type, event_data) values ($1, 'thinking', $2)", [session, { iteration: i, toolsUsed: [] }]),
        other ? this.pool.query("insert into public.session_events (session_id, event_type, event_data) values ($1, 'thinking', $2)", [other, { iteration: i, toolsUsed: [] }]) : undefined,
      ]);
    });
    const elapsed = (now() - cpu0.at) / 1000;
    const benchUsage = process.cpuUsage(cpu0.bench);
    const gatewayCpu = ((await cpuSeconds(this.gatewayPid)) - cpu0.gateway) / elapsed * 100;
    const benchCpu = (benchUsage.user + benchUsage.system) / 1e6 / elapsed * 100;
    const expected = count * subscribers;
    const deadline = now() + 10_000;
    while (delivered < expected && now() < deadline) await sleep(20);
    await sleep(200); // late duplicates, if any, would show here
    this.floorListeners.delete(session);
    await Promise.all(clients.map((c) => c.removeAllChannels()));
    return { gatewayCpu, benchCpu, latencies, floor, expected, lost: expected - delivered, duplicated };
  }
}

export async function stackBench(options: BenchOptions): Promise<SuiteReport> {
  const report = new SuiteReport('stack');
  const { env, pid } = options.stack;
  let feed: ChangeFeed | undefined;
  let pool: pg.Pool | undefined;
  try {
    const signUp = await userClient(env).auth.signUp({ email: `bench-${Date.now()}@example.test`, password: 'correct horse battery' });
    if (signUp.error || !signUp.data.session) throw new Error(`sign-up failed: ${signUp.error?.message}`);
    pool = new pg.Pool({ connectionString: env.DB_URL, max: 8 });
    feed = new ChangeFeed(env.DB_URL, createLogger('bench', 'silent'));
    await feed.start();
    const bench = new Bench(env, pool, signUp.data.user!.id, signUp.data.session.access_token, pid, feed);
    await bench.phase(200, 200, 1); // warm-up: JIT, catalog caches, connections
    const rssBefore = await rssMiB(pid);

    const seconds = options.quick ? 5 : 15;
    const one = await bench.phase(200, 200 * seconds, 1);
    const s1 = summarize(one.latencies);
    const f1 = summarize(one.floor);
    report.add('cdc floor p50', f1.p50, 'ms', 'INSERT → raw pgoutput reader, 200/s');
    report.add('cdc floor p99', f1.p99, 'ms');
    report.add('latency p50', s1.p50, 'ms', 'INSERT → supabase-js callback, 1 subscriber, 200/s; target ≤ 10');
    report.add('latency p99', s1.p99, 'ms', 'target ≤ 50');
    report.add('latency max', s1.max, 'ms');
    report.add('overhead over cdc floor p50', s1.p50 - f1.p50, 'ms');
    report.add('latency/cdc floor p50 ratio', s1.p50 / f1.p50, '');

    // Another user's traffic on the same table, and a subscriber whose binding is RLS-checked row by row.
    const otherUser = await userClient(env).auth.signUp({ email: `bench-other-${Date.now()}@example.test`, password: 'correct horse battery' });
    if (otherUser.error || !otherUser.data.user) throw new Error(`sign-up failed: ${otherUser.error?.message}`);
    const busy = await bench.phase(200, 200 * seconds, 1, otherUser.data.user.id);
    const sBusy = summarize(busy.latencies);
    report.add("latency p50 with other users' traffic", sBusy.p50, 'ms', "unfiltered binding, another user's 200/s on the same table (rows this subscriber may not see)");
    report.add("latency p99 with other users' traffic", sBusy.p99, 'ms');
    report.add("with/without other users' traffic p50 ratio", sBusy.p50 / s1.p50, '');

    const fifty = await bench.phase(200, 200 * seconds, 50);
    const s50 = summarize(fifty.latencies);
    report.add('latency p50 50 subscribers', s50.p50, 'ms', '200/s; all 50 clients run in the bench process');
    report.add('latency p99 50 subscribers', s50.p99, 'ms');
    report.add('lost 50 subscribers', fifty.lost, 'events', `of ${fifty.expected}`);
    report.add('gateway cpu 50 subscribers', fifty.gatewayCpu, '%', 'of one core, while emitting');
    report.add('bench process cpu 50 subscribers', fifty.benchCpu, '%', 'the 50 supabase-js clients');

    const burst = await bench.phase(1000, 1000 * seconds, 10);
    const sb = summarize(burst.latencies);
    report.add('throughput 1000/s x10 delivered', burst.expected - burst.lost, 'events', `of ${burst.expected}`);
    report.add('throughput 1000/s x10 lost', burst.lost, 'events');
    report.add('throughput 1000/s x10 duplicated', burst.duplicated, 'events');
    report.add('throughput 1000/s x10 latency p99', sb.p99, 'ms');
    report.add('gateway cpu 1000/s x10', burst.gatewayCpu, '%');
    report.add('bench process cpu 1000/s x10', burst.benchCpu, '%');

    const soakSeconds = options.quick ? 10 : 90;
    const soak = await bench.phase(200, 200 * soakSeconds, 10);
    const rssAfter = await rssMiB(pid);
    report.add('gateway rss before', rssBefore, 'MiB');
    report.add(`gateway rss after soak`, rssAfter, 'MiB', `${soakSeconds} s at 200/s to 10 subscribers`);
    report.add('soak lost', soak.lost, 'events', `of ${soak.expected}`);
    report.add('soak latency p99', summarize(soak.latencies).p99, 'ms');
  } finally {
    await feed?.stop();
    await pool?.end();
  }
  return report;
}
