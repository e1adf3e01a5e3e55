/// <reference lib="dom" />
// `npm run bench -- timeline`: the built webview in real Chromium (the test harness, under the
// panel's CSP): first paint of a 10,000-event history, frame times while appending 100 events/s,
// scroll frame times through 10,000 events, and the JS heap after 50,000 events. The baseline in
// the same run is an empty init (the page's own cost).
import type { SessionEvent } from '../src/shared/events';
import type { TimelineEntry } from '../src/shared/protocol';
import { WebviewHarness } from '../test/support/webviewHarness';
import type { BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';
import { summarize } from './support/stats';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const KINDS: Array<[SessionEvent['type'], (i: number) => Record<string, unknown>]> = [
  ['thinking', (i) => ({ iteration: i, toolsUsed: ['read_file', 'bash'] })],
  ['terminal', (i) => ({ command: `npm test -- --grep case-${i}`, output: `\u001b[32m✔\u001b[0m case ${i}\n`.repeat(3), error: '', exitCode: i % 7 === 0 ? 1 : 0 })],
  ['file_change', (i) => ({ path: `src/module-${i % 50}/file-${i}.ts`, action: i % 9 === 0 ? 'delete' : 'write' })],
];

function events(from: number, n: number): TimelineEntry[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const [type, data] = KINDS[i % KINDS.length]!;
    return { kind: 'event', event: { id: `e${i}`, sessionId: 's-1', seq: i + 1, type, data: data(i), createdAt: new Date(T0 + i * 100).toISOString() } as SessionEvent };
  });
}

const session = { id: 's-1', title: 'bench', state: 'running' as const, createdAt: new Date(T0).toISOString() };

export async function timelineBench(options: Pick<BenchOptions, 'quick'>): Promise<SuiteReport> {
  const report = new SuiteReport('timeline');
  const harness = new WebviewHarness();
  await harness.start();
  try {
    // First paint: from posting `init` to the first frame with rows, measured in the page.
    const firstPaint = async (n: number) => {
      const page = await harness.open({ height: 800 });
      const entries = events(0, n);
      return page.evaluate((msg) => new Promise<number>((resolve) => {
        const t = performance.now();
        window.postMessage(msg, '*');
        const check = () => (document.querySelector('.row') ? requestAnimationFrame(() => resolve(performance.now() - t)) : requestAnimationFrame(check));
        requestAnimationFrame(check);
      }), { type: 'init', session, entries, connection: { state: 'joined' }, now: T0 } as unknown as Record<string, unknown>);
    };
    const empty = await firstPaint(1);
    const tenK = await firstPaint(10_000);
    report.add('first paint 1', empty, 'ms', 'baseline: one event');
    report.add('first paint 10k', tenK, 'ms', 'target ≤ 300');
    report.add('first paint 10k/1 ratio', tenK / Math.max(1, empty), '');

    // Append frames: 100 events/s as the host sends them (batched per frame), frame times recorded.
    const page = harness.page;
    const seconds = options.quick ? 5 : 30;
    const frames = await page.evaluate(({ seconds, batches }) => new Promise<number[]>((resolve) => {
      const times: number[] = [];
      let last = performance.now();
      let sent = 0;
      const start = last;
      const frame = (now: number) => {
        times.push(now - last);
        last = now;
        const due = Math.floor(((now - start) / 1000) * 10); // 10 batches of 10 per second = 100 events/s
        while (sent < due && sent < batches.length) window.postMessage(batches[sent++], '*');
        if (now - start < seconds * 1000) requestAnimationFrame(frame);
        else resolve(times.slice(1));
      };
      requestAnimationFrame(frame);
    }), { seconds, batches: Array.from({ length: seconds * 10 }, (_, b) => ({ type: 'entries', entries: events(10_000 + b * 10, 10), inserted: false })) as unknown as Array<Record<string, unknown>> });
    const f = summarize(frames);
    report.add('append frame p95', f.p95, 'ms', `100 events/s for ${seconds} s on 10k; target ≤ 16`);
    report.add('append frame max', f.max, 'ms');

    // Scroll through the list, one wheel step per frame.
    const scroll = await page.evaluate(() => new Promise<number[]>((resolve) => {
      const s = document.querySelector('.scroller')!;
      s.scrollTop = 0;
      const times: number[] = [];
      let last = performance.now();
      const frame = (now: number) => {
        times.push(now - last);
        last = now;
        s.scrollTop += 400;
        if (s.scrollTop + s.clientHeight < s.scrollHeight - 10 && times.length < 2000) requestAnimationFrame(frame);
        else resolve(times.slice(1));
      };
      requestAnimationFrame(frame);
    }));
    report.add('scroll frame p95', summarize(scroll).p95, 'ms', `${scroll.length} frames through the list`);

    // Heap after 50k events.
    const heapPage = await harness.open();
    const cdp = await heapPage.context().newCDPSession(heapPage);
    await cdp.send('HeapProfiler.collectGarbage');
    const before = ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    await harness.send({ type: 'init', session, entries: events(0, 50_000), connection: { state: 'joined' }, now: T0 });
    await heapPage.waitForSelector('.row');
    await cdp.send('HeapProfiler.collectGarbage');
    const after = ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    report.add('heap empty', before / 2 ** 20, 'MiB');
    report.add('heap after 50k', after / 2 ** 20, 'MiB');
  } finally {
    await harness.stop();
  }
  return report;
}
