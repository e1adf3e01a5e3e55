// The fault matrix: for each fault, a worker emits a known sequence before, during and after it,
// while our SessionEventStream and the naive RealtimeService (bench/baselines/, verbatim with its
// bugs) watch the same session through the same fault proxy. Each (fault, client) pair becomes one
// row: expected / received / lost / duplicated / out of order / time from the fault's end until
// the last missing event arrived. Used by `npm run test:faults` (short outages, asserted) and by
// `npm run bench -- faults` (the full outages, reported). Local addresses only; every wait is bounded.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { RECONNECT_POLICY, type BackoffPolicy } from '../../src/core/backoff';
import { systemClock, type Clock } from '../../src/core/clock';
import { SessionEventStream } from '../../src/core/sessionEventStream';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import { Journal } from '../../src/worker/journal';
import { SessionLifecycleManager } from '../../src/worker/sessionLifecycleManager';
import type { Stack } from '@agent-session-stream/local-supabase';
import { RealtimeService, subscribeNaive, useSupabase } from '../../bench/baselines/naiveRealtimeService';
import type { Delivery } from '../../src/core/delivery';
import { FaultProxy } from '../support/faultProxy';
import { sleep } from '../support/wait';


export interface FaultRow {
  fault: string;
  client: string;
  expected: number;
  received: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** From the fault's end until every event emitted before it had arrived; undefined when events were lost. */
  recoverMs: number | undefined;
}

interface Scenario {
  stack: Stack;
  /** The viewers' path to the stack. */
  proxy: FaultProxy;
  /** The worker's path to the stack. */
  workerProxy: FaultProxy;
  /** Moves our viewers' clock (a laptop waking up); the baseline has no clock to move. */
  jumpClock(ms: number): void;
  /** How long an outage lasts in this run. */
  outageMs: number;
  /**
   * A second writer takes the next event of the session in a transaction it keeps open for
   * `holdMs` (the worker's next events wait for it), then commits.
   */
  lateWriter(holdMs: number): Promise<void>;
  /**
   * Another worker process queues the next `count` events while the stack is unreachable for it,
   * and is killed (SIGKILL) before it could store them; the matrix's worker then takes over its
   * journal and stores them.
   */
  killedWorker(count: number): Promise<void>;
  /** Clients that set their token once (the baseline) take the token source's current one now. */
  takeTokens(): Promise<void>;
}

/** For the token-expiry fault: set when it begins (one fault runs at a time). */
let expiring: 'not yet' | 'now' = 'not yet';

export interface Fault {
  name: string;
  /** What the fault does, for the report. */
  does: string;
  /** Runs the fault; resolves when the network (or server) is back. */
  run(s: Scenario): Promise<void>;
  /** Tokens for the viewers: short-lived ones for the expiry fault. */
  token?(s: Scenario, userId: string): () => Promise<string>;
  /** A consumer that blocks the event loop this long on every delivery. */
  slowConsumerMs?: number;
  /** A second window of each client on the same session, through a proxy that is not faulted. */
  secondWindow?: boolean;
}

export const FAULTS: Fault[] = [
  { name: 'socket cut (RST)', does: 'the proxy resets every viewer connection and refuses new ones for the outage', run: async (s) => (s.proxy.cut(), await sleep(s.outageMs), s.proxy.restore()) },
  { name: 'blackhole', does: 'connections stay open but nothing gets through either way (no FIN, as when Wi-Fi drops)', run: async (s) => (s.proxy.blackhole(), await sleep(s.outageMs), s.proxy.restore()) },
  {
    name: '2 s latency spike',
    does: 'every chunk each way is delayed by 2 s for 3 s',
    run: async (s) => {
      s.proxy.delayMs = 2000;
      await sleep(3000);
      s.proxy.delayMs = 0;
    },
  },
  { name: 'gateway restart', does: 'the Realtime/REST gateway process stops and a new one starts on the same port', run: (s) => s.stack.restartGateway() },
  { name: 'PostgreSQL restart', does: 'PostgreSQL stops for 1 s and starts again (viewers and worker both see it)', run: async (s) => (await s.stack.db.stopServer(), await sleep(1000), await s.stack.db.startAgain()) },
  {
    name: 'access-token expiry',
    does: 'once the fault begins, the viewers get a 1 s token that their token source keeps handing out for 2.5 s (a missed refresh), then fresh ones; the server closes the expired channel',
    run: async (s) => {
      expiring = 'now';
      await s.takeTokens();
      await sleep(3000);
    },
    // Until the fault begins, an hour's token (so every viewer joins, however slow the machine); then
    // the short one, pushed to the server with the next heartbeat's setAuth.
    token: (s, userId) => {
      const sign = (seconds: number) => s.stack.keys.sign({ role: 'authenticated', sub: userId, aud: 'authenticated' }, seconds);
      let cached: { token: string; until: number; short: boolean } | undefined;
      return async () => {
        if (!cached || (expiring === 'now' && !cached.short && cached.until !== Infinity)) cached = expiring === 'now' ? { token: await sign(1), until: Date.now() + 2500, short: true } : { token: await sign(3600), until: Date.now() + 3_600_000, short: false };
        else if (cached.short && Date.now() > cached.until) cached = { token: await sign(3600), until: Infinity, short: false };
        return cached.token;
      };
    },
  },
  { name: 'laptop sleep (clock jump)', does: 'nothing gets through for the outage, then the wall clock is 10 min ahead (timers did not run while asleep)', run: async (s) => (s.proxy.blackhole(), await sleep(s.outageMs), s.jumpClock(600_000), s.proxy.restore()) },
  { name: 'worker database outage', does: "the worker's connection to the stack is cut for the outage; it keeps emitting (queued, retried in order)", run: async (s) => (s.workerProxy.cut(), await sleep(s.outageMs), s.workerProxy.restore()) },
  { name: 'slow consumer', does: 'the consumer blocks the event loop 150 ms on every delivery (a webview that does not keep up) while events arrive every 20 ms', run: () => sleep(3000), slowConsumerMs: 150 },
  {
    name: 'two writers, a slow commit',
    does: 'a second writer holds its transaction (with the next event) open while the viewers are away, the worker writes on behind it; then it commits and the viewers come back',
    run: async (s) => {
      s.proxy.blackhole();
      await s.lateWriter(s.outageMs);
      await sleep(500);
      s.proxy.restore();
    },
  },
  {
    name: 'worker killed mid-queue',
    does: "another worker process queues events while it cannot reach the stack and is killed (SIGKILL); the next worker stores what its journal kept",
    run: (s) => s.killedWorker(10),
  },
  { name: 'two windows, one cut', does: 'two windows of each client watch the session; only the first one’s connection is cut', run: async (s) => (s.proxy.cut(), await sleep(s.outageMs), s.proxy.restore()), secondWindow: true },
];

interface Watcher {
  client: string;
  arrivals: Array<{ iteration: number; at: number }>;
  ready(): boolean;
  close(): Promise<void>;
  /** The baseline sets its token once, itself: at the fault it is handed the token source's current one. */
  takeToken?(): Promise<void>;
}

function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // a consumer that does not keep up
  }
}

function ours(name: string, url: string, anonKey: string, sessionId: string, token: () => Promise<string>, clock: Clock, slowMs: number, policy: BackoffPolicy, delivery: Delivery = 'broadcast'): Watcher {
  const client = createSupabaseClient(url, anonKey, { accessToken: token, heartbeatIntervalMs: 1000, realtimeTimeoutMs: 3000 });
  const stream = new SessionEventStream({ client, sessionId, clock, watchdogMs: 500, policy, delivery });
  const w: Watcher = { client: name, arrivals: [], ready: () => stream.state.state === 'joined', close: () => stream.close() };
  stream.onDidReceive((b) => {
    for (const e of b.entries) if (e.kind === 'event' && e.event.type === 'thinking') w.arrivals.push({ iteration: e.event.data.iteration, at: Date.now() });
    if (slowMs) busy(slowMs);
  });
  stream.open();
  return w;
}

function naive(name: string, url: string, anonKey: string, sessionId: string, token: () => Promise<string>, slowMs: number): Watcher {
  const client = createSupabaseClient(url, anonKey, { accessToken: token, heartbeatIntervalMs: 1000, realtimeTimeoutMs: 3000 });
  let joined = false;
  let poll: NodeJS.Timeout | undefined;
  const w: Watcher = {
    client: name,
    arrivals: [],
    ready: () => joined,
    close: async () => {
      clearInterval(poll);
      await client.removeAllChannels();
    },
    takeToken: async () => void (await client.realtime.setAuth(await token())),
  };
  const service = new RealtimeService();
  void token().then(async (t) => {
    await client.realtime.setAuth(t);
    useSupabase(client); // the baseline's module-level client, set right before each subscribe
    subscribeNaive(service, sessionId, (event: { type: string; data: { iteration?: number } }) => {
      if (event.type === 'thinking' && typeof event.data.iteration === 'number') w.arrivals.push({ iteration: event.data.iteration, at: Date.now() });
      if (slowMs) busy(slowMs);
    });
    // The baseline has no state to read; its channel's own state says when it has joined.
    poll = setInterval(() => client.getChannels().some((c) => c.state === 'joined') && ((joined = true), clearInterval(poll)), 20);
  });
  return w;
}

function row(fault: string, w: Watcher, expected: number, backlog: number, restoredAt: number): FaultRow {
  const seen = new Set<number>();
  let duplicated = 0;
  let outOfOrder = 0;
  let last = -1;
  for (const a of w.arrivals) {
    if (seen.has(a.iteration)) duplicated++;
    else seen.add(a.iteration);
    if (a.iteration < last) outOfOrder++;
    last = Math.max(last, a.iteration);
  }
  const lost = [...Array(expected).keys()].filter((i) => !seen.has(i)).length;
  const lastArrival = Math.max(...w.arrivals.filter((a) => a.iteration < backlog).map((a) => a.at), restoredAt);
  return { fault, client: w.client, expected, received: seen.size, lost, duplicated, outOfOrder, recoverMs: lost === 0 ? lastArrival - restoredAt : undefined };
}

export interface MatrixOptions {
  stack: Stack;
  outageMs: number;
  /** How many events before, during and after each fault. */
  counts?: { before: number; during: number; after: number };
  faults?: Fault[];
  onRow?: (r: FaultRow) => void;
  /** Our reconnect policy; the product's (1 s doubling to 30 s, 10 attempts) unless a test shortens it. */
  policy?: BackoffPolicy;
}

/** Runs each fault once against fresh viewers on a fresh session; returns one row per (fault, client). */
export async function runFaultMatrix(o: MatrixOptions): Promise<FaultRow[]> {
  const counts = o.counts ?? { before: 10, during: 20, after: 10 };
  const env = o.stack.env;
  const anon = createSupabaseClient(env.API_URL, env.ANON_KEY);
  const email = `faults-${randomUUID()}@example.test`;
  const { data, error } = await anon.auth.signUp({ email, password: 'correct horse battery' });
  if (error || !data.session || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
  const userToken = data.session.access_token;
  const userId = data.user.id;
  const rows: FaultRow[] = [];
  const port = Number(new URL(env.API_URL).port);
  for (const fault of o.faults ?? FAULTS) {
    const proxy = new FaultProxy(port);
    const calmProxy = new FaultProxy(port);
    const workerProxy = new FaultProxy(port);
    await Promise.all([proxy.start(), calmProxy.start(), workerProxy.start()]);
    let skew = 0;
    const clock: Clock = { now: () => Date.now() + skew, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
    const journalDir = mkdtempSync(path.join(os.tmpdir(), 'fault-journal-'));
    const worker = new SessionLifecycleManager(createSupabaseClient(workerProxy.url, env.SERVICE_ROLE_KEY), { retryInitialMs: 100, journal: new Journal(journalDir) });
    const watchers: Watcher[] = [];
    let session = '';
    let next = 0;
    /** The worker's emitting waits on this while another writer takes the next events (they stay in order). */
    let gate: Promise<void> = Promise.resolve();
    const closeGate = () => {
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      return open;
    };
    const scenario: Scenario = {
      takeTokens: async () => void (await Promise.all(watchers.map((w) => w.takeToken?.() ?? Promise.resolve()))),
      stack: o.stack,
      proxy,
      workerProxy,
      outageMs: o.outageMs,
      jumpClock: (ms) => (skew += ms),
      async lateWriter(holdMs) {
        const open = closeGate();
        const db = new pg.Client({ connectionString: env.DB_URL });
        await db.connect();
        try {
          await db.query('begin');
          await db.query("insert into public.session_events (session_id, event_type, event_data) values ($1, 'thinking', $2)", [session, { iteration: next++ }]);
          // It holds the session's next number now: the worker's next insert waits for its commit.
          open();
          await sleep(holdMs);
          await db.query('commit');
        } finally {
          await db.end();
        }
      },
      async killedWorker(count) {
        const open = closeGate();
        const dead = new FaultProxy(port);
        await dead.start();
        dead.cut();
        const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../support/queueWorker.ts'), dead.url, env.SERVICE_ROLE_KEY, session, journalDir, String(next), String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
        next += count;
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => d.toString().includes('emitted') && resolve());
          child.once('exit', (code) => reject(new Error(`the queue worker exited (${code}) before it had queued its events`)));
        });
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
        await dead.close();
        if (worker.recover() !== count) throw new Error(`the killed worker's journal did not hold its ${count} events`);
        open();
      },
    };
    try {
      session = (await worker.createSession(userId, `fault: ${fault.name}`)).id;
      expiring = 'not yet';
      const token = fault.token?.(scenario, userId) ?? (() => Promise.resolve(userToken));
      const slow = fault.slowConsumerMs ?? 0;
      watchers.push(ours(fault.secondWindow ? 'ours (window 1, cut)' : 'ours', proxy.url, env.ANON_KEY, session, token, clock, slow, o.policy ?? RECONNECT_POLICY));
      // The same stream with the other delivery mode, through the same fault.
      watchers.push(ours(fault.secondWindow ? 'ours, postgres_changes (window 1, cut)' : 'ours, postgres_changes', proxy.url, env.ANON_KEY, session, token, clock, slow, o.policy ?? RECONNECT_POLICY, 'postgres_changes'));
      watchers.push(naive(fault.secondWindow ? 'naive (window 1, cut)' : 'naive', proxy.url, env.ANON_KEY, session, token, slow));
      if (fault.secondWindow) {
        watchers.push(ours('ours (window 2)', calmProxy.url, env.ANON_KEY, session, token, clock, slow, o.policy ?? RECONNECT_POLICY));
        watchers.push(naive('naive (window 2)', calmProxy.url, env.ANON_KEY, session, token, slow));
      }
      const deadline = Date.now() + 20_000;
      while (!watchers.every((w) => w.ready())) {
        if (Date.now() > deadline) throw new Error(`${fault.name}: viewers did not join (${watchers.map((w) => `${w.client}: ${w.ready()}`).join(', ')})`);
        await sleep(20);
      }
      const emit = async (n: number, everyMs: number) => {
        for (let i = 0; i < n; i++) {
          await gate;
          await worker.emitEvent(session, 'thinking', { iteration: next++ });
          await sleep(everyMs);
        }
      };
      await emit(counts.before, 30);
      await Promise.all([fault.run(scenario), emit(counts.during, fault.slowConsumerMs ? 20 : 100)]);
      const restoredAt = Date.now();
      const backlog = next;
      await emit(counts.after, 30);
      const { pending } = await worker.flush(60_000);
      if (pending > 0) throw new Error(`${fault.name}: the worker still holds ${pending} events after 60 s`);
      const expected = next;
      // Ours must finish; then the baseline gets the same time again, bounded.
      const until = Date.now() + 60_000;
      const complete = (w: Watcher) => new Set(w.arrivals.map((a) => a.iteration)).size >= expected;
      while (!watchers.filter((w) => w.client.startsWith('ours')).every(complete) && Date.now() < until) await sleep(50);
      const grace = Math.min(60_000, Date.now() - restoredAt);
      const naiveUntil = Date.now() + grace;
      while (!watchers.every(complete) && Date.now() < naiveUntil) await sleep(50);
      for (const w of watchers) {
        const r = row(fault.name, w, expected, backlog, restoredAt);
        rows.push(r);
        o.onRow?.(r);
      }
    } finally {
      for (const w of watchers) await w.close().catch(() => undefined);
      worker.dispose();
      rmSync(journalDir, { recursive: true, force: true });
      await Promise.all([proxy.close(), calmProxy.close(), workerProxy.close()]);
    }
  }
  return rows;
}

export function faultTable(rows: FaultRow[]): string {
  const lines = ['| fault | client | expected | received | lost | duplicated | out of order | recovered in |', '|---|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.fault} | ${r.client} | ${r.expected} | ${r.received} | ${r.lost} | ${r.duplicated} | ${r.outOfOrder} | ${r.recoverMs === undefined ? '—' : `${(r.recoverMs / 1000).toFixed(2)} s`} |`);
  return lines.join('\n');
}
