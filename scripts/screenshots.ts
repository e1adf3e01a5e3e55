// `npm run screenshots`: the timeline in real Chromium, light and dark, for the README (docs/).
import path from 'node:path';
import type { SessionEvent } from '../src/shared/events';
import { encodeEntries, type TimelineEntry } from '../src/shared/protocol';
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

async function main(): Promise<void> {
  const harness = new WebviewHarness();
  await harness.start();
  try {
    for (const theme of ['dark', 'light'] as const) {
      const page = await harness.open({ theme, width: 1100, height: 760 });
      await harness.send({ type: 'init', session: { id: 's-1', title: 'Demo: add a greeting module', state: 'completed', createdAt: new Date(T0).toISOString() }, entries: encodeEntries(entries), connection: { state: 'joined' }, now: T0 + 120_000, viewers: [{ name: 'ada@example.com', client: 'vscode' }, { name: 'grace@example.com', client: 'cli' }], annotations: [], me: '' });
      await page.waitForSelector('.kind-completion');
      await page.waitForTimeout(300);
      const file = path.resolve(__dirname, `../docs/timeline-${theme}.png`);
      await page.screenshot({ path: file });
      process.stdout.write(`${file}\n`);
    }
  } finally {
    await harness.stop();
  }
}

void main();
