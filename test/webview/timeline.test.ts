/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The timeline webview in a real Chromium under the panel's CSP: rendering per type, hostile event
// data shown as text, filter, search, follow-live, replay, persisted UI state, keyboard.
import assert from 'node:assert/strict';
import type { SessionEvent } from '../../src/shared/events';
import type { TimelineEntry } from '../../src/shared/entries';
import { encodeEntries } from '../../src/shared/timelineProtocol';
import { WebviewHarness } from '../support/webviewHarness';

const T0 = Date.parse('2026-11-25T10:00:00Z');
let seq = 0;
function ev(type: SessionEvent['type'], data: Record<string, unknown>, atMs = seq * 1000): TimelineEntry {
  seq++;
  return { kind: 'event', event: { id: `e-${seq}`, sessionId: 's-1', seq, type, data, createdAt: new Date(T0 + atMs).toISOString() } as SessionEvent };
}

const XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

function sample(): TimelineEntry[] {
  seq = 0;
  return [
    ev('state_changed', { from: 'pending', to: 'running', reason: 'started' }),
    ev('thinking', { iteration: 1, toolsUsed: ['read_file', 'bash'] }),
    ev('terminal', { command: 'npm test', output: '\u001b[31mFAIL\u001b[0m one\n', error: 'stack trace', exitCode: 1 }),
    ev('file_change', { path: 'src/app.ts', action: 'write' }),
    ev('file_change', { path: 'src/old.ts', action: 'delete' }),
    ev('files_changed', { files: [{ path: 'README.md', action: 'write' }, { path: 'b.ts', action: 'write' }] }),
    ev('completion', { message: 'All good', stats: { iterations: 3, inputTokens: 1200, outputTokens: 340, toolCalls: 5 } }),
    { kind: 'malformed', malformed: { id: 'bad-1', sessionId: 's-1', seq: 99, createdAt: null, reason: 'thinking.iteration: expected number', raw: { event_data: { iteration: 'x' } } } },
  ];
}

const session = { id: 's-1', title: 'Add a greeting module', state: 'running' as const, createdAt: new Date(T0).toISOString() };

describe('timeline webview in Chromium', function () {
  this.timeout(60_000);
  const harness = new WebviewHarness();
  before(() => harness.start());
  after(() => harness.stop());

  async function init(entries = sample(), connection: Parameters<WebviewHarness['send']>[0] extends infer M ? (M extends { type: 'init'; connection: infer C } ? C : never) : never = { state: 'joined', at: 0 }, viewers: Array<{ name: string; client: string }> = []) {
    await harness.answerAsHost(entries);
    await harness.send({ type: 'init', session, entries: encodeEntries(entries), connection, now: T0 + 60_000, viewers, annotations: [], me: '' });
    await harness.page.waitForSelector('.row');
  }

  it('says ready first, then renders one row per event with its own renderer', async () => {
    await harness.open();
    assert.deepEqual((await harness.posted())[0], { type: 'ready' });
    await init();
    const page = harness.page;
    assert.equal(await page.locator('.title').textContent(), 'Add a greeting module');
    assert.match((await page.locator('.kind-terminal').textContent()) ?? '', /\$ npm test.*exit 1/s);
    assert.equal(await page.locator('.kind-terminal .chip.exit-fail').count(), 1);
    assert.equal(await page.locator('.kind-terminal pre.stdout .ansi-red-fg').textContent(), 'FAIL', 'ANSI colour through ansi_up');
    assert.equal(await page.locator('.kind-terminal pre.stderr').textContent(), 'stack trace');
    assert.equal(await page.locator('a.file[data-open="src/app.ts"]').count(), 1);
    assert.equal(await page.locator('.file.deleted').textContent(), 'src/old.ts');
    assert.equal(await page.locator('.kind-files_changed li').count(), 2);
    assert.match((await page.locator('.card.completion').textContent()) ?? '', /All good.*Steps3.*Tool calls5.*Input tokens1,200/s);
    assert.match((await page.locator('.card.malformed').textContent()) ?? '', /Malformed event: thinking\.iteration: expected number.*"iteration": "x"/s);
    assert.match((await page.locator('.header').textContent()) ?? '', /8 events.*1,200 in \/ 340 out tokens/);
    assert.deepEqual(harness.errors(), []);
  });

  it('shows who is watching (presence) as initials with names for screen readers, live', async () => {
    await harness.open();
    await init(sample(), { state: 'joined', at: 0 }, [{ name: 'ada.lovelace@example.com', client: 'vscode' }, { name: XSS, client: 'cli' }]);
    const page = harness.page;
    const viewers = page.locator('.header .viewers');
    assert.equal(await viewers.getAttribute('aria-label'), `2 watching: ada.lovelace@example.com (VS Code), ${XSS} (terminal)`);
    assert.deepEqual(await viewers.locator('.avatar').allTextContents(), ['AL', 'IS']);
    assert.equal(await viewers.locator('.avatar.client-cli').count(), 1);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'a hostile name never runs');
    await harness.send({ type: 'viewers', viewers: [] });
    assert.equal(await viewers.count(), 0, 'nobody watching: no avatars');
  });

  it('shows HTML and script in every field as text; nothing runs (under the panel’s CSP)', async () => {
    await harness.open();
    seq = 0;
    await init([
      ev('state_changed', { from: 'pending', to: 'running', reason: XSS }),
      ev('thinking', { iteration: 1, toolsUsed: [XSS] }),
      ev('terminal', { command: XSS, output: `${XSS}\n\u001b[32m${XSS}\u001b[0m`, error: XSS, exitCode: 0 }),
      ev('file_change', { path: XSS, action: 'write' }),
      ev('error', { message: XSS }),
    ]);
    const page = harness.page;
    assert.equal(await page.locator('#app img, #app script').count(), 0, 'no element was created from event data');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.ok(((await page.locator('.kind-terminal').textContent()) ?? '').includes('<img src=x onerror="window.__pwned=1">'), 'the markup is visible as text');
    assert.equal(await page.locator('a.file').getAttribute('data-open'), XSS);
    await page.locator('a.file').click();
    assert.deepEqual((await harness.posted()).at(-1), { type: 'openFile', path: XSS, mode: 'preview' }, 'the host decides (its path guard refuses it)');
  });

  it('filters by type with counts, and searches with highlights and next/previous', async () => {
    await harness.open();
    await init();
    const page = harness.page;
    const terminal = page.locator('button.filter', { hasText: 'Terminal' });
    assert.equal(await terminal.textContent(), 'Terminal 1');
    await terminal.click();
    assert.equal(await terminal.getAttribute('aria-pressed'), 'false');
    assert.equal(await page.locator('.kind-terminal').count(), 0);
    await terminal.click();
    assert.equal(await page.locator('.kind-terminal').count(), 1);
    await page.locator('vscode-textfield.search').click();
    await page.keyboard.type('src/');
    await page.waitForFunction(() => document.querySelectorAll('mark').length >= 2);
    await page.locator('.hits', { hasText: '1/2' }).waitFor();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.hits').textContent(), '2/2');
    assert.equal(await page.locator('.row.hit a.file, .row.hit .file').first().textContent(), 'src/old.ts');
    assert.match(await harness.state(), /"search":"src\/"/, 'the search is kept in webview state');
  });

  it('follows live events, and when scrolled up shows "N new events" instead of jumping', async () => {
    await harness.open({ height: 500 });
    seq = 0;
    const many = Array.from({ length: 300 }, (_, i) => ev('thinking', { iteration: i, toolsUsed: [] }));
    await init(many);
    const page = harness.page;
    const atBottom = () => page.evaluate(() => { const s = document.querySelector('.scroller')!; return s.scrollTop + s.clientHeight >= s.scrollHeight - 30; });
    await page.waitForFunction(() => { const s = document.querySelector('.scroller')!; return s.scrollTop > 0; });
    assert.ok(await atBottom(), 'starts at the newest event');
    assert.ok((await page.locator('.row').count()) < 60, 'only the visible rows are in the DOM (virtualized)');
    await harness.send({ type: 'entries', entries: encodeEntries([ev('thinking', { iteration: 300, toolsUsed: [] })]), inserted: false });
    await page.waitForFunction(() => [...document.querySelectorAll('.row')].some((r) => r.textContent?.includes('Step 300')));
    assert.ok(await atBottom());
    await page.locator('.scroller').hover();
    await page.mouse.wheel(0, -3000);
    await page.waitForFunction(() => document.querySelector('.toggle[aria-pressed="false"]') !== null);
    await page.mouse.wheel(0, -150); // a short step: rows stay, new ones come in above them
    await page.waitForFunction(() => Math.max(...[...document.querySelectorAll<HTMLElement>('.row')].map((r) => Number(r.dataset.index))) < 290);
    const order = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.row')].map((r) => Number(r.dataset.index)));
    assert.deepEqual(order, [...order].sort((x, y) => x - y), 'rows scrolled in from above come first in the DOM (reading order)');
    assert.ok(order.length > 3 && order.at(-1)! < 290, `scrolled up: rows ${order[0]}–${order.at(-1)}`);
    await harness.send({ type: 'entries', entries: encodeEntries([ev('thinking', { iteration: 301, toolsUsed: [] }), ev('thinking', { iteration: 302, toolsUsed: [] })]), inserted: false });
    await page.waitForSelector('.pill:not([hidden])');
    assert.equal(await page.locator('.pill').textContent(), '2 new events ↓');
    assert.equal(await atBottom(), false, 'did not jump');
    await page.locator('.pill').click();
    await page.waitForFunction(() => { const s = document.querySelector('.scroller')!; return s.scrollTop + s.clientHeight >= s.scrollHeight - 30; });
  });

  it('keeps following live in a narrow panel whose rows are taller than estimated', async () => {
    // Half an editor wide: commands and output wrap, so each new row is measured taller than the
    // virtualizer guessed and the list grows under the view while it scrolls to the end.
    await harness.open({ width: 520, height: 600 });
    seq = 0;
    await init([ev('state_changed', { from: 'pending', to: 'running', reason: 'picked up the task' })]);
    const page = harness.page;
    const output = Array.from({ length: 6 }, (_, i) => `line ${i} of output that is long enough to wrap in a narrow timeline column`).join('\n');
    for (let i = 0; i < 30; i++) {
      const entry = i % 2 ? ev('terminal', { command: `npx tsx src/greeting.test.ts --run ${i} --with a long list of arguments`, output, error: '', exitCode: 0 }) : ev('thinking', { iteration: i, toolsUsed: ['read_file', 'edit_file'] });
      await harness.send({ type: 'entries', entries: encodeEntries([entry]), inserted: false });
      await page.waitForTimeout(60);
    }
    await page.waitForFunction(() => [...document.querySelectorAll('.row')].some((r) => r.textContent?.includes('--run 29')));
    // It gets to the end (however long the machine takes to lay the rows out), still following.
    await page.waitForFunction(() => { const s = document.querySelector('.scroller')!; return s.scrollTop + s.clientHeight >= s.scrollHeight - 30; });
    assert.equal(await page.locator('.toggle[aria-pressed]').first().getAttribute('aria-pressed'), 'true', 'follow live is still on');
  });

  it('shows what real agents report: reasoning and answers (long ones collapsed), a change with +/− that opens its diff, subagent work, cost and duration, a line not understood', async () => {
    await harness.open({ width: 900 });
    seq = 0;
    const long = Array.from({ length: 12 }, (_, i) => `thought ${i + 1} <b>not bold</b>`).join('\n');
    await harness.send({
      type: 'init',
      session: { ...session, source: 'Claude Code', cwd: '/home/ada/project' },
      entries: encodeEntries([
        ev('thinking', { iteration: 1, toolsUsed: [], text: long, kind: 'reasoning' }),
        ev('terminal', { command: 'ls test', output: 'a.test.ts\n', error: '', status: 'completed', parentToolUseId: 'toolu_task' }),
        ev('file_change', { path: 'src/app.ts', action: 'write', diff: '--- a/src/app.ts\n+++ b/src/app.ts\n@@ -1,1 +1,2 @@\n-old\n+new\n+more\n', additions: 2, deletions: 1 }),
        ev('thinking', { iteration: 1, toolsUsed: [], text: 'Line 7 of the codex output is not JSON; kept as it was.', raw: 'garbage <i>line</i>', unrecognised: true }),
        ev('completion', { message: 'Done', stats: { iterations: 2, inputTokens: 42339, outputTokens: 424, toolCalls: 1, costUsd: 0.24722425, durationMs: 8722 } }),
      ]),
      connection: { state: 'joined', at: 0 },
      now: T0 + 60_000,
      viewers: [],
      annotations: [],
      me: '',
    });
    const page = harness.page;
    await page.waitForSelector('.row');
    const reasoning = page.locator('.row').nth(0);
    assert.equal(await reasoning.locator('strong').first().textContent(), 'Reasoning');
    assert.equal((await reasoning.locator('.text').textContent())?.split('\n').length, 6, 'collapsed to six lines');
    assert.equal(await reasoning.locator('b').count(), 0, 'text stays text');
    await reasoning.locator('[data-toggle]').click();
    await page.waitForFunction(() => document.querySelector('.row .text')?.textContent?.split('\n').length === 12);
    assert.equal(await page.locator('.row').nth(1).locator('.chip.subagent').count(), 1);
    assert.equal(await page.locator('.row').nth(1).locator('.chip.exit-ok').textContent(), 'done');
    const change = page.locator('.row').nth(2);
    assert.equal((await change.locator('.diffstat').textContent())?.replace(/\s+/g, ' '), '+2 −1');
    await change.locator('[data-diff]').click();
    assert.deepEqual((await harness.posted()).at(-1), { type: 'openDiff', eventId: 'e-3' });
    assert.equal(await page.locator('.row').nth(3).locator('.chip.unrecognised').textContent(), 'not understood');
    assert.equal(await page.locator('.row').nth(3).locator('pre.raw').textContent(), 'garbage <i>line</i>');
    assert.match((await page.locator('.row').nth(4).locator('dl.stats').textContent()) ?? '', /Cost\$0\.2472Duration9s/);
    const header = (await page.locator('.header').textContent()) ?? '';
    assert.match(header, /9s · 42,339 in \/ 424 out tokens · \$0\.2472/);
    assert.match(header, /Claude Code/);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  });

  it('renders each terminal output on its own: an unclosed link or colour in one event never reaches a later one', async () => {
    await harness.open();
    seq = 0;
    await init([
      ev('terminal', { command: 'curl evil', output: 'before \u001b]8;;https://evil.example/login\u0007Session expired – click to sign in again', error: '', exitCode: 0 }),
      ev('terminal', { command: 'ls', output: '\u001b[31mred and never closed', error: '', exitCode: 0 }),
      ev('terminal', { command: 'echo ok', output: 'plain text of a later event', error: '', exitCode: 0 }),
    ]);
    const page = harness.page;
    const rows = page.locator('.row.kind-terminal');
    assert.equal(await rows.nth(2).locator('a').count(), 0, 'no link in the later event');
    assert.equal(await rows.nth(2).locator('pre span[class*="ansi"]').count(), 0, 'no colour carried over');
    assert.equal(await rows.nth(1).locator('a').count(), 0, 'nor in the one right after');
    assert.equal(await rows.nth(2).locator('pre').textContent(), 'plain text of a later event');
  });

  it('replays: the scrub slider shows the session as it was at that time', async () => {
    await harness.open();
    await init();
    const page = harness.page;
    await page.locator('input.scrub').fill('0');
    await page.waitForFunction(() => document.querySelectorAll('.row').length === 1);
    await page.locator('input.scrub').fill('500');
    await page.waitForFunction(() => document.querySelectorAll('.row').length === 4);
    await page.locator('input.scrub').fill('1000');
    await page.waitForFunction(() => document.querySelectorAll('.row').length === 8);
  });

  it('shows the connection banner with a Reconnect button that asks the host', async () => {
    await harness.open();
    await init(sample(), { state: 'error', reason: 'CHANNEL_ERROR: socket closed' });
    const page = harness.page;
    assert.match((await page.locator('.banner').textContent()) ?? '', /Disconnected: CHANNEL_ERROR: socket closed/);
    await page.locator('.banner vscode-button').click();
    assert.deepEqual((await harness.posted()).at(-1), { type: 'reconnect' });
    await harness.send({ type: 'connection', connection: { state: 'reconnecting', attempt: 3, maxAttempts: 10, retryAt: T0 + 68_000, reason: 'TIMED_OUT' }, now: T0 + 60_000 });
    assert.match((await page.locator('.banner').textContent()) ?? '', /Reconnecting in 8 s — attempt 3 of 10/);
    // The countdown is one timer however often the banner is drawn (every batch of events redraws it).
    await page.evaluate(() => {
      const w = window as unknown as { __countdowns: Set<unknown> };
      w.__countdowns = new Set();
      const set = window.setTimeout.bind(window);
      const clear = window.clearTimeout.bind(window);
      window.setTimeout = ((f: () => void, ms?: number) => {
        const id = set(() => {
          w.__countdowns.delete(id);
          f();
        }, ms);
        if (ms === 1000) w.__countdowns.add(id);
        return id;
      }) as typeof window.setTimeout;
      window.clearTimeout = ((id?: number) => {
        w.__countdowns.delete(id);
        clear(id);
      }) as typeof window.clearTimeout;
    });
    for (let i = 0; i < 15; i++) await harness.send({ type: 'entries', entries: encodeEntries([ev('thinking', { iteration: 100 + i, toolsUsed: [] }, 100 + i)]), inserted: false });
    await page.waitForTimeout(1500);
    assert.equal(await page.evaluate(() => (window as unknown as { __countdowns: Set<unknown> }).__countdowns.size), 1, 'one countdown timer, not one per redraw');
    await harness.send({ type: 'connection', connection: { state: 'joined', at: 0 }, now: T0 });
    assert.equal(await page.locator('.banner').isHidden(), true);
  });

  it('keyboard: / searches, j/k move, Enter opens the file; copy posts the JSON; state survives a reload', async () => {
    await harness.open();
    await init();
    const page = harness.page;
    await page.locator('.scroller').focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('j');
    assert.match((await page.locator('.row.selected').textContent()) ?? '', /src\/app\.ts/);
    await page.keyboard.press('Enter');
    assert.deepEqual((await harness.posted()).at(-1), { type: 'openFile', path: 'src/app.ts', mode: 'preview' });
    await page.keyboard.press('k');
    assert.match((await page.locator('.row.selected').textContent()) ?? '', /npm test/);
    await page.locator('.row.selected [data-copy]').click();
    const copy = (await harness.posted()).at(-1) as { type: string; text: string };
    assert.equal(copy.type, 'copy');
    assert.equal(JSON.parse(copy.text).type, 'terminal');
    await page.locator('button.filter', { hasText: 'Thinking' }).click();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'VSCODE-TEXTFIELD');
    const state = await harness.state();
    await harness.open({ keepState: state });
    await init();
    assert.equal(await harness.page.locator('button.filter', { hasText: 'Thinking' }).getAttribute('aria-pressed'), 'false', 'filters survive a reload');
    assert.equal(await harness.page.locator('.kind-thinking').count(), 0);
  });
});
