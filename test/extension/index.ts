// Entry of the extension-host test bundle: runs mocha (from the repository's node_modules) over the
// suites inside the VS Code extension host and returns the counts and each test's outcome.
import type MochaType from 'mocha';
import { defineSuites } from './extension.test';

export async function run(): Promise<{ passes: number; failures: number; pending: number; tests: Array<{ title: string; state?: string; error?: string }>; summary: string }> {
  // Mocha comes from the repository (the runner names it): it is not part of the bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(process.env.SESSION_STREAM_MOCHA!) as typeof MochaType;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', forbidOnly: true });
  mocha.suite.emit('pre-require', globalThis, 'extension', mocha);
  defineSuites();
  const tests: Array<{ title: string; state?: string; error?: string }> = [];
  let summary = '';
  const counts = await new Promise<{ passes: number; failures: number; pending: number }>((resolve) => {
    const before = new Set(process.listeners('uncaughtException'));
    const runner = mocha.run(() => resolve({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0, pending: runner.stats?.pending ?? 0 }));
    // The extension host is shared with VS Code's own components, whose stray errors (e.g. offline
    // telemetry lookups) would otherwise fail whichever test runs at that moment. Our code's errors
    // surface through the tests' own assertions and awaited promises.
    for (const listener of process.listeners('uncaughtException')) if (!before.has(listener)) process.off('uncaughtException', listener);
    runner.on('test end', (t) => tests.push({ title: t.fullTitle(), state: t.state }));
    runner.on('fail', (t, err: Error) => tests.push({ title: t.fullTitle(), state: 'failed', error: err.stack ?? err.message }));
    runner.on('end', () => (summary = `${runner.stats?.passes ?? 0} passing, ${runner.stats?.failures ?? 0} failing`));
  });
  return { ...counts, tests, summary };
}
