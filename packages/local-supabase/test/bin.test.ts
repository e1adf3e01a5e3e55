// The package's `local-supabase` command, as someone runs it in their project: it starts, prints
// its env lines and "Stack ready", writes the env file, and stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('the local-supabase command', function () {
  this.timeout(60_000);

  it('starts on a free port, prints and writes its env, and stops on SIGTERM with exit 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'local-supabase-bin-'));
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'local-supabase.cjs'), '--port', '0', '--data-dir', path.join(dir, 'data'), '--env-out', path.join(dir, 'stack.env'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "Stack ready" within 45 s; stderr: ${err}`)), 45_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('Stack ready\n')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code} before it was ready; stderr: ${err}`)));
      });
      const printed = out.split('\n').filter((l) => /^[A-Z_]+=/.test(l));
      assert.deepEqual(printed.map((l) => l.split('=')[0]), ['API_URL', 'ANON_KEY', 'SERVICE_ROLE_KEY', 'JWT_SECRET', 'DB_URL']);
      assert.equal(readFileSync(path.join(dir, 'stack.env'), 'utf8'), `${printed.join('\n')}\n`);
      const health = await fetch(`${printed[0]!.slice('API_URL='.length)}/health`);
      assert.equal(health.status, 200);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, err);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad option with exit 2 and says what to do', async () => {
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'local-supabase.cjs'), '--port', 'many'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /--port must be a whole number from 0 to 65535, got "many"\nRun with --help for the options\./);
  });
});
