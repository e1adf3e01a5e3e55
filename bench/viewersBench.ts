// `npm run bench -- viewers`: many viewers of ONE session, postgres_changes against broadcast, side
// by side on the same stack. Each viewer is its own unmodified supabase-js client (its own socket)
// with its own access token (same user, distinct sign-ins, so nothing is shared between them as it
// would not be between teammates); all clients run in this bench process. A writer inserts 100
// events/s for 30 s (5 s with --quick); each viewer records emit → callback. Figures per mode and
// N: p50/p99, delivered/expected, and the gateway's CPU time per delivered message.
import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import pg from 'pg';
import WebSocket from 'ws';
import type { Delivery } from '../src/core/delivery';
import { createSupabaseClient } from '../src/core/supabaseClient';
import type { BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { cpuSeconds, now, paced, sleep, summarize } from './support/stats';

interface Env {
  API_URL: string;
  ANON_KEY: string;
  DB_URL: string;
  JWT_SECRET: string;
}

const RATE = 100;

function viewerClient(env: Env, token: string): SupabaseClient {
  return createClient(env.API_URL, env.ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    accessToken: () => Promise.resolve(token),
    realtime: { transport: WebSocket as never, timeout: 30_000 },
  });
}

async function run(env: Env, delivery: Delivery, viewers: number, seconds: number, userId: string, stackPid: number) {
  const db = new pg.Client({ connectionString: env.DB_URL });
  await db.connect();
  const session = (await db.query<{ id: string }>("insert into public.coding_sessions (user_id, title, state) values ($1, 'viewers bench', 'running') returning id", [userId])).rows[0]!.id;
  const secret = new TextEncoder().encode(env.JWT_SECRET);
  const emitted = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  const clients: SupabaseClient[] = [];
  const onRow = (row: { id?: unknown } | null | undefined) => {
    const at = typeof row?.id === 'string' ? emitted.get(row.id) : undefined;
    if (at === undefined) return;
    delivered++;
    latencies.push(now() - at);
  };
  try {
    // Join a few at a time, as windows opening: every join is authorized (broadcast) or bound (postgres_changes).
    for (let i = 0; i < viewers; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, viewers - i) }, async () => {
          const token = await new SignJWT({ role: 'authenticated', sub: userId, aud: 'authenticated', session_id: randomUUID() }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime('2h').sign(secret);
          const client = viewerClient(env, token);
          clients.push(client);
          await client.realtime.setAuth();
          const channel =
            delivery === 'broadcast'
              ? client.channel(`session:${session}`, { config: { private: true } }).on('broadcast', { event: 'INSERT' }, (m: { payload?: { record?: { id?: unknown } } }) => onRow(m.payload?.record))
              : client.channel(`bench:${session}`).on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'session_events', filter: `session_id=eq.${session}` }, (p) => onRow(p.new as { id?: unknown }));
          await new Promise<void>((resolve, reject) => {
            channel.subscribe((status, error) => {
              if (status === 'SUBSCRIBED') resolve();
              else if (status !== 'CLOSED') reject(new Error(`${delivery} viewer: ${status} ${error?.message ?? ''}`));
            });
          });
        }),
      );
    }
    await sleep(500);
    const count = RATE * seconds;
    const cpu0 = await cpuSeconds(stackPid);
    await paced(RATE, count, async () => {
      const id = randomUUID();
      emitted.set(id, now());
      await db.query("insert into public.session_events (id, session_id, event_type, event_data) values ($1, $2, 'thinking', '{\"iteration\":1,\"toolsUsed\":[]}')", [id, session]);
    });
    const expected = count * viewers;
    const deadline = now() + 30_000;
    while (delivered < expected && now() < deadline) await sleep(100);
    const cpu = (await cpuSeconds(stackPid)) - cpu0;
    return { ...summarize(latencies), delivered, expected, cpuPerMessageUs: delivered > 0 ? (cpu / delivered) * 1e6 : 0 };
  } finally {
    await Promise.all(clients.map((c) => c.removeAllChannels().catch(() => undefined)));
    await db.end();
  }
}

export async function viewersBench(options: BenchOptions): Promise<SuiteReport> {
  const report = new SuiteReport('viewers');
  const env = options.stack.env as unknown as Env;
  const seconds = options.quick ? 5 : 30;
  const counts = options.quick ? [1, 10, 50] : [1, 10, 100, 500];
  const signUp = await createSupabaseClient(env.API_URL, env.ANON_KEY).auth.signUp({ email: `viewers-${randomUUID()}@example.test`, password: 'correct horse battery' });
  if (signUp.error || !signUp.data.user) throw new Error(`sign-up failed: ${signUp.error?.message}`);
  const userId = signUp.data.user.id;
  const rows: string[] = [];
  for (const n of counts) {
    const results: Partial<Record<Delivery, Awaited<ReturnType<typeof run>>>> = {};
    for (const delivery of ['postgres_changes', 'broadcast'] as const) {
      const r = await run(env, delivery, n, seconds, userId, options.stack.pid);
      results[delivery] = r;
      report.add(`N=${n} ${delivery} p50`, r.p50, 'ms', `${RATE} events/s for ${seconds} s, emit → callback`);
      report.add(`N=${n} ${delivery} p99`, r.p99, 'ms');
      report.add(`N=${n} ${delivery} delivered`, r.delivered, 'messages', `of ${r.expected}`);
      report.add(`N=${n} ${delivery} cpu per message`, r.cpuPerMessageUs, 'µs', 'gateway CPU time / delivered messages');
      rows.push(`| ${n} | ${delivery} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.delivered}/${r.expected} | ${r.cpuPerMessageUs.toFixed(0)} |`);
      await sleep(1000);
    }
    const ratio = results.postgres_changes!.cpuPerMessageUs > 0 ? results.broadcast!.cpuPerMessageUs / results.postgres_changes!.cpuPerMessageUs : 0;
    report.add(`N=${n} cpu per message broadcast/postgres_changes ratio`, ratio, '');
  }
  report.table('viewers of one session', ['| viewers | delivery | p50 ms | p99 ms | delivered | gateway CPU µs/message |', '|---:|---|---:|---:|---:|---:|', ...rows].join('\n'), rows);
  return report;
}
