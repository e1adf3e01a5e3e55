// `npm run screenshots`: the timeline (light and dark, with a comment thread) and the health panel
// in real Chromium, for the README (docs/).
import path from 'node:path';
import type { Annotation } from '../src/shared/annotations';
import type { SessionEvent } from '../src/shared/events';
import { histogram, type HealthSnapshot } from '../src/shared/health';
import type { TimelineEntry } from '../src/shared/entries';
import { encodeEntries } from '../src/shared/timelineProtocol';
import { WebviewHarness } from '../test/support/webviewHarness';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const steps: Array<[SessionEvent['type'], Record<string, unknown>]> = [
  ['state_changed', { from: 'pending', to: 'running', reason: 'Agent picked up the task: add a greeting module with a test' }],
  ['thinking', { iteration: 1, toolsUsed: ['list_dir', 'read_file'] }],
  ['terminal', { command: 'ls src', output: '\u001b[1mold.ts\u001b[0m\n', error: '', exitCode: 0 }],
  ['thinking', { iteration: 2, toolsUsed: ['write_file'] }],
  ['file_change', { path: 'src/greeting.ts', action: 'write' }],
  ['file_change', { path: 'src/greeting.test.ts', action: 'write' }],
  ['terminal', { command: 'npx tsx src/greeting.test.ts', output: '\u001b[2mrunning 1 check\u001b[0m\n', error: '\u001b[31mError: greet is wrong\u001b[0m\n    at src/greeting.test.ts:3:42\n', exitCode: 1 }],
  ['thinking', { iteration: 3, toolsUsed: ['edit_file', 'bash'] }],
  ['file_change', { path: 'src/old.ts', action: 'delete' }],
  ['terminal', { command: 'npx tsx src/greeting.test.ts', output: '\u001b[32m✔ greet says hello\u001b[0m\n\u001b[32m1 passing\u001b[0m\n', error: '', exitCode: 0 }],
  ['files_changed', { files: [{ path: 'README.md', action: 'write' }, { path: 'package.json', action: 'write' }] }],
  ['completion', { message: 'Added src/greeting.ts with a passing test and removed the old helper.', stats: { iterations: 4, inputTokens: 11240, outputTokens: 2890, toolCalls: 7 } }],
];
const entries: TimelineEntry[] = steps.map(([type, data], i) => ({ kind: 'event', event: { id: `e${i}`, sessionId: 's-1', seq: i + 1, type, data, createdAt: new Date(T0 + i * 4000).toISOString() } as SessionEvent }));

const note = (id: string, userId: string, authorName: string, body: string, atMs: number): Annotation => ({ id, eventId: 'e6', sessionId: 's-1', userId, authorName, body, createdAt: new Date(T0 + atMs).toISOString(), editedAt: null });
const annotations = [
  note('n1', 'u-grace', 'grace@example.com', 'Why did it write the test **before** reading `old.ts`?', 40_000),
  note('n2', 'u-ada', 'ada@example.com', 'It did read it in step 1 — see `ls src`. Fine by me.', 70_000),
];

function healthSnapshot(): HealthSnapshot {
  const minute = (k: number) => new Date(Math.floor(T0 / 60_000) * 60_000 + k * 60_000).toISOString();
  const counts: Record<string, number[]> = { thinking: [3, 5, 4, 6, 2, 4, 5, 3, 4, 1], terminal: [2, 3, 1, 4, 2, 2, 3, 1, 2, 1], file_change: [1, 2, 0, 3, 1, 1, 2, 0, 1, 0], state_changed: [1, 0, 0, 1, 0, 0, 1, 0, 0, 1] };
  const volume = Object.entries(counts).flatMap(([eventType, n]) => n.map((eventCount, k) => ({ minute: minute(k), eventType, eventCount })).filter((v) => v.eventCount > 0));
  const latencies = [4, 6, 7, 8, 9, 9, 10, 11, 12, 12, 13, 14, 15, 16, 18, 22, 25, 31, 44, 61, 1240];
  return {
    at: T0 + 600_000,
    server: { latency: [{ eventType: 'file_change', avgAgeSeconds: 341.2, eventCount: 11 }, { eventType: 'state_changed', avgAgeSeconds: 318.7, eventCount: 4 }, { eventType: 'terminal', avgAgeSeconds: 322.9, eventCount: 21 }, { eventType: 'thinking', avgAgeSeconds: 309.5, eventCount: 37 }], volume },
    gateway: { connections: 3, channels: 5, changeSubscribers: 5, presences: 3, delivered: 412 },
    subscriptions: [{ sessionId: 's-1', title: 'Demo: add a greeting module', state: 'joined', viewers: [{ name: 'ada@example.com', client: 'vscode' }, { name: 'grace@example.com', client: 'cli' }], live: 73, backfilled: 12, joins: 2 }],
    latency: { samples: latencies.length, p50: 12, p95: 61, p99: 1240, histogram: histogram(latencies) },
    history: [{ at: T0 + 200_000, sessionId: 's-1', state: 'joined' }, { at: T0 + 198_000, sessionId: 's-1', state: 'joining' }, { at: T0 + 197_000, sessionId: 's-1', state: 'reconnecting', reason: 'CHANNEL_ERROR: channel error: transport failure' }],
  };
}

async function main(): Promise<void> {
  const harness = new WebviewHarness();
  await harness.start();
  try {
    for (const theme of ['dark', 'light'] as const) {
      const page = await harness.open({ theme, width: 1100, height: 760 });
      await harness.send({ type: 'init', session: { id: 's-1', title: 'Demo: add a greeting module', state: 'completed', createdAt: new Date(T0).toISOString() }, entries: encodeEntries(entries), connection: { state: 'joined', at: 0 }, now: T0 + 120_000, viewers: [{ name: 'ada@example.com', client: 'vscode' }, { name: 'grace@example.com', client: 'cli' }], annotations, me: 'u-ada' });
      await page.waitForSelector('.kind-completion');
      await page.waitForTimeout(300);
      const file = path.resolve(__dirname, `../docs/timeline-${theme}.png`);
      await page.screenshot({ path: file });
      process.stdout.write(`${file}\n`);
    }
    // A running agent that waits for its user: the steering bar and what it asks.
    {
      const running = entries.slice(0, 7);
      const asks: TimelineEntry = { kind: 'event', event: { id: 'e-ask', sessionId: 's-1', seq: 8, type: 'thinking', data: { iteration: 3, toolsUsed: ['Bash'], kind: 'request', text: 'Claude Code asks to use Bash: rm -rf build && npm run build' }, createdAt: new Date(T0 + 30_000).toISOString() } as SessionEvent };
      const waiting = await harness.open({ theme: 'dark', width: 1100, height: 620 });
      await harness.send({
        type: 'init',
        session: { id: 's-1', title: 'Claude Code: fix the failing test', state: 'waiting', createdAt: new Date(T0).toISOString(), source: 'Claude Code', commands: ['stop', 'approve', 'deny', 'message'], requests: [{ id: 'req-1', kind: 'approval', tool: 'Bash', title: 'Bash: rm -rf build && npm run build', detail: 'rm -rf build && npm run build', at: new Date(T0 + 30_000).toISOString() }] },
        entries: encodeEntries([...running, asks]),
        connection: { state: 'joined', at: 0 },
        now: T0 + 40_000,
        viewers: [{ name: 'ada@example.com', client: 'vscode' }],
        annotations: [],
        me: 'u-ada',
        total: 8,
      });
      await waiting.waitForSelector('.needs-you');
      await waiting.waitForTimeout(300);
      const file = path.resolve(__dirname, '../docs/timeline-waiting.png');
      await waiting.screenshot({ path: file });
      process.stdout.write(`${file}\n`);
    }
    const page = await harness.open({ bundle: 'health', theme: 'dark', width: 1000, height: 980 });
    await harness.sendRaw({ type: 'health', snapshot: JSON.parse(JSON.stringify(healthSnapshot())) });
    await page.waitForTimeout(300);
    const file = path.resolve(__dirname, '../docs/health-dark.png');
    await page.screenshot({ path: file });
    process.stdout.write(`${file}\n`);
  } finally {
    await harness.stop();
  }
}

void main();
