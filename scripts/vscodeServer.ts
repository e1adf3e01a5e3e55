// The real VS Code workbench for the extension tier and `npm start`: code-server 4.139.1 (VS Code
// 1.139.1) with the Node 24 it requires, both from npm, installed once into .session-stream/ from
// the lockfiles in test/e2e/vscode/. No apt package is needed: code-server's own postinstall is
// denied (allowScripts) and done here instead, without building `kerberos` — see
// docs/vscode-server.md for why and what that leaves out.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..');
export const VSCODE_DIR = path.join(REPO, '.session-stream/vscode');
const NODE24_DIR = path.join(REPO, '.session-stream/node24');
export const NODE24_BIN = path.join(NODE24_DIR, 'node_modules/node/bin');
export const CODE_SERVER = path.join(VSCODE_DIR, 'node_modules/.bin/code-server');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = VSCODE_DIR): void {
  // Settings an outer npm (`npm test`, `npx`) leaves in npm_* variables must not leak into this
  // separate project's install (they name Node 20 and override its allowScripts).
  const clean = Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync(cmd, args, { cwd, env: clean, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
}

function npmCliPath(): string {
  return process.env.npm_execpath?.endsWith('npm-cli.js') ? process.env.npm_execpath : realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
}

/** Copies a lockfile project from test/e2e/vscode and `npm ci`s it, unless already installed from that lock. */
function install(from: string, to: string, ready: string, env: NodeJS.ProcessEnv, node?: string): void {
  const lock = path.join(from, 'package-lock.json');
  const installed = path.join(to, 'package-lock.json');
  if (existsSync(ready) && existsSync(installed) && readFileSync(lock, 'utf8') === readFileSync(installed, 'utf8')) return;
  mkdirSync(to, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(from, f), path.join(to, f));
  // With `node`, npm itself runs on that Node, so install scripts and native builds do too.
  // npm_node_execpath/NODE left by an outer npm (npx tsx) would point the scripts back at Node 20.
  if (node) run(node, [npmCliPath(), 'ci', '--no-audit', '--no-fund'], { ...env, NODE: node }, to);
  else run('npm', ['ci', '--no-audit', '--no-fund'], env, to);
}

/** What code-server's postinstall.sh does, minus the one native build that needs apt (kerberos). */
function codeServerPostinstall(env: NodeJS.ProcessEnv, node: string, npmCli: string): void {
  const vscode = path.join(VSCODE_DIR, 'node_modules/code-server/lib/vscode');
  // VS Code's own dependencies, as the postinstall's `npm install --omit=dev`, but with install
  // scripts off so that kerberos (Kerberos proxy sign-in; needs libkrb5-dev's gssapi.h) is not built.
  run(node, [npmCli, 'install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], env, vscode);
  // Then every other native module VS Code approves in its allowScripts, built as the postinstall would.
  const approved = (JSON.parse(readFileSync(path.join(vscode, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> }).allowScripts ?? {};
  const natives = Object.entries(approved)
    .filter(([, allowed]) => allowed)
    .map(([spec]) => spec.replace(/(.)@[^@/]+$/, '$1'))
    .filter((name) => name !== 'kerberos' && existsSync(path.join(vscode, 'node_modules', name, 'package.json')));
  run(node, [npmCli, 'rebuild', ...natives], env, vscode);
  for (const [dir, from, to] of [['bin/remote-cli', 'code-linux.sh', 'code-server'], ['bin/helpers', 'browser-linux.sh', 'browser.sh']] as const) {
    rmSync(path.join(vscode, dir, to), { force: true });
    symlinkSync(from, path.join(vscode, dir, to));
  }
  run(node, [npmCli, 'install', '--omit=dev', '--no-audit', '--no-fund'], env, path.join(vscode, 'extensions'));
}

export function ensureCodeServer(): void {
  const e2e = path.join(REPO, 'test/e2e/vscode');
  install(path.join(e2e, 'node24'), NODE24_DIR, path.join(NODE24_BIN, 'node'), process.env);
  const done = path.join(VSCODE_DIR, '.postinstall-done');
  if (existsSync(CODE_SERVER) && existsSync(done) && readFileSync(path.join(e2e, 'package-lock.json'), 'utf8') === readFileSync(done, 'utf8')) return;
  console.log('Installing VS Code (code-server 4.139, VS Code 1.139) from npm into .session-stream/vscode — once, about 2–3 minutes…');
  rmSync(done, { force: true });
  // Node 24 first on PATH: code-server and its native modules refuse Node 20.
  const node = path.join(NODE24_BIN, 'node');
  const env = { ...process.env, PATH: `${NODE24_BIN}${path.delimiter}${process.env.PATH}` };
  install(e2e, VSCODE_DIR, CODE_SERVER, env, node);
  codeServerPostinstall({ ...env, NODE: node }, node, npmCliPath());
  copyFileSync(path.join(e2e, 'package-lock.json'), done);
}

/** Installs the built extension (dist/, media/, package.json) into a code-server extensions dir. */
export function installExtension(extensionsDir: string): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const target = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const f of ['package.json', 'dist/extension.js', 'dist/cli.js', 'dist/webview', 'media', 'README.md', 'LICENSE']) if (existsSync(path.join(REPO, f))) cpSync(path.join(REPO, f), path.join(target, f), { recursive: true });
  return target;
}

/**
 * User settings for a workbench that shows our extension and nothing else asking for attention:
 * no Welcome page or tips, no "git repository found in the parent folders" prompt (the demo folder
 * sits inside this repository), no Chat view or AI features, no workspace-trust dialog.
 */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
};

/** Writes `settings` over the user settings of a code-server user-data dir (other keys kept). */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const file = path.join(userDataDir, 'User/settings.json');
  mkdirSync(path.dirname(file), { recursive: true });
  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // none yet, or edited by hand into JSON with comments: ours replace it
  }
  writeFileSync(file, `${JSON.stringify({ ...current, ...settings }, null, 2)}\n`);
}

/** The code-server arguments both the tests and `npm start` use. */
export function codeServerArgs(port: number, userDataDir: string, extensionsDir: string, folder: string): string[] {
  return ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', folder];
}

if (require.main === module) ensureCodeServer();
