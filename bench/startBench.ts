/// <reference lib="dom" />
// `npm run bench -- start`: the one-command demo as a newcomer runs it. Starts `npm start`'s script
// (the build is done by `npm run bench`), opens the printed address in Chromium, and times: the
// address printed, the workbench up (our status-bar item), the demo agent starting, the first event
// of its session on screen in the timeline; then the memory of the whole demo (every process of
// its process tree: stack, PostgreSQL, code-server and its extension host), and saves a screenshot
// of the first minute as docs/start-first-minute.png. Stops it with Ctrl-C (SIGINT) and checks that
// it exited.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { launchBrowser } from '../test/support/workbench';
import { SuiteReport } from './support/report';
import { sleep } from './support/stats';

const REPO = path.resolve(__dirname, '..');

/** RSS in MiB of `root` and all its descendants (Linux /proc; code-server runs in its own process group). */
function treeRssMiB(root: number): { mib: number; processes: number } {
  const info = new Map<number, { ppid: number; kib: number }>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      info.set(Number(pid), { ppid: Number(/PPid:\s+(\d+)/.exec(status)?.[1]), kib: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) });
    } catch {
      // the process ended meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = info.get(p)?.ppid ?? 0, hops++) if (p === root) return true;
    return false;
  };
  const members = [...info.entries()].filter(([pid]) => inTree(pid));
  return { mib: members.reduce((a, [, i]) => a + i.kib, 0) / 1024, processes: members.length };
}

export async function startBench(): Promise<SuiteReport> {
  const report = new SuiteReport('start');
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'scripts/start.ts')], { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const marks = new Map<string, number>();
  let url = '';
  let output = '';
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    output += `${line}\n`;
    const m = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)$/.exec(line);
    if (m) {
      url = m[1]!;
      marks.set('url', Date.now());
    }
    if (/^Demo session 1 started/.test(line)) marks.set('demo', Date.now());
  });
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const browser = await launchBrowser();
  try {
    const until = async (what: string, ok: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`npm start: no ${what} within ${ms / 1000} s\n${output.slice(-3000)}`);
        await sleep(100);
      }
    };
    await until('address', () => url !== '', 600_000); // includes the one-time code-server install
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.locator('.statusbar-item', { hasText: /Session Stream|Select Session|Connecting|·/ }).first().waitFor({ timeout: 60_000 });
    marks.set('workbench', Date.now());
    await page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('.row').first().waitFor({ timeout: 120_000 });
    marks.set('first', Date.now());
    const memory = treeRssMiB(child.pid!);
    // What a newcomer sees half a minute into the demo (the README's picture of the first minute).
    await sleep(30_000);
    await page.screenshot({ path: path.join(REPO, 'docs/start-first-minute.png') });
    const s = (k: string) => ((marks.get(k) ?? Number.NaN) - t0) / 1000;
    report.add('address printed', s('url'), 's', 'from `npm start` (stack, demo user, code-server already installed)');
    report.add('workbench up', s('workbench'), 's', 'our status-bar item visible in the browser');
    report.add('demo agent started', s('demo'), 's', 'the demo session waits until VS Code watches it (the browser opened the address at once)');
    report.add('first event on screen', s('first'), 's', 'first row of the demo session in the timeline');
    report.add('demo start → first event on screen', ((marks.get('first') ?? Number.NaN) - (marks.get('demo') ?? Number.NaN)) / 1000, 's');
    report.add('memory of the demo', memory.mib, 'MiB', `RSS of ${memory.processes} processes: stack, PostgreSQL, code-server, extension host (the browser not counted)`);
  } finally {
    await browser.close();
    try {
      process.kill(-child.pid!, 'SIGINT');
    } catch {
      // already gone
    }
    const before = treeRssMiB(child.pid!).processes;
    const exited = await Promise.race([new Promise<boolean>((resolve) => child.once('exit', () => resolve(true))), sleep(15_000).then(() => false)]);
    report.add('npm start exited after Ctrl-C', exited ? 1 : 0, '', `1 = yes; ${before} processes in its tree when Ctrl-C was sent`);
  }
  return report;
}
