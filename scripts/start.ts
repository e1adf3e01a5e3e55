// `npm start`: the one-command demo on embedded defaults, offline. Builds (in package.json); starts
// the local stack (real PostgreSQL + the Supabase-compatible gateway) on 127.0.0.1:54321; opens a
// real VS Code (code-server from npm, installed once into .session-stream/) with the extension on
// demo-workspace/, signed in as the demo user; then offers demo sessions that start only once a VS
// Code window watches them (the extension follows each new session), a new one every few minutes or
// on Enter, while this terminal tails them. Ctrl-C stops everything. `npm start -- --no-vscode`
// skips VS Code; `npm start -- --desktop` opens your desktop VS Code (`code` on PATH) with
// `--extensionDevelopmentPath` instead of code-server.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { signInOrUp } from '../src/cli/userAuth';
import { DEMO_EMAIL, DEMO_PASSWORD, LOCAL_STACK_ENV_FILE } from '../src/shared/localDefaults';
import { resolveConnection } from '../src/cli/connection';
import { freePort } from '@agent-session-stream/local-supabase';
import { CODE_SERVER, codeServerArgs, ensureCodeServer, installExtension, NODE24_BIN, QUIET_SETTINGS, REPO, writeUserSettings } from './vscodeServer';

/** Minutes between demo sessions (a new one is also offered on Enter). */
const NEXT_DEMO_MINUTES = 3;
/** Demo speed: a step every ≈ 2.3 s, so a session runs about a minute. */
const DEMO_SPEED = '0.35';
const ENV_FILE = path.join(REPO, LOCAL_STACK_ENV_FILE);
const WORKSPACE = path.join(REPO, 'demo-workspace');

const cli = (args: string[]) => spawn('sh', [path.join(REPO, 'scripts/cli.sh'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] }) as unknown as ChildProcessWithoutNullStreams;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function waitFor(child: ChildProcessWithoutNullStreams, pattern: RegExp, onLine: (l: string) => void = () => {}): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      onLine(line);
      const m = pattern.exec(line);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${pattern.source}"`)));
  });
}

async function startStack(): Promise<{ stack: ChildProcessWithoutNullStreams; url: string }> {
  for (const port of ['54321', '0']) {
    const stack = cli(['stack', '--port', port, '--log-level', 'warn']);
    let url = '';
    try {
      await waitFor(stack, /^Stack ready$/, (l) => l.startsWith('API_URL=') && (url = l.slice(8)));
      return { stack, url };
    } catch (error) {
      if (port === '0') throw error;
      console.error('Port 54321 is busy; using a free port.');
    }
  }
  throw new Error('unreachable');
}

/** code-server on a free port with our extension; resolves with the address once it answers. */
async function startCodeServer(env: Record<string, string>, track: (kill: (signal: NodeJS.Signals) => void) => void): Promise<string> {
  ensureCodeServer();
  const base = path.join(REPO, '.session-stream/start');
  const extensions = path.join(base, 'extensions');
  installExtension(extensions);
  // Follow every new session (the demo's), and keep VS Code's own prompts out of the first minute.
  writeUserSettings(path.join(base, 'user'), { ...QUIET_SETTINGS, 'sessionStream.followNewSessions': 'always' });
  const port = await freePort();
  const server = spawn(CODE_SERVER, codeServerArgs(port, path.join(base, 'user'), extensions, WORKSPACE), {
    env: { ...process.env, PATH: `${NODE24_BIN}${path.delimiter}${process.env.PATH}`, ...env },
    stdio: 'ignore',
    detached: true, // its own process group: code-server forks helpers that must stop with it
  });
  track((signal) => server.pid && process.kill(-server.pid, signal));
  // Print the address only once it answers: opened any earlier, the browser shows "refused".
  const started = Date.now();
  while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false))) {
    if (server.exitCode !== null) throw new Error(`code-server exited with ${server.exitCode}`);
    if (Date.now() - started > 60_000) throw new Error(`code-server did not answer on port ${port} within 60 s`);
    await sleep(200);
  }
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(WORKSPACE)}`;
}

/** Resolves after `ms`, or earlier when Enter is pressed in this terminal. */
function minutesOrEnter(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const input = process.stdin.isTTY ? readline.createInterface({ input: process.stdin }) : undefined;
    const done = () => {
      clearTimeout(timer);
      input?.close();
      resolve();
    };
    const timer = setTimeout(done, ms);
    input?.once('line', done);
  });
}

async function main(): Promise<void> {
  const withVsCode = !process.argv.includes('--no-vscode');
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  console.log('Starting the local stack (PostgreSQL + Auth, REST, Realtime)…');
  const { stack, url } = await startStack();
  console.log(`Stack ready at ${url} (keys in ${LOCAL_STACK_ENV_FILE}) — ${elapsed()}`);
  const kills: Array<(signal: NodeJS.Signals) => void> = [(signal) => stack.kill(signal)];
  const stop = () => {
    for (const kill of kills.reverse()) {
      try {
        kill('SIGTERM');
      } catch {
        // already gone
      }
    }
    setTimeout(() => process.exit(0), 1500);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // The demo user the extension signs in as (no session is created for it here).
  await signInOrUp(resolveConnection(['anonKey'], { SESSION_STREAM_ENV_FILE: ENV_FILE }, REPO), DEMO_EMAIL, DEMO_PASSWORD);
  mkdirSync(WORKSPACE, { recursive: true });

  const desktop = process.argv.includes('--desktop');
  const code = desktop ? spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout.trim() : '';
  if (desktop && !code) console.error('--desktop: `code` is not on PATH (in VS Code: "Shell Command: Install \'code\' command in PATH"). Using code-server instead.');
  const vsCodeEnv = { SESSION_STREAM_ENV_FILE: ENV_FILE, SESSION_STREAM_AUTOCONNECT: `${DEMO_EMAIL}:${DEMO_PASSWORD}` };
  let watching: 'vscode' | 'terminal' = 'terminal';
  if (withVsCode && code) {
    // The window's extension host gets this environment from the `code` command line.
    const r = spawnSync(code, ['--new-window', `--extensionDevelopmentPath=${REPO}`, WORKSPACE], { env: { ...process.env, ...vsCodeEnv }, stdio: 'inherit' });
    if (r.status === 0) {
      watching = 'vscode';
      console.log('\nDesktop VS Code opened with the extension (development mode) on demo-workspace/.');
    } else console.error(`\`code\` exited with ${r.status ?? r.signal}; continuing with the terminal only.`);
  } else if (withVsCode) {
    try {
      console.log('Starting VS Code (code-server) with the extension…');
      const address = await startCodeServer(vsCodeEnv, (kill) => kills.push(kill));
      watching = 'vscode';
      console.log(`\nVS Code is ready — ${elapsed()}. Open it in your browser:\n\n    ${address}\n`);
    } catch (error) {
      console.error(`VS Code could not be started (${(error as Error).message}); continuing with the terminal only.`);
    }
  }
  if (watching === 'vscode') {
    console.log(
      [
        'What to look at: VS Code signs in as the demo user and shows the Sessions view. A demo agent',
        'session is waiting there; it starts as soon as VS Code watches it. The status bar shows the',
        'session and its connection, its timeline opens in the editor and fills live, and the files the',
        'agent writes open beside it. A new demo session follows every few minutes.',
        '',
      ].join('\n'),
    );
  }

  for (let run = 1; ; run++) {
    const title = `Demo #${run}: greeting module (${new Date().toTimeString().slice(0, 5)})`;
    const demo = cli(['demo', '--speed', DEMO_SPEED, '--title', title, ...(watching === 'vscode' ? ['--wait-for-viewer', 'vscode'] : [])]);
    const [, sessionId] = await waitFor(demo, /^SESSION_ID=(\S+)$/);
    if (watching === 'vscode') {
      console.log(`Demo session ${run} is waiting for VS Code to show it (${sessionId}).`);
      await waitFor(demo, /is watching|^Done:/);
    }
    console.log(`Demo session ${run} started — ${elapsed()}; following it here too:\n`);
    demo.stdout.resume();
    // `tail` is a viewer too: started after the demo began, so it never stands in for VS Code.
    const tail = spawn('sh', [path.join(REPO, 'scripts/cli.sh'), 'tail', '--session', sessionId!, '--exit-when-done'], { cwd: REPO, stdio: 'inherit' });
    await new Promise((resolve) => tail.once('exit', resolve));
    console.log(
      `\nDemo session ${run} is done. The next one comes in ${NEXT_DEMO_MINUTES} min${process.stdin.isTTY ? ' (press Enter for one now)' : ''}; or run "Agent Session Stream: Run Demo Session"` +
        ` in VS Code.\nYour own VS Code: npm run package && code --install-extension dist/agent-session-stream.vsix, then "Agent Session Stream: Use Local Stack"` +
        ` (demo user ${DEMO_EMAIL} / ${DEMO_PASSWORD}). Ctrl-C stops everything.`,
    );
    await minutesOrEnter(NEXT_DEMO_MINUTES * 60_000);
  }
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
