// The real agent CLIs for the agents tier and its benchmark: Claude Code, Codex CLI and Gemini CLI,
// pinned to the exact versions of test/agents/install/package-lock.json, installed from npm once
// into .session-stream/agents/ (about 760 MB; again only when the lock changes). They are not
// dependencies of the extension. `npx tsx scripts/agents.ts` installs them and prints where.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..');
const SOURCE = path.join(REPO, 'test/agents/install');
export const AGENTS_DIR = path.join(REPO, '.session-stream/agents');

export type AgentName = 'claude' | 'codex' | 'gemini';

export interface InstalledAgent {
  name: AgentName;
  /** The npm package and its pinned version. */
  pkg: string;
  version: string;
  bin: string;
}

const PACKAGES: Record<AgentName, string> = { claude: '@anthropic-ai/claude-code', codex: '@openai/codex', gemini: '@google/gemini-cli' };

/** The pinned versions (from the manifest in the repository). */
export function pinnedVersions(): Record<AgentName, string> {
  const deps = (JSON.parse(readFileSync(path.join(SOURCE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
  return { claude: deps[PACKAGES.claude]!, codex: deps[PACKAGES.codex]!, gemini: deps[PACKAGES.gemini]! };
}

/** Installs the pinned agents unless they are already installed from this lock; returns them. */
export function ensureAgents(): Record<AgentName, InstalledAgent> {
  const lock = path.join(SOURCE, 'package-lock.json');
  const done = path.join(AGENTS_DIR, '.installed-lock.json');
  const current = existsSync(done) && readFileSync(done, 'utf8') === readFileSync(lock, 'utf8');
  if (!current) {
    console.log(`Installing the real agent CLIs (${Object.entries(pinnedVersions()).map(([n, v]) => `${n} ${v}`).join(', ')}) from npm into .session-stream/agents — once, about 1–3 minutes…`);
    rmSync(done, { force: true });
    mkdirSync(AGENTS_DIR, { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(SOURCE, f), path.join(AGENTS_DIR, f));
    // npm_* settings of an outer npm (`npm test`) must not leak into this separate install.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: AGENTS_DIR, env, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm ci of the agent CLIs failed (${r.status ?? r.signal}); see above.`);
    copyFileSync(lock, done);
  }
  const versions = pinnedVersions();
  const agent = (name: AgentName): InstalledAgent => {
    const bin = path.join(AGENTS_DIR, 'node_modules/.bin', name);
    if (!existsSync(bin)) throw new Error(`${bin} is missing after the install: delete .session-stream/agents and run again.`);
    return { name, pkg: PACKAGES[name], version: versions[name], bin };
  };
  return { claude: agent('claude'), codex: agent('codex'), gemini: agent('gemini') };
}

if (require.main === module) {
  for (const a of Object.values(ensureAgents())) console.log(`${a.name} ${a.version}: ${a.bin}`);
}
