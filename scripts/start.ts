// `npm start`: the one-command demo on embedded defaults, offline. Builds; starts the local stack
// (real PostgreSQL + the Supabase-compatible gateway) on 127.0.0.1:54321; opens a real VS Code
// (code-server from npm, installed once into .session-stream/) with the extension on
// demo-workspace/, signed in as the demo user; then runs the demo agent, which the extension
// follows live (status bar, timeline, files opening), while this terminal tails the same session.
// Ctrl-C stops everything. `npm start -- --no-vscode` skips VS Code; `npm start -- --desktop` opens
// your desktop VS Code (`code` on PATH) with `--extensionDevelopmentPath` instead of code-server.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { freePort } from '../supabase/local/freePort';
import { CODE_SERVER, codeServerArgs, ensureCodeServer, installExtension, NODE24_BIN, REPO } from './vscodeServer';

const DEMO = { email: 'demo@session-stream.local', password: 'demo-password-123' };
const cli = (args: string[]) => spawn('sh', [path.join(REPO, 'scripts/cli.sh'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] }) as unknown as ChildProcessWithoutNullStreams;

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

async function main(): Promise<void> {
  const withVsCode = !process.argv.includes('--no-vscode');
  console.log('Starting the local stack (PostgreSQL + Auth, REST, Realtime)…');
  const { stack, url } = await startStack();
  console.log(`Stack ready at ${url} (keys in .session-stream/stack.env)`);
  const children: Array<{ kill(signal?: NodeJS.Signals): boolean }> = [stack];
  const stop = () => {
    for (const c of children.reverse()) c.kill('SIGTERM');
    setTimeout(() => process.exit(0), 1500);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // A first, instant session (it also creates the demo user the extension signs in as).
  await waitFor(cli(['demo', '--speed', '1000', '--title', 'Warm-up session']), /^Done:/);

  const desktop = process.argv.includes('--desktop');
  const code = desktop ? spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout.trim() : '';
  if (desktop && !code) console.error('--desktop: `code` is not on PATH (in VS Code: "Shell Command: Install \'code\' command in PATH"). Using code-server instead.');
  const vsCodeEnv = {
    SESSION_STREAM_ENV_FILE: path.join(REPO, '.session-stream/stack.env'),
    SESSION_STREAM_AUTOCONNECT: `${DEMO.email}:${DEMO.password}`,
    SESSION_STREAM_FOLLOW_NEW: '1',
  };
  if (withVsCode && code) {
    // The window's extension host gets this environment from the `code` command line.
    const workspace = path.join(REPO, 'demo-workspace');
    mkdirSync(workspace, { recursive: true });
    const r = spawnSync(code, ['--new-window', `--extensionDevelopmentPath=${REPO}`, workspace], { env: { ...process.env, ...vsCodeEnv }, stdio: 'inherit' });
    if (r.status === 0) {
      console.log('\nDesktop VS Code opened with the extension (development mode) on demo-workspace/.');
      console.log('The demo agent starts in 20 s; the extension follows it (status bar, timeline, files).');
      await new Promise((resolve) => setTimeout(resolve, 20_000));
    } else console.error(`\`code\` exited with ${r.status ?? r.signal}; continuing with the terminal only.`);
  } else if (withVsCode) {
    try {
      ensureCodeServer();
      const base = path.join(REPO, '.session-stream/start');
      const extensions = path.join(base, 'extensions');
      installExtension(extensions);
      const workspace = path.join(REPO, 'demo-workspace');
      mkdirSync(workspace, { recursive: true });
      const port = await freePort();
      const server = spawn(CODE_SERVER, codeServerArgs(port, path.join(base, 'user'), extensions, workspace), {
        env: { ...process.env, PATH: `${NODE24_BIN}${path.delimiter}${process.env.PATH}`, ...vsCodeEnv },
        stdio: 'ignore',
        detached: true, // its own process group: code-server forks helpers that must stop with it
      });
      children.push({ kill: (signal) => (server.pid ? (process.kill(-server.pid, signal), true) : false) });
      // Print the address only once it answers: opened any earlier, the browser shows "refused".
      const started = Date.now();
      while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false))) {
        if (Date.now() - started > 60_000) throw new Error(`code-server did not answer on port ${port} within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      console.log(`\nVS Code (code-server) with the extension: open  http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}\n`);
      console.log('The demo agent starts in 20 s; the extension follows it (status bar, timeline, files).');
      await new Promise((resolve) => setTimeout(resolve, 20_000));
    } catch (error) {
      console.error(`VS Code could not be started (${(error as Error).message}); continuing with the terminal only.`);
    }
  }

  const demo = cli(['demo', '--speed', '0.8']);
  const [, sessionId] = await waitFor(demo, /^SESSION_ID=(\S+)$/);
  demo.stdout.resume();
  console.log(`Demo agent running session ${sessionId}; following it here too:\n`);
  const tail = spawn('sh', [path.join(REPO, 'scripts/cli.sh'), 'tail', '--session', sessionId!, '--exit-when-done'], { cwd: REPO, stdio: 'inherit' });
  await new Promise((resolve) => tail.once('exit', resolve));
  console.log(`
The session is done; the stack${withVsCode ? ' and VS Code keep' : ' keeps'} running. More sessions: npm run demo
(or "Agent Session Stream: Run Demo Session" in VS Code). Follow one: npm run tail -- --session ID.
Your own VS Code: npm run package && code --install-extension dist/agent-session-stream.vsix, then
"Agent Session Stream: Use Local Stack" (demo user ${DEMO.email} / ${DEMO.password}). Ctrl-C stops everything.`);
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
