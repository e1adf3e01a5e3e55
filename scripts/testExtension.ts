// The extension tier: the built extension installed into a real VS Code (code-server), the local
// stack behind a fault proxy, and the mocha suite of test/extension/ run inside the extension host
// by a small harness extension. A real Chromium opens the workbench (the extension host starts with
// the first browser connection). Prints each test and mocha's summary; exits non-zero on any
// failure, a crash or a timeout.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { createSupabaseClient } from '../src/core/supabaseClient';
import { startStack } from '../supabase/local/stack';
import { FaultProxy } from '../test/support/faultProxy';
import { launchBrowser, Workbench } from '../test/support/workbench';
import { REPO } from './vscodeServer';

const TIMEOUT_MS = Number(process.env.SESSION_STREAM_EXTENSION_TIMEOUT ?? 240_000);

async function main(): Promise<number> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'session-stream-ext-'));
  const bundle = path.join(tmp, 'extensionTests.js');
  await build({ entryPoints: [path.join(REPO, 'test/extension/index.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'mocha', 'bufferutil', 'utf-8-validate'], logLevel: 'error' });

  const workspace = path.join(tmp, 'ws');
  mkdirSync(path.join(workspace, 'src'), { recursive: true });
  writeFileSync(path.join(workspace, 'src/app.ts'), 'export const app = 1;\n');
  writeFileSync(path.join(tmp, 'outside.txt'), 'outside the workspace\n');

  const stack = await startStack({ port: 0, logLevel: 'error' });
  const proxy = new FaultProxy(Number(new URL(stack.env.API_URL).port));
  await proxy.start();
  const envFile = path.join(tmp, 'stack.env');
  writeFileSync(envFile, `API_URL=${proxy.url}\nANON_KEY=${stack.env.ANON_KEY}\nSERVICE_ROLE_KEY=${stack.env.SERVICE_ROLE_KEY}\n`);
  const email = 'extension-tests@example.test';
  const password = 'correct horse battery';
  const { error } = await createSupabaseClient(stack.env.API_URL, stack.env.ANON_KEY).auth.signUp({ email, password });
  if (error) throw new Error(`sign-up failed: ${error.message}`);

  const controlServer = http.createServer((req, res) => {
    if (req.url === '/cut') proxy.cut();
    else if (req.url === '/restore') proxy.restore();
    res.end('ok');
  });
  await new Promise<void>((resolve) => controlServer.listen(0, '127.0.0.1', resolve));
  const results = path.join(tmp, 'results.json');
  const workbench = await Workbench.launch({
    root: tmp,
    workspace,
    extraExtensions: [[path.join(REPO, 'test/extension/harness'), 'agent-session-stream.session-stream-test-harness-0.0.1']],
    env: {
      SESSION_STREAM_ENV_FILE: envFile,
      SESSION_STREAM_AUTOCONNECT: `${email}:${password}`,
      SESSION_STREAM_TEST_BUNDLE: bundle,
      SESSION_STREAM_TEST_RESULTS: results,
      SESSION_STREAM_TEST_WORKER_URL: stack.env.API_URL,
      SESSION_STREAM_TEST_CONTROL: `http://127.0.0.1:${(controlServer.address() as AddressInfo).port}`,
      SESSION_STREAM_MOCHA: path.join(REPO, 'node_modules/mocha'),
    },
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const started = Date.now();
    await workbench.open(page);
    while (!existsSync(results)) {
      if (Date.now() - started > TIMEOUT_MS) throw new Error(`no test results within ${TIMEOUT_MS / 1000} s\n${workbench.log()}`);
      if (workbench.exited) throw new Error(`code-server exited\n${workbench.log()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const r = JSON.parse(readFileSync(results, 'utf8')) as { passes: number; failures: number; pending: number; crashed?: string; tests: Array<{ title: string; state?: string; error?: string }>; summary?: string };
    console.log('\n  Agent Session Stream — extension host (code-server, VS Code 1.139)');
    for (const t of r.tests.filter((x) => x.state === 'passed' || !x.error)) console.log(`    ${t.state === 'passed' ? '✔' : '-'} ${t.title}`);
    for (const t of r.tests.filter((x) => x.error)) console.log(`    ✘ ${t.title}\n${t.error!.split('\n').map((l) => `        ${l}`).join('\n')}`);
    if (r.crashed) console.log(`  crashed: ${r.crashed}`);
    console.log(`\n  ${r.passes} passing\n${r.failures ? `  ${r.failures} failing\n` : ''}`);
    if (process.env.SESSION_STREAM_TEST_STATS) writeFileSync(process.env.SESSION_STREAM_TEST_STATS, JSON.stringify({ passes: r.passes, failures: r.failures, pending: r.pending }));
    return r.failures === 0 && !r.crashed && r.passes > 0 ? 0 : 1;
  } finally {
    await browser.close();
    workbench.stop();
    controlServer.close();
    await proxy.close();
    await stack.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`extension tier failed: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.SESSION_STREAM_TEST_STATS) writeFileSync(process.env.SESSION_STREAM_TEST_STATS, JSON.stringify({ passes: 0, failures: 1, pending: 0 }));
    process.exit(1);
  },
);
