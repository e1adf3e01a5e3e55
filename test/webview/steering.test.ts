/// <reference lib="dom" />
// The timeline's steering bar in a real Chromium under the panel's CSP: the buttons a state allows,
// "Stopping…" with every button disabled while a command waits, what a waiting agent asks (shown
// as text, never as HTML) with Approve / Deny / Reply that post the request's id, and a button
// that keeps the keyboard focus while events stream in.
import assert from 'node:assert/strict';
import type { SessionView } from '../../src/shared/timelineProtocol';
import { encodeEntries } from '../../src/shared/timelineProtocol';
import { WebviewHarness } from '../support/webviewHarness';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const XSS = '<img src=x onerror="window.__pwned=1">';
const base: SessionView = { id: 's-1', title: 'Fix the tests', state: 'running', createdAt: new Date(T0).toISOString(), commands: ['stop', 'pause', 'message'], requests: [] };
const entry = (seq: number) => ({ kind: 'event' as const, event: { id: `e-${seq}`, sessionId: 's-1', seq, type: 'thinking' as const, data: { iteration: seq, toolsUsed: [] }, createdAt: new Date(T0 + seq).toISOString() } });

describe('timeline steering bar in Chromium', function () {
  this.timeout(60_000);
  const harness = new WebviewHarness();
  before(() => harness.start());
  after(() => harness.stop());

  const labels = () => harness.page.locator('.steer-bar vscode-button').allTextContents();
  const lastPost = async () => (await harness.posted()).at(-1);

  it('offers what the state allows; a click asks the host; "Stopping…" disables every button until the outcome', async () => {
    await harness.open();
    await harness.send({ type: 'init', session: base, entries: encodeEntries([entry(1)]), connection: { state: 'joined', at: 0 }, now: T0, viewers: [], annotations: [], me: '' });
    const page = harness.page;
    await page.waitForSelector('.steer-bar');
    assert.deepEqual(await labels(), ['Send Message', 'Pause', 'Stop']);
    assert.equal(await page.locator('.steer-bar').getAttribute('role'), 'toolbar');
    await page.locator('[data-control="stop"]').click();
    assert.deepEqual(await lastPost(), { type: 'control', kind: 'stop' });

    await harness.send({ type: 'session', session: { ...base, pending: 'Stopping…' } });
    assert.equal(await page.locator('.steer-bar .pending').textContent(), 'Stopping…');
    assert.equal(await page.locator('.steer-bar vscode-button[disabled]').count(), 3);
    const before = (await harness.posted()).length;
    await page.locator('[data-control="pause"]').click({ force: true });
    assert.equal((await harness.posted()).length, before, 'a disabled button sends nothing');

    await harness.send({ type: 'session', session: { ...base, state: 'paused', commands: ['stop', 'resume'] } });
    assert.deepEqual(await labels(), ['Resume', 'Stop']);
    await harness.send({ type: 'session', session: { ...base, state: 'cancelled', commands: [] } });
    assert.equal(await page.locator('.steer').isHidden(), true, 'an ended session has nothing to steer');
    assert.deepEqual(harness.errors(), []);
  });

  it('a waiting agent: what it asks, as text, with Approve and Deny posting the request id; a question gets Reply', async () => {
    await harness.open();
    const waiting: SessionView = { ...base, state: 'waiting', commands: ['stop', 'approve', 'deny', 'message'], requests: [{ id: 'req-1', kind: 'approval', tool: 'Bash', title: `Bash: rm -rf build ${XSS}`, detail: `rm -rf build\n${XSS}`, at: new Date(T0).toISOString() }] };
    await harness.send({ type: 'init', session: waiting, entries: encodeEntries([entry(1)]), connection: { state: 'joined', at: 0 }, now: T0, viewers: [], annotations: [], me: '' });
    const page = harness.page;
    const ask = page.locator('.needs-you');
    await ask.waitFor();
    assert.equal(await ask.getAttribute('role'), 'alert', 'screen readers hear it');
    assert.equal(await ask.locator('.needs-you-title').textContent(), `Needs you: Bash: rm -rf build ${XSS}`);
    assert.equal(await ask.locator('img').count(), 0, 'HTML in a request is text');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    // The whole input is on screen (scrollable, reachable by keyboard): Approve says so.
    assert.equal(await ask.locator('.needs-you-detail').textContent(), `rm -rf build\n${XSS}`);
    assert.equal(await ask.locator('.needs-you-detail').getAttribute('tabindex'), '0');
    assert.equal(await ask.locator('.needs-you-cut').count(), 0);
    await ask.locator('[data-control="approve"]').click();
    assert.deepEqual(await lastPost(), { type: 'control', kind: 'approve', agentRequestId: 'req-1', shownWhole: true });
    await ask.locator('[data-control="deny"]').click();
    assert.deepEqual(await lastPost(), { type: 'control', kind: 'deny', agentRequestId: 'req-1' });
    await ask.locator('[data-show-input="req-1"]').click();
    assert.deepEqual(await lastPost(), { type: 'showInput', agentRequestId: 'req-1' });

    // Only the start of a long input fits: marked as cut; Approve (…) lets the host show all of it first.
    await harness.send({ type: 'session', session: { ...waiting, requests: [{ ...waiting.requests![0]!, detail: 'x'.repeat(100), detailCut: true, inputBytes: 250_000 }] } });
    await page.locator('.needs-you-cut').waitFor();
    assert.match((await page.locator('.needs-you-cut').textContent()) ?? '', /Cut: the first 100 characters of 250,000 bytes/);
    assert.equal(await page.locator('[data-show-input="req-1"]').textContent(), 'Open Whole Input');
    assert.equal(await page.locator('.needs-you [data-control="approve"]').textContent(), 'Approve…');
    await page.locator('.needs-you [data-control="approve"]').click();
    assert.deepEqual(await lastPost(), { type: 'control', kind: 'approve', agentRequestId: 'req-1' });

    await harness.send({ type: 'session', session: { ...waiting, requests: [{ id: 'q-1', kind: 'question', title: 'Which library?', at: new Date(T0).toISOString() }] } });
    await page.locator('.needs-you [data-control="message"]').click();
    assert.deepEqual(await lastPost(), { type: 'control', kind: 'message', agentRequestId: 'q-1' });
    assert.deepEqual(await labels(), ['Stop'], 'Reply takes the place of Send Message while a question waits');
  });

  it('a focused button keeps the focus while events stream in', async () => {
    await harness.open();
    await harness.send({ type: 'init', session: base, entries: encodeEntries([entry(1)]), connection: { state: 'joined', at: 0 }, now: T0, viewers: [], annotations: [], me: '' });
    const page = harness.page;
    await page.waitForSelector('.steer-bar');
    await page.locator('[data-control="pause"]').focus();
    for (let i = 2; i < 12; i++) await harness.send({ type: 'entries', entries: encodeEntries([entry(i)]), inserted: false });
    await page.waitForFunction(() => document.querySelectorAll('.row').length >= 5);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-control')), 'pause');
  });
});
