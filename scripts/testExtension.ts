// The extension tier: the built extension installed into a real VS Code (code-server), the local
// stack behind a fault proxy, and the mocha suite of test/extension/ run inside the extension host
// by a small harness extension. A real Chromium opens the workbench (the extension host starts with
// the first browser connection). Prints each test and mocha's summary; exits non-zero on any
// failure, a crash or a timeout.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startExtensionFixture } from '../test/extension/fixture';
import { launchBrowser, Workbench } from '../test/support/workbench';
import { REPO } from './vscodeServer';

const TIMEOUT_MS = Number(process.env.SESSION_STREAM_EXTENSION_TIMEOUT ?? 240_000);

async function main(): Promise<number> {
  const fixture = await startExtensionFixture('index.ts');
  const results = path.join(fixture.tmp, 'results.json');
  const workbench = await Workbench.launch({
    root: fixture.tmp,
    workspace: fixture.workspace,
    extraExtensions: [[path.join(REPO, 'test/extension/harness'), 'agent-session-stream.session-stream-test-harness-0.0.1']],
    env: { ...fixture.env, SESSION_STREAM_TEST_BUNDLE: fixture.bundle, SESSION_STREAM_TEST_RESULTS: results },
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
    await fixture.stop();
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
