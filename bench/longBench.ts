/// <reference lib="dom" />
// `npm run bench -- long`: one session of 1,000,000 events (100,000 with --quick) of realistic mixed
// types and sizes, made in the local stack's database (test/support/longSession.ts; how long that
// takes is a figure too), read as its owner through unmodified supabase-js, exactly as the
// extension reads it. The timeline is the built webview in real Chromium; its page and search
// requests are answered by the host's own code (src/core/timelineAnswers.ts) against the database.
//   - open: the host's first read (the latest 1,000 and the length), then the first paint of the
//     timeline with them; baseline, same run: the first paint of a 10,000-event init (`timeline
//     first paint 10k` measures the same).
//   - jump to start: Jump to Start clicked → the first event on screen.
//   - search: a rare and a common term, over the server (trigram index), p50 of 10 each; against a
//     full-text index (tsvector) built for the comparison on the same rows.
//   - heap: the webview's JS heap after jumping to 30 places and paging through around each, against
//     the heap right after opening.
//   - export: `session-stream export` of the whole session to a file: events/s and the CLI's peak RSS.
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fetchHistory } from '../src/core/history';
import { searchSession, sessionLength } from '../src/core/pages';
import { createSupabaseClient } from '../src/core/supabaseClient';
import { answerPage, answerSearch } from '../src/core/timelineAnswers';
import { toEntry, type TimelineEntry } from '../src/shared/entries';
import type { SessionEvent } from '../src/shared/events';
import { RequestRouter } from '../src/shared/requests';
import { encodeEntries, pageRequest, searchRequest } from '../src/shared/timelineProtocol';
import { runCli } from '../test/support/cli';
import { fillSession } from '../test/support/longSession';
import { WebviewHarness } from '../test/support/webviewHarness';
import type { BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { now, summarize } from './support/stats';

const T0 = Date.parse('2026-12-01T08:00:00Z');

function synthetic(n: number): TimelineEntry[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'event', event: { id: `e${i}`, sessionId: 's-1', seq: i + 1, type: 'terminal', data: { command: `npm test -- --grep case-${i}`, output: `\u001b[32m✔\u001b[0m case ${i}\n`.repeat(3), error: '', exitCode: 0 }, createdAt: new Date(T0 + i * 100).toISOString() } as SessionEvent }));
}

/** Peak resident memory of a process so far (Linux /proc), MiB. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

export async function longBench(options: BenchOptions): Promise<SuiteReport> {
  const size = options.quick ? 100_000 : 1_000_000;
  const label = options.quick ? '100k' : '1m';
  const report = new SuiteReport('long');
  const { env } = options.stack;
  const email = `bench-long-${randomUUID()}@example.test`;
  const password = 'correct horse battery';
  const signUp = await createSupabaseClient(env.API_URL, env.ANON_KEY).auth.signUp({ email, password });
  if (signUp.error || !signUp.data.session || !signUp.data.user) throw new Error(`sign-up failed: ${signUp.error?.message}`);
  const token = signUp.data.session.access_token;
  const user = createSupabaseClient(env.API_URL, env.ANON_KEY, { accessToken: () => Promise.resolve(token) });
  const admin = new pg.Client({ connectionString: env.DB_URL });
  await admin.connect();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-long-'));
  const harness = new WebviewHarness();
  await harness.start();
  try {
    const sessionId = (await admin.query<{ id: string }>("insert into public.coding_sessions (user_id, title, state, source) values ($1, $2, 'running', 'other') returning id", [signUp.data.user.id, `bench: ${label} events`])).rows[0]!.id;
    const seconds = await fillSession(admin, sessionId, size);
    report.add(`generate ${label}`, seconds, 's', `${size.toLocaleString('en-US')} events in the database (batches of 50,000, the search index kept as they go, then a vacuum), ${Math.round(size / seconds).toLocaleString('en-US')} events/s`);
    const bytes = Number((await admin.query<{ b: string }>("select pg_total_relation_size('public.session_events') as b")).rows[0]!.b);
    const searchIndex = Number((await admin.query<{ b: string }>("select pg_relation_size('public.idx_session_events_search') as b")).rows[0]!.b);
    report.add(`table size ${label}`, bytes / 2 ** 20, 'MiB', `session_events with its indexes, of which the trigram search index ${(searchIndex / 2 ** 20).toFixed(0)} MiB`);

    // Open: the host's first read, then the first paint.
    let t = now();
    const [history, length] = await Promise.all([fetchHistory(user, sessionId, { limit: 1000 }), sessionLength(user, sessionId)]);
    report.add(`open ${label} host read`, now() - t, 'ms', 'the latest 1,000 events and the length, as the signed-in user (RLS)');
    const init = (entries: TimelineEntry[], total: number) => ({ type: 'init', session: { id: sessionId, title: 'bench', state: 'running', createdAt: new Date(T0).toISOString() }, entries: encodeEntries(entries), connection: { state: 'joined', at: 0 }, now: T0, viewers: [], annotations: [], me: '', total, reachedStart: false });
    const firstPaint = async (message: Record<string, unknown>) => {
      const page = await harness.open({ height: 800 });
      const router = new RequestRouter();
      router.onRequest(pageRequest, (params) => answerPage(user, sessionId, params));
      router.onRequest(searchRequest, (params) => answerSearch(user, sessionId, params));
      await harness.answerWith(router);
      return page.evaluate((msg) => new Promise<number>((resolve) => {
        const start = performance.now();
        window.postMessage(msg, '*');
        const check = () => (document.querySelector('.row') ? requestAnimationFrame(() => resolve(performance.now() - start)) : requestAnimationFrame(check));
        requestAnimationFrame(check);
      }), message);
    };
    const base = await firstPaint({ ...init(synthetic(10_000), 10_000), reachedStart: true });
    const open = await firstPaint(init(history.map(toEntry), length));
    report.add(`open ${label} first paint`, open, 'ms', `target ≤ 300: the timeline with the latest 1,000 of ${size.toLocaleString('en-US')} events and the whole length on its overview bar`);
    report.add('first paint 10k', base, 'ms', 'baseline, same run: a 10,000-event init, as `timeline first paint 10k`');
    report.add(`open ${label}/10k first paint ratio`, open / base, '');

    // Jump to start (the page stays open from the measurement above).
    const page = harness.page;
    const jump = await page.evaluate(() => new Promise<number>((resolve) => {
      const start = performance.now();
      (document.querySelector('[data-jump="start"]') as HTMLElement).click();
      const check = () => ([...document.querySelectorAll('.row .seq')].some((s) => s.textContent === '#1') ? requestAnimationFrame(() => resolve(performance.now() - start)) : requestAnimationFrame(check));
      requestAnimationFrame(check);
    }));
    report.add(`jump to start ${label}`, jump, 'ms', 'Jump to Start clicked → the first event on screen (a page read from the database on the way)');

    // Search on the server: trigram index (what ships) against a full-text index on the same text.
    const timed = async (run: () => Promise<unknown>, n = 10) => {
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = now();
        await run();
        samples.push(now() - s);
      }
      return summarize(samples);
    };
    const rare = await timed(() => searchSession(user, sessionId, 'zebracorn'));
    const common = await timed(() => searchSession(user, sessionId, 'npm'));
    const substring = await timed(() => searchSession(user, sessionId, 'ase 12'));
    const rareHits = await searchSession(user, sessionId, 'zebracorn');
    const commonHits = await searchSession(user, sessionId, 'npm');
    report.add(`search ${label} p50 rare`, rare.p50, 'ms', `"zebracorn": ${rareHits.total} hit(s), through supabase-js (the first 200 hits and the count)`);
    report.add(`search ${label} p50 common`, common.p50, 'ms', `"npm": ${commonHits.total.toLocaleString('en-US')}${commonHits.capped ? '+' : ''} hits, counted up to 10,000`);
    report.add(`search ${label} p50 substring`, substring.p50, 'ms', '"ase 12", a part of words: what a word index cannot find');
    // Both indexes queried with the terms written into the SQL, so the planner sees them as it does
    // inside the shipped search function (which plans each search with its pattern).
    const lit = (v: string) => admin.escapeLiteral(v);
    const trigram = async (q: string) => timed(() => admin.query(`select session_seq from public.session_events where session_id = ${lit(sessionId)} and public.session_event_search_text(event_data) like ${lit(`%${q}%`)} order by session_seq limit 200`));
    const trRare = await trigram('zebracorn');
    const trCommon = await trigram('npm');
    report.add(`search ${label} trigram SQL p50 rare`, trRare.p50, 'ms', 'the shipped trigram index queried in SQL directly, to compare with the full-text index below on equal terms');
    report.add(`search ${label} trigram SQL p50 common`, trCommon.p50, 'ms');
    t = now();
    await admin.query("create index bench_tsvector on public.session_events using gin (session_id, to_tsvector('simple', public.session_event_search_text(event_data)))");
    // Statistics on the new expression, as the shipped index has them (or the planner guesses).
    await admin.query('analyze public.session_events');
    const tsBuild = (now() - t) / 1000;
    const ts = async (q: string) => timed(() => admin.query(`select session_seq from public.session_events where session_id = ${lit(sessionId)} and to_tsvector('simple', public.session_event_search_text(event_data)) @@ plainto_tsquery('simple', ${lit(q)}) order by session_seq limit 200`));
    const tsRare = await ts('zebracorn');
    const tsCommon = await ts('npm');
    const tsSubstring = Number((await admin.query("select count(*) from public.session_events where session_id = $1 and to_tsvector('simple', public.session_event_search_text(event_data)) @@ plainto_tsquery('simple', 'ase 12')", [sessionId])).rows[0].count);
    const tsSize = Number((await admin.query<{ b: string }>("select pg_relation_size('public.bench_tsvector') as b")).rows[0]!.b);
    await admin.query('drop index public.bench_tsvector');
    report.add(`search ${label} tsvector p50 rare`, tsRare.p50, 'ms', `for comparison: a full-text GIN index on the same text (built in ${tsBuild.toFixed(0)} s, ${(tsSize / 2 ** 20).toFixed(0)} MiB), queried in SQL directly (no RLS, no HTTP)`);
    report.add(`search ${label} tsvector p50 common`, tsCommon.p50, 'ms');
    report.add(`search ${label} tsvector substring hits`, tsSubstring, '', '"ase 12" as words: the full-text index finds no part of a word (trigram search: hits)');

    // Heap: jumps to 30 places, paging around each, against the heap right after opening.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const opened = ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    for (let i = 0; i < 30; i++) {
      const seq = Math.max(1, Math.round(((i * 7919) % 30) / 30 * size));
      await harness.send({ type: 'reveal', seq });
      await page.waitForFunction((s) => [...document.querySelectorAll('.row .seq')].some((el) => Number(el.textContent?.slice(1)) >= s), seq, { timeout: 30_000 });
      for (let k = 0; k < 6; k++) {
        await page.evaluate((up) => {
          const s = document.querySelector('.scroller')!;
          s.scrollTop = up ? 0 : s.scrollHeight;
        }, k % 2 === 0);
        await page.waitForTimeout(120);
      }
    }
    await cdp.send('HeapProfiler.collectGarbage');
    const scrolled = ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    report.add(`webview heap after scrolling ${label}`, scrolled / 2 ** 20, 'MiB', 'target ≤ 64 MiB whatever the length: after 30 jumps and paging up and down around each');
    report.add('webview heap opened', opened / 2 ** 20, 'MiB', 'baseline, same page: right after opening');

    // Export through the command line, and its peak memory.
    const file = path.join(dir, 'export.jsonl');
    t = now();
    const exporter = runCli(['export', '--session', sessionId, '--out', file], { SUPABASE_URL: env.API_URL, SUPABASE_ANON_KEY: env.ANON_KEY, SESSION_STREAM_EMAIL: email, SESSION_STREAM_PASSWORD: password, SESSION_STREAM_CONFIG_DIR: path.join(dir, 'config') });
    let rss = 0;
    const poll = setInterval(() => {
      try {
        rss = Math.max(rss, peakRss(exporter.child.pid!));
      } catch {
        // exited
      }
    }, 100);
    const code = await exporter.exited;
    clearInterval(poll);
    const exportSeconds = (now() - t) / 1000;
    if (code !== 0) throw new Error(`export exited with ${code}: ${exporter.stderr()}`);
    report.add(`export ${label}`, size / exportSeconds, 'events/s', `session-stream export of all ${size.toLocaleString('en-US')} events to JSON Lines (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB) in ${exportSeconds.toFixed(1)} s`);
    report.add(`export ${label} peak RSS`, rss, 'MiB', 'the CLI process (node), sampled every 100 ms: it reads and writes a page at a time (compare the --quick run of 100,000 events)');
  } finally {
    await harness.stop();
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
  return report;
}
