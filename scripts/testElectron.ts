// `npm run test:electron`: the extension-host suite of test/extension/ in desktop VS Code via
// `@vscode/test-electron`, for contributors whose machine can download VS Code (it fetches a build
// from update.code.visualstudio.com on first use). CI runs the same suite in code-server instead
// (`npm test` → extension tier), because CI machines here have no internet beyond npm.
// Needs a display on Linux (e.g. `xvfb-run -a npm run test:electron`).
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { startExtensionFixture } from '../test/extension/fixture';

const REPO = path.resolve(__dirname, '..');

async function main(): Promise<number> {
  const fixture = await startExtensionFixture('electron.ts');
  try {
    return await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: REPO,
      extensionTestsPath: fixture.bundle,
      extensionTestsEnv: fixture.env,
      launchArgs: [fixture.workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(fixture.tmp, 'user')],
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|download/i.test(message)) {
      console.error(`Could not download VS Code for @vscode/test-electron: ${message}\nThis needs internet access to update.code.visualstudio.com. Offline, run the same suite in code-server: npm test -- extension`);
    } else console.error(`test:electron failed: ${message}`);
    return 1;
  } finally {
    await fixture.stop();
  }
}

void main().then((code) => process.exit(code));
