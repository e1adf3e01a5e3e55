/// <reference lib="dom" />
// The "Show Health" panel in a real Chromium under the panel's CSP: a snapshot becomes tables with
// the exact figures and two drawn Chart.js charts; a server error is shown, not swallowed; names
// from other clients are text; Refresh (button or R) asks the host.
import assert from 'node:assert/strict';
import { histogram, type HealthSnapshot } from '../../src/shared/health';
import { WebviewHarness } from '../support/webviewHarness';

const T = Date.parse('2026-11-25T10:30:00Z');
const XSS = '<img src=x onerror="window.__pwned=1">';

function snapshot(over: Partial<HealthSnapshot> = {}): HealthSnapshot {
  return {
    at: T,
    server: {
      latency: [{ eventType: 'terminal', avgAgeSeconds: 612.4, eventCount: 3 }, { eventType: 'thinking', avgAgeSeconds: 598, eventCount: 5 }],
      volume: [
        { minute: '2026-11-25T10:20:00.000Z', eventType: 'thinking', eventCount: 4 },
        { minute: '2026-11-25T10:20:00.000Z', eventType: 'terminal', eventCount: 3 },
        { minute: '2026-11-25T10:21:00.000Z', eventType: 'thinking', eventCount: 1 },
      ],
    },
    gateway: { connections: 2, channels: 3, presences: 2, delivered: 1234 },
    subscriptions: [{ sessionId: 's-1', title: XSS, state: 'joined', viewers: [{ name: 'ada@example.com', client: 'vscode' }, { name: 'grace@example.com', client: 'cli' }], live: 17, backfilled: 40, joins: 2 }],
    latency: { samples: 6, p50: 12, p95: 48, p99: 48, histogram: JSON.parse(JSON.stringify(histogram([3, 8, 12, 15, 48, 7000]))) },
    history: [{ at: T - 1000, sessionId: 's-1-long-id', state: 'joined' }, { at: T - 5000, sessionId: 's-1-long-id', state: 'reconnecting', reason: 'CHANNEL_ERROR' }],
    ...over,
  };
}

describe('health panel webview in Chromium', function () {
  this.timeout(60_000);
  const harness = new WebviewHarness();
  before(() => harness.start());
  after(() => harness.stop());

  it('shows the figures as tables and draws both charts', async () => {
    const page = await harness.open({ bundle: 'health' });
    assert.deepEqual(await harness.posted(), [{ type: 'ready' }]);
    // Through JSON, as VS Code delivers it (the last bucket's Infinity becomes null).
    await harness.sendRaw({ type: 'health', snapshot: JSON.parse(JSON.stringify(snapshot())) });
    const rows = async (n: number) => (await page.locator('table').nth(n).locator('tbody tr').allInnerTexts()).map((r) => r.split('\t'));
    assert.deepEqual(await rows(0), [['terminal', '3', '612.4 s'], ['thinking', '5', '598.0 s']]);
    assert.deepEqual(await rows(1), [[XSS, 'joined', 'ada@example.com (VS Code), grace@example.com (terminal)', '17', '40', '2']]);
    assert.match((await page.locator('section').nth(1).textContent()) ?? '', /Local gateway: connections 2 · channels 3 · presences 2 · delivered 1,234/);
    assert.match((await page.locator('section').nth(2).textContent()) ?? '', /6 live events · p50 12 ms · p95 48 ms · p99 48 ms/);
    assert.deepEqual((await rows(2)).map((r) => r.slice(1)), [['s-1-long', 'joined', ''], ['s-1-long', 'reconnecting', 'CHANNEL_ERROR']]);
    const latencyLabel = (await page.locator('canvas').nth(1).getAttribute('aria-label')) ?? '';
    assert.match(latencyLabel, /≤ 5 ms: 1, ≤ 10 ms: 1, ≤ 20 ms: 2, ≤ 50 ms: 1,.*≤ 5 s: 0, > 5 s: 1/);
    assert.match((await page.locator('canvas').first().getAttribute('aria-label')) ?? '', /over 2 minutes: 8 events/);
    // Chart.js drew something on both canvases.
    const inked = await page.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    }));
    assert.ok(inked.every((n) => n > 500), `both charts drawn: ${inked.join(', ')} inked pixels`);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(harness.errors(), []);
  });

  it('says what failed on the server side and keeps the rest; Refresh and R ask the host', async () => {
    const page = await harness.open({ bundle: 'health' });
    await harness.sendRaw({ type: 'health', snapshot: JSON.parse(JSON.stringify(snapshot({ server: { error: "Could not load the server's figures: JWT expired" }, gateway: undefined, subscriptions: [], history: [] }))) });
    assert.equal(await page.locator('[role="alert"]').textContent(), "Could not load the server's figures: JWT expired");
    assert.match((await page.locator('section').nth(1).textContent()) ?? '', /No session is being watched in this window\..*hosted Supabase does not publish them/s);
    await page.locator('vscode-button', { hasText: 'Refresh' }).click();
    await page.keyboard.press('r');
    assert.deepEqual((await harness.posted()).map((m) => m.type), ['ready', 'refresh', 'refresh']);
  });
});
