/// <reference lib="dom" />
// The workbench E2E tier: a real VS Code (code-server 4.139 / VS Code 1.139) with the built
// extension, driven by Playwright in a real Chromium exactly as a user would — command palette,
// quick inputs, status bar, the timeline webview, editor tabs, notifications, a page reload —
// against the local stack behind a fault proxy, while a worker (the service-role client, straight
// to the stack) plays the agent. Screenshots: test-results/e2e/ (every failure, plus a few steps).
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { SessionEventStream } from '../../src/core/sessionEventStream';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import { SessionLifecycleManager } from '../../src/worker/sessionLifecycleManager';
import { envLines, startStack, type Stack } from '@agent-session-stream/local-supabase';
import { runCli } from '../support/cli';
import { FaultProxy } from '../support/faultProxy';
import { answerQuickInput, launchBrowser, runCommand as paletteCommand, timelineFrame, Workbench } from '../support/workbench';

const ARTIFACTS = path.resolve(__dirname, '../../test-results/e2e');
const TITLE = 'E2E: add a greeting module';
const USER = { email: 'e2e@example.test', password: 'correct horse battery' };

describe('Agent Session Stream in the real workbench (code-server + Chromium)', function () {
  this.timeout(120_000);
  let tmp: string;
  let stack: Stack;
  let proxy: FaultProxy;
  let workbench: Workbench;
  let browser: Browser;
  let page: Page;
  let worker: SessionLifecycleManager;
  let sessionId: string;
  let userId: string;
  let emitted = 0;
  /** The session the follow test starts (ended by the stop test, so the demo is followed). */
  let followedId = '';

  const statusItem = (p: Page = page) => p.locator('.statusbar-item', { has: p.locator('.codicon-broadcast, .codicon-plug, .codicon-warning, .codicon-sync, .codicon-error, .codicon-bell-dot') }).filter({ hasText: /Session Stream|Select Session|E2E|Reconnecting|Connecting|Disconnected/ });
  const timeline = (p: Page = page): FrameLocator => timelineFrame(p);
  const emit = async (type: Parameters<SessionLifecycleManager['emitEvent']>[1], data: Record<string, unknown>) => {
    const outcome = await worker.emitEvent(sessionId, type, data);
    assert.equal(outcome.status, 'stored');
    emitted++;
  };
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

  const runCommand = (title: string, p: Page = page) => paletteCommand(p, title);

  /**
   * Runs `command` and picks the test's session in the quick pick it opens. A quick pick closes when
   * the page loses focus for a moment (headless Chromium, and a webview finishing its work, both do
   * that): the command is run again until the session is picked, as a user would.
   */
  async function pickSession(command: string, p: Page = page): Promise<void> {
    const input = p.locator('.quick-input-widget input');
    for (let tries = 1; ; tries++) {
      await runCommand(command, p);
      try {
        await p.locator('.quick-input-list .monaco-list-row', { hasText: TITLE }).waitFor({ timeout: 10_000 });
        await input.fill('greeting module', { timeout: 5_000 });
        await input.press('Enter', { timeout: 5_000 });
        return;
      } catch (error) {
        if (tries === 3) throw error;
        await p.keyboard.press('Escape');
      }
    }
  }

  const answer = (value: string) => answerQuickInput(page, value);

  const eventCount = async (header: Locator) => Number(/(\d+) events/.exec((await header.textContent()) ?? '')?.[1] ?? -1);

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'session-stream-e2e-'));
    const workspace = path.join(tmp, 'ws');
    mkdirSync(path.join(workspace, 'src'), { recursive: true });
    writeFileSync(path.join(workspace, 'src/app.ts'), "import { greet } from './greeting';\n\nconsole.log(greet('world'));\n");
    writeFileSync(path.join(workspace, 'src/greeting.ts'), 'export const greet = (name: string) => `Hello, ${name}!`;\n');
    stack = await startStack({ port: 0, logLevel: 'error' });
    proxy = new FaultProxy(Number(new URL(stack.env.API_URL).port));
    await proxy.start();
    const envFile = path.join(tmp, 'stack.env');
    writeFileSync(envFile, envLines({ ...stack.env, API_URL: proxy.url }));
    const { data, error } = await createSupabaseClient(stack.env.API_URL, stack.env.ANON_KEY).auth.signUp(USER);
    if (error || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
    // The worker plays the agent straight to the stack; only VS Code goes through the proxy.
    worker = new SessionLifecycleManager(createSupabaseClient(stack.env.API_URL, stack.env.SERVICE_ROLE_KEY));
    userId = data.user.id;
    sessionId = (await worker.createSession(userId, TITLE)).id;
    await worker.transition(sessionId, 'running', 'agent started');
    emitted = 1;
    // Files do not open by themselves here, so the editor tab of the click test comes from the click.
    workbench = await Workbench.launch({ root: tmp, workspace, env: { SESSION_STREAM_ENV_FILE: envFile }, settings: { 'sessionStream.openFilesOnChange': 'off', 'chat.disableAIFeatures': true, 'workbench.secondarySideBar.defaultVisibility': 'hidden' } });
    browser = await launchBrowser();
    // One context for every tab: the second window of the two-window test shares its storage.
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await workbench.open(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    if (page) await shot(`failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
    // VS Code's own logs, with the extension's output channel, next to the screenshot; and what
    // code-server printed (when the window never loaded, there are no logs yet).
    if (existsSync(path.join(tmp, 'user/logs'))) cpSync(path.join(tmp, 'user/logs'), path.join(ARTIFACTS, 'logs'), { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'code-server.log'), workbench?.log(20_000) ?? '');
    console.error(`code-server said (last lines):\n${workbench?.log(2000) ?? '(not started)'}`);
  });

  after(async () => {
    await browser?.close();
    workbench?.stop();
    worker?.dispose();
    await proxy?.close();
    await stack?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('shows its status bar item once the workbench is up (signed out: click to sign in)', async () => {
    await statusItem().filter({ hasText: 'Session Stream' }).waitFor({ timeout: 60_000 });
  });

  it('first run: Sign In from the command palette offers the local stack, asks email and password, then follows the running session', async () => {
    await runCommand('Agent Session Stream: Sign In');
    const offer = page.locator('.notification-toast', { hasText: 'Connect to the local stack at' });
    await offer.waitFor({ timeout: 20_000 });
    await offer.locator('.monaco-button', { hasText: 'Use Local Stack' }).click();
    await answer(USER.email);
    await answer(USER.password);
    // Nothing was watched and the user's session is running: it is followed on its own.
    await statusItem().filter({ hasText: TITLE }).waitFor({ timeout: 20_000 });
    await page.locator('.tab', { hasText: TITLE }).waitFor({ timeout: 20_000 });
    // Let the timeline finish loading: a webview that loads while the palette opens can close it.
    await timeline().locator('.header', { hasText: TITLE }).waitFor({ timeout: 20_000 });
    // The same offer also came up at activation ("A local stack is running. Use it?"); done with it.
    await runCommand('Notifications: Clear All Notifications');
    await page.locator('.notification-toast').first().waitFor({ state: 'detached' });
  });

  /**
   * A click on the status bar item of a session that can still be steered opens its menu, with
   * Open Timeline first: the click and Enter, again if a focus blip closed the menu.
   */
  async function openFromStatusBar(p: Page, title = TITLE): Promise<void> {
    for (let tries = 1; ; tries++) {
      await statusItem(p).filter({ hasText: title }).click();
      try {
        await p.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Timeline' }).first().waitFor({ timeout: 10_000 });
        await p.locator('.quick-input-widget input').press('Enter', { timeout: 5_000 });
        return;
      } catch (error) {
        if (tries === 3) throw error;
        await p.keyboard.press('Escape');
      }
    }
  }

  /** Select Session → the quick pick → the status bar shows it → its menu opens the timeline. */
  async function watchSession(p: Page): Promise<void> {
    await pickSession('Agent Session Stream: Select Session', p);
    const item = statusItem(p).filter({ hasText: TITLE });
    await item.waitFor({ timeout: 20_000 });
    await openFromStatusBar(p);
    await p.locator('.tab', { hasText: TITLE }).waitFor({ timeout: 20_000 });
    await timeline(p).locator('.title', { hasText: TITLE }).waitFor({ timeout: 20_000 });
  }

  it('picks the session in the quick pick; the status bar shows it; its menu opens the timeline', async () => {
    await watchSession(page);
  });

  it('shows who else is watching: a terminal viewer appears in the timeline header and leaves again', async () => {
    const supabase = createSupabaseClient(stack.env.API_URL, stack.env.ANON_KEY);
    const { data, error } = await supabase.auth.signInWithPassword(USER);
    if (error || !data.session) throw new Error(`sign-in failed: ${error?.message}`);
    const token = data.session.access_token;
    const viewer = createSupabaseClient(stack.env.API_URL, stack.env.ANON_KEY, { accessToken: () => Promise.resolve(token) });
    const tail = new SessionEventStream({ client: viewer, sessionId, watchdogMs: 0, presence: { key: 'e2e-terminal', name: 'Grace', client: 'cli' } });
    tail.open();
    try {
      const viewers = timeline().locator('.header .viewers');
      await viewers.and(timeline().locator('[aria-label*="Grace (terminal)"]')).waitFor({ timeout: 20_000 });
      // This window shows itself by the part of its user's email before `@`, never the address.
      const label = (await viewers.getAttribute('aria-label')) ?? '';
      assert.match(label, /^2 watching: .*\be2e \(VS Code\)/);
      assert.doesNotMatch(label, /@/);
    } finally {
      await tail.close();
    }
    await timeline().locator('.header .viewers[aria-label^="1 watching"]').waitFor({ timeout: 20_000 });
  });

  it('shows events live as the agent emits them', async () => {
    await emit('thinking', { iteration: 1, toolsUsed: ['read_file'] });
    await emit('terminal', { command: 'npm test', output: '\u001b[32m✔\u001b[0m greet\n', error: '', exitCode: 0 });
    await emit('file_change', { path: 'src/greeting.ts', action: 'write' });
    await emit('file_change', { path: 'src/app.ts', action: 'write' });
    const rows = timeline().locator('.row');
    await timeline().locator('.row.kind-terminal', { hasText: 'npm test' }).waitFor();
    await timeline().locator('a.file[data-open="src/app.ts"]').waitFor();
    assert.ok((await rows.count()) >= emitted);
    await shot('live-timeline');
  });

  it('Emit Test Event: pick session and type, JSON checked as you type, the event comes back through the stream', async () => {
    const input = page.locator('.quick-input-widget input');
    await pickSession('Agent Session Stream: Emit Test Event');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'file_change' }).waitFor();
    assert.equal(await page.locator('.quick-input-list .monaco-list-row', { hasText: 'state_changed' }).count(), 0, "state changes are the database's to record");
    await input.fill('thinking');
    await input.press('Enter');
    await page.waitForFunction(() => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value.includes('iteration'));
    await input.fill('{"iteration": "forty-two"}');
    await page.locator('.quick-input-message', { hasText: /iteration/ }).waitFor();
    await input.fill('{not json');
    await page.locator('.quick-input-message', { hasText: 'Not valid JSON' }).waitFor();
    await input.fill('{"iteration": 42, "toolsUsed": ["grep"]}');
    await input.press('Enter');
    emitted++;
    await page.locator('.notification-toast', { hasText: /Stored thinking as event #\d+/ }).waitFor({ timeout: 20_000 });
    await timeline().locator('.row.kind-thinking', { hasText: 'Step 42' }).waitFor({ timeout: 20_000 });
  });

  it('goes reconnecting when the network is cut, and back, with no event missing from the timeline', async () => {
    proxy.cut();
    await statusItem().filter({ hasText: /Reconnecting in \d+ s \(\d+\/10\)/ }).waitFor({ timeout: 30_000 });
    await timeline().locator('.banner', { hasText: 'Reconnecting' }).waitFor();
    await shot('reconnecting');
    for (let i = 2; i <= 6; i++) await emit('thinking', { iteration: i, toolsUsed: ['bash'] });
    proxy.restore();
    await statusItem().filter({ hasText: TITLE }).waitFor({ timeout: 40_000 });
    const header = timeline().locator('.header');
    await header.filter({ hasText: `${emitted} events` }).waitFor({ timeout: 20_000 });
    assert.equal(await eventCount(header), emitted);
    const steps = await timeline().locator('.row.kind-thinking').allTextContents();
    for (let i = 1; i <= 6; i++) assert.ok(steps.some((t) => t.includes(`Step ${i}`)), `Step ${i} is in the timeline`);
  });

  it('clicking a file_change row opens that file in an editor tab', async () => {
    await timeline().locator('a.file[data-open="src/app.ts"]').click();
    await page.locator('.tab', { hasText: 'app.ts' }).waitFor({ timeout: 20_000 });
    // Back to the timeline for the next steps.
    await page.locator('.tab', { hasText: TITLE }).click();
  });

  it('a change the timeline cannot open is reported to the user, not lost (here: a folder)', async () => {
    await emit('file_change', { path: 'src', action: 'write' });
    await timeline().locator('a.file[data-open="src"]').click();
    await page.locator('.notification-toast', { hasText: /^Timeline: |Timeline: / }).first().waitFor({ timeout: 20_000 });
    await runCommand('Notifications: Clear All Notifications');
    await page.locator('.tab', { hasText: TITLE }).click();
  });

  it('filters by type and searches', async () => {
    const view = timeline();
    await view.locator('button.filter', { hasText: 'Thinking' }).click();
    await view.locator('.row.kind-thinking').first().waitFor({ state: 'detached' });
    assert.equal(await view.locator('.row.kind-thinking').count(), 0);
    await view.locator('button.filter', { hasText: 'Thinking' }).click();
    await view.locator('.row.kind-thinking').first().waitFor();
    await view.locator('vscode-textfield.search input, vscode-textfield.search').first().click();
    await page.keyboard.type('greeting');
    await view.locator('.hits', { hasText: /^\d+\/\d+$/ }).waitFor();
    await view.locator('mark', { hasText: 'greeting' }).first().waitFor();
    await shot('search');
    await page.keyboard.press('Escape');
  });

  it('two windows on the session see each other watching, and each other’s comments, live', async () => {
    // A second browser tab of the same workbench: another VS Code window (its own extension host),
    // signed in as the same user (the secret storage is the browser's).
    const second = await page.context().newPage();
    try {
      await workbench.open(second);
      await statusItem(second).filter({ hasText: /Select Session|E2E/ }).waitFor({ timeout: 60_000 });
      await watchSession(second);
      await page.bringToFront();
      const twoWindows = '[aria-label^="2 watching: e2e (VS Code), e2e (VS Code)"]';
      await timeline(page).locator(`.header .viewers${twoWindows}`).waitFor({ timeout: 20_000 });
      await timeline(second).locator(`.header .viewers${twoWindows}`).waitFor({ timeout: 20_000 });

      // A comment written in the second window, with the keyboard, appears under the row in the first.
      const row = (p: Page) => timeline(p).locator('.row.kind-terminal', { hasText: 'npm test' });
      await row(second).locator('[data-comment]').click();
      await timeline(second).locator('textarea.composer-text').fill('Why did **this** pass <b>only</b> now?');
      await timeline(second).locator('textarea.composer-text').press('Control+Enter');
      await timeline(second).locator('form.composer').waitFor({ state: 'hidden', timeout: 20_000 });
      const note = row(page).locator('ul.thread li.note');
      await note.locator('.note-body strong', { hasText: 'this' }).waitFor({ timeout: 20_000 });
      assert.match((await note.locator('.note-body').textContent()) ?? '', /Why did this pass <b>only<\/b> now\?/, 'Markdown rendered, HTML shown as text');
      assert.equal(await note.locator('.note-head strong').textContent(), 'You');
      await shot('comment');

      // Deleted in the first window (after VS Code's confirmation), gone from the second.
      await note.locator('[data-delete-note]').click();
      await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Delete' }).click();
      await row(second).locator('ul.thread').waitFor({ state: 'detached', timeout: 20_000 });
    } catch (error) {
      await second.screenshot({ path: path.join(ARTIFACTS, 'failed-second-window.png') }).catch(() => undefined);
      throw error;
    } finally {
      await second.close();
    }
    await timeline(page).locator('.header .viewers[aria-label^="1 watching"]').waitFor({ timeout: 30_000 });
  });

  it('reopened later, the timeline starts at the first event not seen yet, under a "New" line', async () => {
    await page.locator('.tab', { hasText: TITLE }).click();
    await runCommand('View: Close Editor');
    await page.locator('.tab', { hasText: TITLE }).waitFor({ state: 'detached' });
    for (let i = 7; i <= 9; i++) await emit('thinking', { iteration: i, toolsUsed: ['grep'] });
    await openFromStatusBar(page);
    const divider = timeline().locator('.row.first-unread');
    await divider.waitFor({ timeout: 20_000 });
    assert.match((await divider.textContent()) ?? '', /Step 7/, 'the first event emitted while the timeline was closed');
    assert.equal(await timeline().locator('.toggle', { hasText: 'Follow live' }).getAttribute('aria-pressed'), 'false');
    await shot('read-marker');
  });

  it('notifies on an error event and on completion, each with a button that opens the timeline', async () => {
    await emit('error', { message: 'npm test failed twice', recoverable: true });
    const error = page.locator('.notification-toast', { hasText: 'npm test failed twice' });
    await error.waitFor({ timeout: 20_000 });
    assert.match((await error.textContent()) ?? '', /E2E: add a greeting module failed: npm test failed twice/);
    await error.locator('.monaco-button', { hasText: 'Open Timeline' }).click();
    await error.waitFor({ state: 'detached' });
    // The agent's final words carry a link to a VS Code command: it is shown as text and runs nothing.
    const link = '[Open the health panel](command:sessionStream.showHealth)';
    await worker.completeSession(sessionId, { iterations: 6, inputTokens: 1200, outputTokens: 300, toolCalls: 8 }, `Added the greeting module ${link}`);
    const toast = page.locator('.notification-toast', { hasText: 'Added the greeting module' });
    await toast.waitFor({ timeout: 20_000 });
    await shot('completion');
    const text = ((await toast.textContent()) ?? '').replace(/\u200b/g, '');
    assert.match(text, /E2E: add a greeting module/);
    assert.ok(text.includes(link), `the link as text in: ${text}`);
    assert.equal(await toast.locator('.notification-list-item-message a').count(), 0, 'no link in the message');
    await toast.locator('.notification-list-item-message', { hasText: 'Open the health panel' }).click();
    // Had it been a link, the click would have run the command. A command run after the click
    // (Show Log) is handled after it, so once its output shows, a health panel would be open too.
    await runCommand('Agent Session Stream: Show Log');
    await page.locator('.part.panel', { hasText: 'Agent Session Stream' }).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('.tab', { hasText: 'Session Stream Health' }).count(), 0, 'the command did not run');
    await runCommand('View: Hide Panel');
  });

  it('restores the timeline after a window reload (WebviewPanelSerializer), events re-sent by the host', async () => {
    const before = await eventCount(timeline().locator('.header'));
    await runCommand('Developer: Reload Window');
    await page.waitForEvent('load', { timeout: 30_000 });
    await page.locator('.tab', { hasText: TITLE }).waitFor({ timeout: 60_000 });
    await page.locator('.tab', { hasText: TITLE }).click();
    const header = timeline().locator('.header');
    await header.filter({ hasText: `${before} events` }).waitFor({ timeout: 30_000 });
    await timeline().locator('.header .chip.state-completed').waitFor();
  });

  it('a session of a real agent started with `session-stream run` shows up live, and a change opens in the diff editor', async () => {
    const title = 'E2E: Claude Code run';
    // The stand-in agent replays a recorded Claude Code run; `run` streams it as the signed-in user.
    const run = runCli(['run', '--title', title, '--format', 'claude', '--', process.execPath, path.resolve(__dirname, '../support/replayAgent.mjs'), path.resolve(__dirname, '../fixtures/agents/claude-transcript/full-session-two.jsonl')], {
      SUPABASE_URL: stack.env.API_URL,
      SUPABASE_ANON_KEY: stack.env.ANON_KEY,
      SESSION_STREAM_EMAIL: USER.email,
      SESSION_STREAM_PASSWORD: USER.password,
      REPLAY_GAP_MS: '60',
      REPLAY_SPEED: '50',
    });
    try {
      // Nothing is watched that is still running: the new session is followed on its own.
      await statusItem().filter({ hasText: title }).waitFor({ timeout: 30_000 });
      await page.locator('.tab', { hasText: title }).waitFor({ timeout: 20_000 });
      const change = timeline().locator('.row.kind-file_change', { hasText: 'CommandMenu.tsx' }).first();
      await change.waitFor({ timeout: 30_000 });
      assert.match((await change.locator('.diffstat').textContent()) ?? '', /^\+\d+ −\d+$/);
      await change.locator('[data-diff]').click();
      await page.locator('.tab', { hasText: "CommandMenu.tsx (the agent's change" }).waitFor({ timeout: 20_000 });
      // Both sides come from the event's own diff: the removed and the added lines are there.
      const diff = page.locator('.monaco-diff-editor').first();
      await diff.locator('.editor.original .view-line', { hasText: 'className="relative"' }).first().waitFor({ timeout: 20_000 });
      await diff.locator('.editor.modified .view-line', { hasText: 'flex items-center gap-2' }).first().waitFor({ timeout: 20_000 });
      await shot('agent-change-diff');
      assert.equal(await run.exited, 0, run.stderr());
    } finally {
      run.child.kill();
    }
  });

  it('follows a session that starts once the watched one is over: status bar, and its timeline beside the other', async () => {
    const next = 'E2E: the next run';
    const id = (followedId = (await worker.createSession(userId, next)).id);
    await worker.transition(id, 'running', 'agent started');
    await statusItem().filter({ hasText: next }).waitFor({ timeout: 30_000 });
    await page.locator('.tab', { hasText: next }).waitFor({ timeout: 20_000 });
    await timeline(page).locator('.header', { hasText: next }).waitFor({ timeout: 20_000 });
    await shot('followed');
  });

  it('Stop from the timeline header ends a running demo session (after a confirmation), and the status bar shows it', async () => {
    const title = 'E2E: demo to stop';
    await worker.completeSession(followedId, { iterations: 1, inputTokens: 0, outputTokens: 0, toolCalls: 0 }, 'done');
    const demo = runCli(['demo', '--speed', '0.5', '--title', title, '--workspace', path.join(tmp, 'demo')], {
      SUPABASE_URL: stack.env.API_URL,
      SUPABASE_ANON_KEY: stack.env.ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: stack.env.SERVICE_ROLE_KEY,
      SESSION_STREAM_EMAIL: USER.email,
      SESSION_STREAM_PASSWORD: USER.password,
    });
    try {
      // Nothing running is watched: the demo is followed on its own.
      await statusItem().filter({ hasText: title }).waitFor({ timeout: 30_000 });
      await page.locator('.tab', { hasText: title }).first().click();
      const stop = timeline().locator('.steer-bar [data-control="stop"]');
      await stop.waitFor({ timeout: 20_000 });
      await stop.click();
      const dialog = page.locator('.monaco-dialog-box', { hasText: `Stop the agent of "${title}"?` });
      await dialog.waitFor({ timeout: 20_000 });
      await dialog.locator('.monaco-button', { hasText: 'Stop Agent' }).click();
      await statusItem().filter({ hasText: `${title} · cancelled` }).waitFor({ timeout: 30_000 });
      await timeline().locator('.header .chip.state-cancelled').waitFor({ timeout: 20_000 });
      await timeline().locator('.row.kind-state_changed', { hasText: 'Stopped by e2e' }).waitFor({ timeout: 20_000 });
      await shot('stopped-from-timeline');
      assert.equal(await demo.exited, 0, demo.stderr());
    } finally {
      demo.child.kill();
    }
  });

  it('a link to an event opens that session\'s timeline at the event, highlighted; a link to a session one cannot see says so', async () => {
    await runCommand('Agent Session Stream: Open Link to Event…');
    await answer(`vscode://agent-session-stream.agent-session-stream/event?session=${sessionId}&seq=5`);
    await page.locator('.tab', { hasText: TITLE }).first().waitFor({ timeout: 20_000 });
    const revealed = timeline().locator('.row.revealed');
    await revealed.waitFor({ timeout: 20_000 });
    assert.equal(await revealed.locator('.seq').textContent(), '#5');
    await shot('link-to-event');
    await runCommand('Agent Session Stream: Open Link to Event…');
    await answer('vscode://agent-session-stream.agent-session-stream/event?session=00000000-0000-4000-8000-000000000000&seq=1');
    await page.locator('.notification-toast', { hasText: 'a session you cannot see' }).waitFor({ timeout: 20_000 });
  });
});
