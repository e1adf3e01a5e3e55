// `npm start`: the one-command demo on embedded defaults. It builds, starts the local stack
// (real PostgreSQL + the Supabase-compatible gateway), runs the demo agent into demo-workspace/,
// and follows the session live in this terminal with `tail` — the same stream the extension uses.
// The stack keeps running until Ctrl-C, so VS Code can connect to it ("Use Local Stack").
// Not yet here: launching VS Code (code-server) with the extension — see the README's status.
import { spawn, spawnSync } from 'node:child_process';
import readline from 'node:readline';

const cli = (args, options = {}) => spawn('sh', ['scripts/cli.sh', ...args], { stdio: ['ignore', 'pipe', 'inherit'], ...options });

function waitFor(child, pattern, onLine = () => {}) {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      onLine(line);
      const m = pattern.exec(line);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${pattern}"`)));
  });
}

async function startStack() {
  for (const port of ['54321', '0']) {
    const stack = cli(['stack', '--port', port, '--log-level', 'warn']);
    const lines = [];
    try {
      await waitFor(stack, /^Stack ready$/, (l) => lines.push(l));
      return { stack, env: Object.fromEntries(lines.filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) };
    } catch (error) {
      if (port === '0') throw error;
      console.error('Port 54321 is busy; trying a free port.');
    }
  }
  throw new Error('unreachable');
}

if (spawnSync('node', ['esbuild.js'], { stdio: 'inherit' }).status !== 0) process.exit(1);
console.log('Starting the local stack (PostgreSQL + Auth, REST, Realtime)…');
const { stack, env } = await startStack();
console.log(`Stack ready at ${env.API_URL} (keys in .session-stream/stack.env)\n`);
const stop = (code) => {
  stack.kill('SIGTERM');
  stack.once('exit', () => process.exit(code));
};
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const demo = cli(['demo', '--speed', '1.5'], { stdio: ['ignore', 'pipe', 'inherit'] });
const [, sessionId] = await waitFor(demo, /^SESSION_ID=(\S+)$/);
demo.stdout.resume();
console.log(`Demo agent running session ${sessionId}; following it live:\n`);
const tail = spawn('sh', ['scripts/cli.sh', 'tail', '--session', sessionId, '--exit-when-done'], { stdio: 'inherit' });
await new Promise((resolve) => tail.once('exit', resolve));
console.log(`
The session is done and the stack keeps running. To watch sessions in VS Code:
  npm run package && code --install-extension dist/agent-session-stream.vsix
  then open demo-workspace/ and run "Agent Session Stream: Use Local Stack"
  (sign in as demo@session-stream.local / demo-password-123).
More sessions: npm run demo   ·   Follow one: npm run tail -- --session ID   ·   Ctrl-C stops the stack.`);
