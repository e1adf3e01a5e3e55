/// <reference lib="dom" />
// A real VS Code workbench for the extension and E2E tiers: code-server (VS Code 1.139, from npm)
// with the built extension installed, started in its own process group on 127.0.0.1, and a real
// Chromium (@sparticuz/chromium + playwright-core) to open it.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { freePort } from '@agent-session-stream/local-supabase';
import { CODE_SERVER, codeServerArgs, ensureCodeServer, installExtension, NODE24_BIN, QUIET_SETTINGS, writeUserSettings } from '../../scripts/vscodeServer';

export interface WorkbenchOptions {
  /** A scratch folder for the user data and extensions dirs. */
  root: string;
  /** The folder the workbench opens. */
  workspace: string;
  /** Environment for code-server and so for the extension host. */
  env: Record<string, string>;
  /** Extra extension folders to install next to ours: [source folder, installed folder name]. */
  extraExtensions?: Array<[string, string]>;
  /** User settings (settings.json). */
  settings?: Record<string, unknown>;
}

export class Workbench {
  private output = '';
  private constructor(
    private readonly server: ChildProcess,
    readonly url: string,
  ) {
    server.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  static async launch(o: WorkbenchOptions): Promise<Workbench> {
    ensureCodeServer();
    const extensions = path.join(o.root, 'extensions');
    installExtension(extensions);
    for (const [from, name] of o.extraExtensions ?? []) cpSync(from, path.join(extensions, name), { recursive: true });
    const user = path.join(o.root, 'user');
    writeUserSettings(user, { ...QUIET_SETTINGS, ...o.settings });
    const port = await freePort();
    const server = spawn(CODE_SERVER, codeServerArgs(port, user, extensions, o.workspace), {
      env: { ...process.env, ...o.env, PATH: `${NODE24_BIN}${path.delimiter}${o.env.PATH ?? process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: code-server forks helpers that must stop with it
    });
    return new Workbench(server, `http://127.0.0.1:${port}/?folder=${encodeURIComponent(o.workspace)}`);
  }

  get exited(): boolean {
    return this.server.exitCode !== null;
  }

  log(tail = 4000): string {
    return this.output.slice(-tail);
  }

  /** Navigates `page` to the workbench, retrying while code-server starts listening. */
  async open(page: Page, timeoutMs = 30_000): Promise<void> {
    const started = Date.now();
    for (;;) {
      try {
        await page.goto(this.url, { timeout: 10_000 });
        return;
      } catch (e) {
        if (Date.now() - started > timeoutMs || this.exited) throw new Error(`code-server did not answer: ${(e as Error).message}\n${this.log()}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  stop(): void {
    try {
      if (this.server.pid) process.kill(-this.server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
}

/**
 * Runs `title` from the command palette. A window that has just loaded may not take keys yet, and
 * a webview that finishes loading can take the focus and close the palette: it is opened again
 * until the command is typed.
 */
export async function runCommand(p: Page, title: string): Promise<void> {
  const input = p.locator('.quick-input-widget input');
  for (let tries = 1; ; tries++) {
    await p.bringToFront();
    await p.keyboard.press('F1');
    try {
      await input.waitFor({ timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 5_000 });
      await p.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      if (tries === 3) throw error;
      await p.keyboard.press('Escape');
    }
  }
  await input.press('Enter');
}

/** Types `value` into the quick input that has just opened (empty and focused) and accepts it. */
export async function answerQuickInput(p: Page, value: string): Promise<void> {
  const input = p.locator('.quick-input-widget input');
  await p.waitForFunction(() => document.activeElement?.closest('.quick-input-widget') && (document.activeElement as HTMLInputElement).value === '');
  await input.fill(value);
  await input.press('Enter');
}

/** The timeline webview's document (the first ready webview of the page). */
export function timelineFrame(p: Page): FrameLocator {
  return p.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}
