/// <reference lib="dom" />
// No wrapper, in the real workbench: the user runs "Stream Agent Sessions from This Machine…" (what
// changes is shown, the hooks sign in on their own with the user's password), then starts Claude
// Code the ordinary way in a terminal — here the stand-in that runs Claude Code's hooks as it does
// (test/support/hookedAgent.mjs, on PATH as `claude`; the real CLI is in the agents tier). Its
// session appears in VS Code on its own, its permission request shows as needs-you, and Approve in
// the timeline lets the agent go on. code-server runs with a HOME of its own, so the hooks go into
// a scratch ~/.claude and nothing of this machine's is touched.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import { envLines, startStack, type Stack } from '@agent-session-stream/local-supabase';
import { until } from '../support/wait';
import { answerQuickInput, launchBrowser, runCommand, timelineFrame, Workbench } from '../support/workbench';

const ARTIFACTS = path.resolve(__dirname, '../../test-results/e2e');
const STANDIN = path.resolve(__dirname, '../support/hookedAgent.mjs');
const USER = { email: 'hooks-e2e@example.test', password: 'correct horse battery staple' };

describe('Agent sessions from this machine (hooks) in the real workbench', function () {
  this.timeout(120_000);
  let tmp: string;
  let home: string;
  let workspace: string;
  let bin: string;
  let stack: Stack;
  let workbench: Workbench;
  let browser: Browser;
  let page: Page;
  const hooksDir = () => path.join(home, '.config/session-stream/hooks');

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'session-stream-e2e-hooks-'));
    home = path.join(tmp, 'home');
    workspace = path.join(tmp, 'ws');
    bin = path.join(tmp, 'bin');
    for (const dir of [home, workspace, bin]) mkdirSync(dir, { recursive: true });
    // `claude` on PATH is the stand-in, as a user's PATH has the real one.
    writeFileSync(path.join(bin, 'claude'), `#!/bin/sh\nexec '${process.execPath}' '${STANDIN}' "$@"\n`);
    chmodSync(path.join(bin, 'claude'), 0o755);
    // VS Code's extension host takes PATH from the user's login shell, as it does on a real machine.
    writeFileSync(path.join(home, '.profile'), `PATH='${bin}':"$PATH"\nexport PATH\n`);
    stack = await startStack({ port: 0, logLevel: 'error' });
    const envFile = path.join(tmp, 'stack.env');
    writeFileSync(envFile, envLines(stack.env));
    const { error } = await createSupabaseClient(stack.env.API_URL, stack.env.ANON_KEY).auth.signUp(USER);
    if (error) throw new Error(`sign-up failed: ${error.message}`);
    workbench = await Workbench.launch({
      root: tmp,
      workspace,
      env: { SESSION_STREAM_ENV_FILE: envFile, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), PATH: `${bin}${path.delimiter}${process.env.PATH}` },
      settings: { 'sessionStream.openFilesOnChange': 'off', 'chat.disableAIFeatures': true, 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'sessionStream.hooks.answerTimeoutSeconds': 110 },
    });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await workbench.open(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    await page?.screenshot({ path: path.join(ARTIFACTS, `hooks-failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}.png`) }).catch(() => undefined);
    if (existsSync(path.join(tmp, 'user/logs'))) cpSync(path.join(tmp, 'user/logs'), path.join(ARTIFACTS, 'hooks-logs'), { recursive: true });
    const log = path.join(hooksDir(), 'collector.log');
    console.error(`collector log:\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '(none)'}\ncode-server said:\n${workbench?.log(2000) ?? '(not started)'}`);
  });

  after(async () => {
    const pidFile = path.join(hooksDir(), 'collector.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
    if (pid) process.kill(pid, 'SIGTERM');
    await browser?.close();
    workbench?.stop();
    await stack?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('signs in to the local stack', async () => {
    await page.locator('.statusbar-item', { hasText: 'Session Stream' }).first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'Agent Session Stream: Sign In');
    const offer = page.locator('.notification-toast', { hasText: 'Connect to the local stack at' });
    await offer.waitFor({ timeout: 20_000 });
    await offer.locator('.monaco-button', { hasText: 'Use Local Stack' }).click();
    await answerQuickInput(page, USER.email);
    await answerQuickInput(page, USER.password);
    await page.locator('.statusbar-item', { hasText: /Select Session|Session Stream/ }).first().waitFor({ timeout: 20_000 });
    await until('signed in (no sign-in prompt left)', async () => (await page.locator('.notification-toast', { hasText: 'Signed in as' }).count()) > 0 || (await page.locator('.quick-input-widget:visible').count()) === 0, 20_000);
  });

  it('"Stream Agent Sessions from This Machine…" shows what changes, signs the hooks in, installs; the Agents view says Claude Code streams', async () => {
    await runCommand(page, 'Agent Session Stream: Stream Agent Sessions from This Machine');
    const claudeRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Claude Code' });
    await claudeRow.waitFor({ timeout: 20_000 });
    // What will change, before anything is written: the settings file, and the backup kept.
    assert.match((await claudeRow.textContent()) ?? '', /Adds hooks to ~\/\.claude\/settings\.json|Adds hooks to .*\.claude\/settings\.json/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'hooks-what-changes.png') });
    assert.match((await claudeRow.textContent()) ?? '', /Claude Code\s*installed/);
    assert.equal(existsSync(path.join(home, '.claude/settings.json')), false, 'nothing written while asking');
    await page.locator('.quick-input-widget input').press('Enter');
    // The collector's own sign-in: the user's password once.
    await page.locator('.quick-input-widget', { hasText: 'sign the hooks in' }).waitFor({ timeout: 20_000 });
    await answerQuickInput(page, USER.password);
    await page.locator('.notification-toast', { hasText: 'session on this machine now shows in Sessions' }).waitFor({ timeout: 30_000 });
    const settings = JSON.parse(readFileSync(path.join(home, '.claude/settings.json'), 'utf8')) as { hooks: Record<string, unknown> };
    assert.ok(settings.hooks.PermissionRequest, 'the permission hook is in Claude Code’s settings');
    const login = JSON.parse(readFileSync(path.join(home, '.config/session-stream/login.json'), 'utf8')) as { email: string; refreshToken: string };
    assert.equal(login.email, USER.email);
    // The collector runs a copy that outlives extension updates.
    assert.ok(existsSync(path.join(hooksDir(), 'collector/cli.js')));
    assert.match(readFileSync(path.join(hooksDir(), 'hook.sh'), 'utf8'), /collector\/cli\.js/);
    // The Agents view (in the Agent Session Stream side bar).
    await page.locator('.activitybar .action-item a[aria-label^="Agent Session Stream"]').first().click();
    const agentsHeader = page.locator('.pane-header', { hasText: 'Agents on This Machine' });
    await agentsHeader.waitFor({ timeout: 20_000 });
    if ((await agentsHeader.getAttribute('aria-expanded')) !== 'true') await agentsHeader.click();
    await page.locator('.monaco-list-row', { hasText: 'Claude Code' }).filter({ hasText: 'streams its sessions' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'hooks-installed.png') });
  });

  it('a Claude Code session started in a terminal appears on its own; its permission request is approved from the timeline', async () => {
    const proof = path.join(workspace, 'proof.txt');
    const agent = spawn(path.join(bin, 'claude'), [], { cwd: workspace, env: { PATH: `${bin}${path.delimiter}${process.env.PATH}`, HOME: home, STANDIN_STEPS: `ask:echo approved-in-vscode > ${proof}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    agent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    agent.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => agent.once('exit', resolve));
    try {
      // Followed on its own (nothing else watched): the timeline opens with the request at its top.
      const approve = timelineFrame(page).locator('.needs-you vscode-button[data-control="approve"]');
      await approve.waitFor({ timeout: 60_000 });
      assert.match((await timelineFrame(page).locator('.needs-you').textContent()) ?? '', /approved-in-vscode/);
      await page.locator('.tab', { hasText: 'Claude Code in ws' }).waitFor({ timeout: 10_000 });
      await page.screenshot({ path: path.join(ARTIFACTS, 'hooks-needs-you.png') });
      await approve.click();
      assert.equal(await exited, 0, out);
      assert.match(out, /decision: allow/);
      assert.equal(readFileSync(proof, 'utf8').trim(), 'approved-in-vscode');
      await timelineFrame(page).locator('.row', { hasText: /Approved by/ }).first().waitFor({ timeout: 30_000 });
      await page.locator('.statusbar-item', { hasText: /Completed|completed/ }).first().waitFor({ timeout: 60_000 });
    } finally {
      agent.kill('SIGKILL');
    }
  });
});
