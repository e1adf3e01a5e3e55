// The one local stack a bench run measures against, started as `npm run stack` starts it (its own
// process, so its RSS and CPU are its own), on a free port, in a temporary data dir.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import { runCli } from '../../test/support/cli';
import { sleep } from './stats';

export interface BenchStack {
  env: { API_URL: string; ANON_KEY: string; SERVICE_ROLE_KEY: string; DB_URL: string };
  /** The gateway's process id. */
  pid: number;
  stop(): Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-stack-'));
  const cli = runCli(['stack', '--port', '0', '--data-dir', path.join(dir, 'data'), '--env-file', path.join(dir, 'env'), '--log-level', 'warn']);
  await cli.waitForLine(/^Stack ready$/, 60_000);
  const env = Object.fromEntries(cli.lines.filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) as unknown as BenchStack['env'];
  return {
    env,
    pid: cli.child.pid!,
    async stop() {
      cli.child.kill('SIGTERM');
      const code = await Promise.race([cli.exited, sleep(15_000).then(() => 'timeout')]);
      if (code !== 0) {
        cli.child.kill('SIGKILL');
        process.stderr.write(`stack did not stop cleanly (${code}); stderr:\n${cli.stderr()}\n`);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface BenchOptions {
  quick: boolean;
  stack: BenchStack;
}

/** A new user of the bench's stack (signed up): for suites that write as a user, as people do. */
export async function benchUser(stack: BenchStack, suite: string): Promise<{ email: string; password: string; accessToken: string; userId: string }> {
  const email = `bench-${suite}-${randomUUID()}@example.test`;
  const password = 'correct horse battery';
  const signUp = await createSupabaseClient(stack.env.API_URL, stack.env.ANON_KEY).auth.signUp({ email, password });
  if (signUp.error || !signUp.data.session) throw new Error(`sign-up failed: ${signUp.error?.message}`);
  return { email, password, accessToken: signUp.data.session.access_token, userId: signUp.data.user!.id };
}
