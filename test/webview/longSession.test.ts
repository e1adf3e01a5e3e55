/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A session far longer than the timeline holds, in a real Chromium: it opens with the latest events
// and the whole session's size, pages older events in as it scrolls up and lets the far end go,
// jumps to the start, to a link's event and to a search hit anywhere in the session, filters the
// whole session, copies a selection as Markdown, and expands or collapses every long text. The
// host's answers come from the harness (its reads are tested against the database elsewhere).
import assert from 'node:assert/strict';
import type { TimelineEntry } from '../../src/shared/entries';
import type { SessionEvent } from '../../src/shared/events';
import { RequestRouter } from '../../src/shared/requests';
import { encodeEntries, pageRequest, type PageParams, type PageResult } from '../../src/shared/timelineProtocol';
import { until } from '../support/wait';
import { WebviewHarness } from '../support/webviewHarness';

const T0 = Date.parse('2026-12-03T08:00:00Z');
const N = 20_000;

function event(seq: number): TimelineEntry {
  const type: SessionEvent['type'] = seq % 5 === 0 ? 'terminal' : 'thinking';
  const data = type === 'terminal' ? { command: `npm test -- case ${seq}`, output: `ok ${seq}\n`, error: '', exitCode: 0 } : { iteration: seq, toolsUsed: ['read_file'], text: seq === 7 ? 'the only mention of quokka in this session' : `step ${seq}: ${'reading tokens; '.repeat(seq % 3 === 0 ? 20 : 2)}`.replace(/; /g, ';\n') };
  return { kind: 'event', event: { id: `e-${seq}`, sessionId: 's-1', seq, type, data, createdAt: new Date(T0 + seq * 1000).toISOString() } as SessionEvent };
}

const all = Array.from({ length: N }, (_, i) => event(i + 1));

/** A page of `entries` as the host reads one (keyset by number, unfiltered). */
function pageOf(entries: TimelineEntry[], p: PageParams): PageResult {
  const seq = (e: TimelineEntry) => (e.kind === 'event' ? e.event.seq : 0);
  const before = entries.filter((e) => seq(e) < p.seq);
  const after = entries.filter((e) => seq(e) > p.seq);
  const half = Math.floor(p.limit / 2);
  const page = p.direction === 'before' ? before.slice(-p.limit) : p.direction === 'after' ? after.slice(0, p.limit) : [...before.slice(-half), ...entries.filter((e) => seq(e) >= p.seq).slice(0, p.limit - half)];
  return { entries: encodeEntries(page), reachedStart: page.length === 0 || seq(page[0]!) === 1, reachedEnd: page.length === 0 || seq(page.at(-1)!) === N, total: N };
}
const session = { id: 's-1', title: 'A very long run', state: 'running' as const, createdAt: new Date(T0).toISOString() };

describe('a session of any length in the timeline (Chromium)', function () {
  this.timeout(90_000);
  const harness = new WebviewHarness();
  before(() => harness.start());
  after(() => harness.stop());

  async function open(): Promise<void> {
    await harness.open({ height: 700 });
    await harness.answerAsHost(all);
    await harness.send({ type: 'init', session, entries: encodeEntries(all.slice(-1000)), connection: { state: 'joined', at: 0 }, now: T0, viewers: [], annotations: [], me: '', total: N, reachedStart: false });
    await harness.page.waitForSelector('.row');
  }
  const seqs = () => harness.page.locator('.row .seq').allTextContents();
  const position = () => harness.page.locator('.position').textContent();

  it('opens at the end with the whole session on the overview bar; scrolling up pages older events in and lets the far end go', async () => {
    await open();
    const page = harness.page;
    assert.ok((await seqs()).includes(`#${N}`), 'the latest event is on screen');
    assert.equal(await page.locator('.overview').getAttribute('aria-valuemax'), String(N));
    assert.match((await position()) ?? '', new RegExp(`–20,000 of 20,000$`));
    // Scroll up: each time near the top, the page before comes in — past what the list holds at most.
    // (Scrolled to the top again at each poll until an event 5,000 back is on screen: a wait for that, not for a time.)
    const firstOnScreen = async () => Number(((await position()) ?? '').split('–')[0]!.replace(/,/g, ''));
    await page
      .waitForFunction(
        (target) => {
          document.querySelector('.scroller')!.scrollTop = 0;
          return Number((document.querySelector('.position')?.textContent ?? '').split('–')[0]!.replace(/,/g, '')) <= target;
        },
        N - 5000,
        { polling: 50, timeout: 60_000 },
      )
      .catch(async (error: Error) => assert.fail(`older events are not on screen (#${await firstOnScreen()}); ${(await harness.requests(pageRequest)).length} pages asked: ${error.message}`));
    // What the position says is on screen is what the rows on screen are, once the list has drawn
    // what it was last given (read at one moment, in the page).
    const agree = () =>
      page.evaluate(() => {
        const scroller = document.querySelector('.scroller')!;
        const top = scroller.getBoundingClientRect().top;
        const first = [...document.querySelectorAll<HTMLElement>('.inner > .row')].find((r) => r.getBoundingClientRect().bottom > top + 1);
        const label = document.querySelector('.position')!.textContent ?? '';
        return { label, row: first?.querySelector('.seq')?.textContent, same: `#${label.split('–')[0]!.replace(/,/g, '')}` === first?.querySelector('.seq')?.textContent };
      });
    await until('the position and the rows on screen agree', async () => (await agree()).same, 15_000).catch(async (error: Error) => assert.fail(`${error.message}: ${JSON.stringify(await agree())}`));
    const asked = await harness.requests(pageRequest);
    assert.ok(asked.length >= 10 && asked.every((m) => m.params.direction === 'before'), 'pages before what is held');
    assert.ok((await page.locator('.row').count()) < 80, 'only rows on screen are in the DOM');
    // The newest events were let go of: going to the end asks for them again.
    await page.locator('[data-jump="end"]').click();
    await page.locator('.row .seq', { hasText: `#${N}` }).waitFor();
    assert.deepEqual(harness.errors(), []);
  });

  it('a page the host fails to read (its handler throws before answering) is said, and asked again once the list scrolls', async () => {
    const page = await harness.open({ height: 700 });
    // The host's handler throws before it answers, as reading while signed out does; the panel's
    // router (the same RequestRouter) turns that into an error reply.
    let signedIn = false;
    const signedInClient = () => {
      if (!signedIn) throw new Error('Not signed in. Sign in to read this session.');
      return all;
    };
    const router = new RequestRouter();
    router.onRequest(pageRequest, (params) => pageOf(signedInClient(), params));
    await harness.answerWith(router);
    await harness.send({ type: 'init', session, entries: encodeEntries(all.slice(-1000)), connection: { state: 'joined', at: 0 }, now: T0, viewers: [], annotations: [], me: '', total: N, reachedStart: false });
    await page.waitForSelector('.row');
    const oldestHeld = N - 999;
    const olderInDom = () => page.evaluate((oldest) => [...document.querySelectorAll('.row .seq')].some((e) => Number(e.textContent!.slice(1)) < oldest), oldestHeld);

    await page.evaluate(() => (document.querySelector('.scroller')!.scrollTop = 0));
    await page.locator('[aria-live="polite"].sr-only', { hasText: 'Could not load events: Not signed in. Sign in to read this session.' }).waitFor();
    assert.ok((await harness.requests(pageRequest)).length >= 1);
    assert.equal(await olderInDom(), false, 'nothing came in');

    // The host can read again: the next scroll asks again (the pager is not stuck loading) and the older events come in.
    signedIn = true;
    await page.waitForFunction(
      (oldest) => {
        const scroller = document.querySelector('.scroller')!;
        // Away and back: a list whose rows on screen change is painted, and near its top asks for the page before.
        scroller.scrollTop = scroller.scrollTop < 100 ? 3000 : 0;
        return [...document.querySelectorAll('.row .seq')].some((e) => Number(e.textContent!.slice(1)) < oldest);
      },
      oldestHeld,
      { polling: 50 },
    );
    // Until a page joins what is held, every page asked is the one before event 19,001: the failed one, then its retries.
    const same = (await harness.requests(pageRequest)).filter((r) => r.params.direction === 'before' && r.params.seq === oldestHeld);
    assert.ok(same.length >= 2, `the failed page was asked again (${same.length})`);
    assert.equal(new Set(same.map((r) => r.id)).size, same.length, 'each retry is a request of its own');
    assert.deepEqual(harness.errors(), []);
  });

  it('Jump to Start, a link to an event anywhere (highlighted), and the overview bar by keyboard', async () => {
    await open();
    const page = harness.page;
    await page.locator('[data-jump="start"]').click();
    await page.locator('.row .seq', { hasText: /^#1$/ }).waitFor();
    assert.match((await position()) ?? '', /^1–\d+ of 20,000$/);
    await harness.send({ type: 'reveal', seq: 12_345 });
    const revealed = page.locator('.row.revealed');
    await revealed.waitFor();
    assert.equal(await revealed.locator('.seq').textContent(), '#12345');
    assert.ok(await revealed.evaluate((el) => el.classList.contains('selected')));
    await page.locator('.overview').focus();
    await page.keyboard.press('End');
    await page.locator('.row .seq', { hasText: `#${N}` }).waitFor();
    await page.keyboard.press('Home');
    await page.locator('.row .seq', { hasText: /^#1$/ }).waitFor();
  });

  it('searches the whole session: a word only in event 7 is found from the end, and shown', async () => {
    await open();
    const page = harness.page;
    await page.locator('vscode-textfield.search').click();
    await page.keyboard.type('quokka');
    await page.locator('.hits', { hasText: '1/1' }).waitFor();
    const hit = page.locator('.row.hit');
    await hit.waitFor();
    assert.equal(await hit.locator('.seq').textContent(), '#7');
    assert.match((await page.locator('.results summary').textContent()) ?? '', /1 result in the whole session/);
    assert.equal(await page.locator('.result .result-seq').first().textContent(), '#7');
  });

  it('a type filter applies to the whole session (asked of the host), and a selection copies as Markdown', async () => {
    await open();
    const page = harness.page;
    await page.locator('button.filter', { hasText: 'Thinking' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.row.kind-thinking').length === 0 && document.querySelectorAll('.row.kind-terminal').length > 0);
    const asked = (await harness.requests(pageRequest)).at(-1)?.params;
    assert.ok(asked?.types && !asked.types.includes('thinking') && asked.types.includes('terminal'), JSON.stringify(asked));
    // The last three terminal events (every fifth event is one), by their numbers.
    const row = (seq: number) => page.locator('.row.kind-terminal', { has: page.locator('.seq', { hasText: new RegExp(`^#${seq}$`) }) });
    await row(N - 10).click({ position: { x: 60, y: 10 } });
    await row(N).click({ position: { x: 60, y: 10 }, modifiers: ['Shift'] });
    assert.equal(await page.locator('.row.in-selection').count(), 3);
    await page.locator('[data-copy-markdown]').click();
    const copied = (await harness.posted()).filter((m) => m.type === 'copy').at(-1);
    assert.ok(copied?.type === 'copy');
    assert.equal(copied.what, '3 events as Markdown');
    assert.equal((copied.text.match(/^```console$/gm) ?? []).length, 3, 'each command in a fenced block');
    assert.match(copied.text, /\$ npm test -- case 20000\nok 20000/);
  });

  it('Expand All shows every long text whole; Collapse All goes back to previews', async () => {
    await open();
    const page = harness.page;
    await page.locator('[data-jump="start"]').click();
    const long = page.locator('.row', { has: page.locator('.seq', { hasText: /^#3$/ }) });
    await long.waitFor();
    await long.locator('[data-toggle]', { hasText: /Show all/ }).waitFor();
    await page.locator('[data-expand="all"]').click();
    await long.locator('[data-toggle]', { hasText: 'Show less' }).waitFor();
    await page.locator('[data-expand="none"]').click();
    await long.locator('[data-toggle]', { hasText: /Show all/ }).waitFor();
  });
});
