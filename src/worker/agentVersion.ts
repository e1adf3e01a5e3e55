// Which version of an agent CLI a command runs: read from the npm package the binary belongs to
// (cheap, and what npm, pnpm and bun installs have), else asked of the binary (`--version`, bounded
// in time). Used by `run` (to say once which version it sees) and `doctor`.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { AGENT_PACKAGES, versionIn, type AgentKind } from '../bridges/versions';

/** The absolute path of `command` as the shell would find it on PATH (undefined when it is not there). */
export function whichCommand(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (command.includes(path.sep)) return existsSync(command) ? path.resolve(command) : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The version in the package.json of the npm package `bin` is part of, if it is one of the agents'. */
export function packageVersion(agent: AgentKind, bin: string): string | undefined {
  let dir: string;
  try {
    dir = path.dirname(realpathSync(bin));
  } catch {
    return undefined;
  }
  for (let i = 0; i < 8; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === AGENT_PACKAGES[agent]) return pkg.version;
      } catch {
        // not a package.json we can read: keep looking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** What `bin --version` says (within `timeoutMs`), as a semver. */
export function askedVersion(bin: string, timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(bin, ['--version'], { timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout) => resolve(error ? undefined : versionIn(stdout)));
  });
}

/** The version of `agent` that `command` runs. */
export async function agentVersion(agent: AgentKind, command: string, o: { ask?: boolean } = {}): Promise<string | undefined> {
  const bin = whichCommand(command);
  if (!bin) return undefined;
  return packageVersion(agent, bin) ?? (o.ask === false ? undefined : await askedVersion(bin));
}
