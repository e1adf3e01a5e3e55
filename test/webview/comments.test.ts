/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Comments and the read marker in the timeline webview, in a real Chromium under the panel's CSP:
// Markdown rendered without ever passing HTML through, Edit/Delete only on your own, the composer
// (keyboard, size check, kept text on failure, a draft that survives a reload), live changes, and
// opening at the user's read marker.
import assert from 'node:assert/strict';
import type { Annotation } from '../../src/shared/annotations';
import type { SessionEvent } from '../../src/shared/events';
import type { TimelineEntry } from '../../src/shared/entries';
import { addCommentRequest, encodeEntries, type TimelineWebviewMessage } from '../../src/shared/timelineProtocol';
import { WebviewHarness } from '../support/webviewHarness';

const T0 = Date.parse('2026-11-25T10:00:00Z');
const session = { id: 's-1', title: 'Comments', state: 'running' as const, createdAt: new Date(T0).toISOString() };
const ME = 'user-me';

function events(n: number): TimelineEntry[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'event', event: { id: `e-${i + 1}`, sessionId: 's-1', seq: i + 1, type: 'thinking', data: { iteration: i + 1, toolsUsed: [] }, createdAt: new Date(T0 + i * 1000).toISOString() } as SessionEvent }));
}

function note(id: string, eventId: string, body: string, userId = ME, authorName = 'me@example.com', editedAt: string | null = null): Annotation {
  return { id, eventId, sessionId: 's-1', userId, authorName, body, createdAt: new Date(T0 + 5000).toISOString(), editedAt };
}

const HOSTILE = 'Look: **bold** and `code`\n\n<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\n\n[click](javascript:window.__pwned=3) ![pic](https://example.com/x.png) https://example.com/docs [ext](vscode://publisher.ext/run?x=1) [cmd](command:workbench.action.quit) [rel](../secret) [mail](mailto:ada@example.com)';

describe('comments and read marker in the timeline webview', function () {
  this.timeout(60_000);
  const harness = new WebviewHarness();
  before(() => harness.start());
  after(() => harness.stop());

  async function init(entries: TimelineEntry[], annotations: Annotation[] = [], readSeq?: number, keepState?: string) {
    await harness.open({ keepState });
    await harness.send({ type: 'init', session, entries: encodeEntries(entries), connection: { state: 'joined', at: 0 }, now: T0 + 60_000, viewers: [], annotations, me: ME, readSeq });
    await harness.page.waitForSelector('.row');
  }
  const posted = async <T extends TimelineWebviewMessage['type']>(type: T) => (await harness.posted()).filter((m): m is Extract<TimelineWebviewMessage, { type: T }> => m.type === type);
  const saves = () => harness.requests(addCommentRequest);

  it('renders Markdown but never HTML, images or script links; Edit and Delete only on your own', async () => {
    await init(events(3), [note('n1', 'e-2', HOSTILE, 'someone-else', 'ada@example.com'), note('n2', 'e-2', 'mine, *edited*', ME, 'me@example.com', new Date(T0 + 9000).toISOString())]);
    const page = harness.page;
    const thread = page.locator('.row[data-key="e-2"] ul.thread');
    assert.equal(await thread.getAttribute('aria-label'), '2 comments');
    const first = thread.locator('li.note').first();
    assert.equal(await first.locator('.note-head strong').textContent(), 'ada@example.com');
    assert.equal(await first.locator('.note-body strong').textContent(), 'bold', 'Markdown emphasis');
    assert.equal(await first.locator('.note-body code').textContent(), 'code');
    assert.match((await first.locator('.note-body').textContent()) ?? '', /<img src=x onerror="window.__pwned=1"><script>/, 'HTML shown as text');
    assert.equal(await thread.locator('img, script').count(), 0, 'no element from the text');
    assert.equal(await thread.locator('a[href^="javascript"]').count(), 0, 'no script link');
    assert.equal(await first.locator('a[href="https://example.com/docs"]').count(), 1, 'plain links are linked');
    assert.deepEqual(await first.locator('.note-body a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))), ['https://example.com/x.png', 'https://example.com/docs', 'mailto:ada@example.com'], 'only http(s) and mailto links: no vscode:, command: or relative ones');
    assert.equal(await first.locator('[data-edit-note], [data-delete-note]').count(), 0, "no Edit or Delete on someone else's");
    const mine = thread.locator('li.note.mine');
    assert.equal(await mine.locator('.note-head strong').textContent(), 'You');
    assert.match((await mine.locator('.note-head').textContent()) ?? '', /\(edited\)/);
    assert.equal(await mine.locator('[data-edit-note="n2"]').count(), 1);
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'nothing ran');
    assert.deepEqual(harness.errors().filter((e) => !/Content Security Policy/.test(e)), []);

    await mine.locator('[data-delete-note="n2"]').click();
    assert.deepEqual(await posted('deleteAnnotation'), [{ type: 'deleteAnnotation', id: 'n2' }], 'delete goes to the host (which asks first)');
  });

  it('the composer: c on a row, Ctrl+Enter saves, a failure keeps the text, success closes it', async () => {
    await init(events(5));
    const page = harness.page;
    await page.locator('.scroller').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('c');
    const composer = page.locator('form.composer');
    assert.equal(await composer.isVisible(), true);
    assert.match((await composer.locator('.composer-title').textContent()) ?? '', /^Comment on Thinking event \d+$/);
    await page.keyboard.type('Why **this** step?');
    await page.keyboard.press('Control+Enter');
    const [sent] = await saves();
    assert.equal(sent?.params.body, 'Why **this** step?');
    assert.match(sent?.params.eventId ?? '', /^e-\d+$/);
    await harness.reply(sent!.id, { ok: false, error: 'Could not add the comment: the event or session no longer exists.' });
    assert.equal(await composer.locator('.composer-hint').textContent(), 'Could not add the comment: the event or session no longer exists.');
    assert.equal(await composer.locator('textarea').inputValue(), 'Why **this** step?', 'nothing lost');
    await page.keyboard.press('Control+Enter');
    const retry = (await saves()).at(-1)!;
    assert.notEqual(retry.id, sent!.id);
    await harness.reply(retry.id, { ok: true, result: null });
    assert.equal(await composer.isVisible(), false, 'closed once stored');

    // The stored comment comes back through the stream; edits go through the same composer.
    await harness.send({ type: 'annotations', upserted: [note('n9', retry.params.eventId, 'Why **this** step?')], removed: [] });
    await page.locator(`.row[data-key="${retry.params.eventId}"] [data-edit-note="n9"]`).click();
    assert.equal(await composer.locator('textarea').inputValue(), 'Why **this** step?');
    await page.keyboard.press('Escape');
    assert.equal(await composer.isVisible(), false, 'Esc cancels');
  });

  it('refuses an oversize or empty comment with the reason, without sending it', async () => {
    await init(events(2));
    const page = harness.page;
    await page.locator('.row[data-key="e-1"] [data-comment]').click();
    await page.locator('textarea.composer-text').fill('€'.repeat(1366));
    assert.match((await page.locator('.composer-hint').textContent()) ?? '', /at most 4 KiB; this one is 4\.0 KiB/);
    await page.locator('form.composer vscode-button', { hasText: 'Save' }).click();
    await page.locator('textarea.composer-text').fill('   ');
    await page.keyboard.press('Control+Enter');
    assert.match((await page.locator('.composer-hint').textContent()) ?? '', /cannot be empty/);
    assert.deepEqual(await saves(), []);
  });

  it('a draft survives a reload of the view; live changes add and remove threads', async () => {
    await init(events(3));
    const page = harness.page;
    await page.locator('.row[data-key="e-3"] [data-comment]').click();
    await page.locator('textarea.composer-text').fill('half-written thought');
    const state = await harness.state();
    await init(events(3), [], undefined, state);
    assert.equal(await harness.page.locator('textarea.composer-text').inputValue(), 'half-written thought');
    assert.match((await harness.page.locator('.composer-title').textContent()) ?? '', /Thinking event 3/);

    await harness.send({ type: 'annotations', upserted: [note('a', 'e-1', 'first'), note('b', 'e-1', 'second', 'other', 'grace@example.com')], removed: [] });
    await harness.page.waitForSelector('.row[data-key="e-1"] ul.thread[aria-label="2 comments"]'); // drawn in the next frame
    assert.deepEqual(await harness.page.locator('.row[data-key="e-1"] .note-body').allTextContents(), ['first\n', 'second\n']);
    await harness.send({ type: 'annotations', upserted: [], removed: ['a', 'b'] });
    await harness.page.waitForFunction(() => document.querySelector('.row[data-key="e-1"] ul.thread') === null);
  });

  it('opens at the read marker under a "New" divider, and reports how far the user has read', async () => {
    await init(events(300), [], 120);
    const page = harness.page;
    const divider = page.locator('.row.first-unread');
    await divider.waitFor();
    assert.equal(await divider.getAttribute('data-key'), 'e-121', 'the first event after the marker');
    const box = await divider.boundingBox();
    const list = await page.locator('.scroller').boundingBox();
    assert.ok(box && list && Math.abs(box.y - list.y) < 5, `the divider is at the top of the list (${box?.y} vs ${list?.y})`);
    assert.equal(await page.locator('.toggle', { hasText: 'Follow live' }).getAttribute('aria-pressed'), 'false', 'not following: the user reads from there');
    assert.equal(await page.locator('[aria-live="polite"].sr-only').textContent(), '180 new events since you last looked.');
    await page.waitForFunction(() => (window as unknown as { __posted: TimelineWebviewMessage[] }).__posted.some((m) => m.type === 'read'));
    const reads = (await posted('read')).map((m) => m.seq);
    assert.ok(reads.length > 0 && Math.max(...reads) > 120 && Math.max(...reads) < 160, `read up to what is on screen, not the end: ${reads.join(',')}`);
    await page.keyboard.press('End');
    await page.waitForFunction(() => (window as unknown as { __posted: TimelineWebviewMessage[] }).__posted.some((m) => m.type === 'read' && m.seq === 300));

    // No marker (first visit): follows the end as before, no divider.
    await init(events(50));
    assert.equal(await harness.page.locator('.row.first-unread').count(), 0);
    await harness.page.waitForFunction(() => (window as unknown as { __posted: TimelineWebviewMessage[] }).__posted.some((m) => m.type === 'read' && m.seq === 50));
  });
});
