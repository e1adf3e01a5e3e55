// The real VS Code workbench for the extension tier: code-server 4.139.1 (VS Code 1.139.1) with
// the Node 24 it requires, both from npm, installed once into .session-stream/vscode from the
// lockfile in test/e2e/vscode/. Its native modules need libkrb5-dev (apt, as root) — see
// ../shared/docs/vscode-e2e.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
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

/** Copies a lockfile project from test/e2e/vscode and `npm ci`s it, unless already installed from that lock. */
function install(from: string, to: string, ready: string, env: NodeJS.ProcessEnv, node?: string): void {
  const lock = path.join(from, 'package-lock.json');
  const installed = path.join(to, 'package-lock.json');
  if (existsSync(ready) && existsSync(installed) && readFileSync(lock, 'utf8') === readFileSync(installed, 'utf8')) return;
  mkdirSync(to, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(from, f), path.join(to, f));
  // With `node`, npm itself runs on that Node, so install scripts and native builds do too.
  const npmCli = process.env.npm_execpath?.endsWith('npm-cli.js') ? process.env.npm_execpath : realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  // npm_node_execpath/NODE left by an outer npm (npx tsx) would point the scripts back at Node 20.
  if (node) run(node, [npmCli, 'ci', '--no-audit', '--no-fund'], { ...env, NODE: node }, to);
  else run('npm', ['ci', '--no-audit', '--no-fund'], env, to);
}

export function ensureCodeServer(): void {
  const e2e = path.join(REPO, 'test/e2e/vscode');
  install(path.join(e2e, 'node24'), NODE24_DIR, path.join(NODE24_BIN, 'node'), process.env);
  if (existsSync(CODE_SERVER) && existsSync(path.join(VSCODE_DIR, 'package-lock.json')) && readFileSync(path.join(e2e, 'package-lock.json'), 'utf8') === readFileSync(path.join(VSCODE_DIR, 'package-lock.json'), 'utf8')) return;
  console.log('Installing code-server (VS Code 1.139) from npm into .session-stream/vscode (once, ≈ 3 min)…');
  // Node 24 first on PATH: code-server and its native modules refuse Node 20.
  install(e2e, VSCODE_DIR, CODE_SERVER, { ...process.env, PATH: `${NODE24_BIN}${path.delimiter}${process.env.PATH}` }, path.join(NODE24_BIN, 'node'));
}

/** Installs the built extension (dist/, media/, package.json) into a code-server extensions dir. */
export function installExtension(extensionsDir: string): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const target = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const f of ['package.json', 'dist/extension.js', 'dist/webview', 'media', 'README.md', 'LICENSE']) if (existsSync(path.join(REPO, f))) cpSync(path.join(REPO, f), path.join(target, f), { recursive: true });
  return target;
}

/** The code-server arguments both the tests and `npm start` use. */
export function codeServerArgs(port: number, userDataDir: string, extensionsDir: string, folder: string): string[] {
  return ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', folder];
}

if (require.main === module) ensureCodeServer();
