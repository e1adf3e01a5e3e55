// Entry of the extension-host suite for `@vscode/test-electron` (`npm run test:electron`): the
// same suites as the code-server tier; test-electron expects `run()` to reject on any failure.
import { run as runSuites } from './index';

export async function run(): Promise<void> {
  const r = await runSuites();
  for (const t of r.tests) console.log(`${t.error ? '✘' : '✔'} ${t.title}${t.error ? `\n${t.error}` : ''}`);
  console.log(r.summary);
  if (r.failures > 0 || r.passes === 0) throw new Error(`${r.failures} of ${r.passes + r.failures} extension-host tests failed`);
}
