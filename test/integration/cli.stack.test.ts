// Contract 1 (docs/architecture.md): `npm run stack` as a user runs it, in its own process.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli, runCliToEnd } from '../support/cli';
import { client } from '@agent-session-stream/local-supabase/testing';

const KEYS = ['API_URL', 'ANON_KEY', 'SERVICE_ROLE_KEY', 'JWT_SECRET', 'DB_URL'];

async function startCli(dir: string) {
  const p = runCli(['stack', '--port', '0', '--data-dir', path.join(dir, 'data'), '--env-file', path.join(dir, 'stack.env'), '--log-level', 'warn']);
  await p.waitForLine(/^Stack ready$/, 60_000);
  return p;
}

describe('npm run stack (contract 1)', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'stack-cli-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it('prints the KEY=VALUE lines then "Stack ready", writes the same lines to --env-file, serves supabase-js, and stops with exit 0 on SIGTERM; a restart keeps the keys and data', async () => {
    const first = await startCli(dir);
    const printed = first.lines.slice(0, first.lines.indexOf('Stack ready'));
    assert.deepEqual(printed.map((l) => l.split('=')[0]), KEYS);
    assert.equal(await readFile(path.join(dir, 'stack.env'), 'utf8'), `${printed.join('\n')}\n`);
    const env = Object.fromEntries(printed.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.match(env.API_URL!, /^http:\/\/127\.0\.0\.1:\d+$/);

    const c = client(env.ANON_KEY!, env.API_URL!);
    const { data, error } = await c.auth.signUp({ email: 'cli-user@example.test', password: 'correct horse battery' });
    assert.equal(error, null);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const second = await startCli(dir);
    const again = second.lines.slice(0, second.lines.indexOf('Stack ready'));
    const env2 = Object.fromEntries(again.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env2.JWT_SECRET, env.JWT_SECRET, 'the secret (and so the keys) survive a restart');
    assert.equal(env2.ANON_KEY, env.ANON_KEY);
    const c2 = client(env2.ANON_KEY!, env2.API_URL!);
    const signIn = await c2.auth.signInWithPassword({ email: 'cli-user@example.test', password: 'correct horse battery' });
    assert.equal(signIn.error, null, 'the user signed up before the restart can sign in');
    assert.equal(signIn.data.user?.id, data.user?.id);
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  });

  it('refuses bad options with exit 2 and a message that says what to fix', async () => {
    const port = await runCliToEnd(['stack', '--port', 'abc']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port must be a whole number from 0 to 65535, got "abc"/);
    const unknown = await runCliToEnd(['stack', '--nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--nope'/);
  });
});
