// What the extension-host suite needs around the VS Code it runs in, whichever VS Code that is
// (code-server here, `@vscode/test-electron` elsewhere): the suite bundled, a workspace, the local
// stack behind a fault proxy the suite can cut and restore over HTTP, a signed-up user, and the
// environment that tells the extension and the suite where all of it is.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import { envLines, startStack } from '@agent-session-stream/local-supabase';
import { FaultProxy } from '../support/faultProxy';

const REPO = path.resolve(__dirname, '../..');

export interface ExtensionFixture {
  tmp: string;
  workspace: string;
  /** The bundled suite; `entry` chooses its export shape (harness: returns counts; electron: throws on failure). */
  bundle: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startExtensionFixture(entry: 'index.ts' | 'electron.ts'): Promise<ExtensionFixture> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'session-stream-ext-'));
  const bundle = path.join(tmp, 'extensionTests.js');
  await build({ entryPoints: [path.join(REPO, 'test/extension', entry)], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'mocha', 'bufferutil', 'utf-8-validate'], logLevel: 'error' });

  const workspace = path.join(tmp, 'ws');
  mkdirSync(path.join(workspace, 'src'), { recursive: true });
  writeFileSync(path.join(workspace, 'src/app.ts'), 'export const app = 1;\n');
  writeFileSync(path.join(tmp, 'outside.txt'), 'outside the workspace\n');

  const stack = await startStack({ port: 0, logLevel: 'error' });
  const proxy = new FaultProxy(Number(new URL(stack.env.API_URL).port));
  await proxy.start();
  const envFile = path.join(tmp, 'stack.env');
  writeFileSync(envFile, envLines({ ...stack.env, API_URL: proxy.url }));
  const email = 'extension-tests@example.test';
  const password = 'correct horse battery';
  const { error } = await createSupabaseClient(stack.env.API_URL, stack.env.ANON_KEY).auth.signUp({ email, password });
  if (error) throw new Error(`sign-up failed: ${error.message}`);

  const control = http.createServer((req, res) => {
    if (req.url === '/cut') proxy.cut();
    else if (req.url === '/restore') proxy.restore();
    res.end('ok');
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  return {
    tmp,
    workspace,
    bundle,
    env: {
      SESSION_STREAM_ENV_FILE: envFile,
      SESSION_STREAM_AUTOCONNECT: `${email}:${password}`,
      SESSION_STREAM_TEST_WORKER_URL: stack.env.API_URL,
      SESSION_STREAM_TEST_CONTROL: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
      SESSION_STREAM_MOCHA: path.join(REPO, 'node_modules/mocha'),
      SESSION_STREAM_TEST_FIXTURES: path.join(REPO, 'test/fixtures'),
    },
    async stop() {
      control.close();
      await proxy.close();
      await stack.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
