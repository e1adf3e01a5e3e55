// Runs the built command line (dist/cli.js through scripts/cli.sh) as a user would, and reads its
// output line by line. `npm test` builds before the integration tier.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';

export const REPO = path.resolve(__dirname, '../..');

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** Every stdout line so far. */
  lines: string[];
  stderr(): string;
  /** Resolves with the first stdout line (already seen or future) that matches, or rejects on timeout/exit. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string, cwd = REPO): CliProcess {
  const child = spawn('sh', [path.join(REPO, 'scripts/cli.sh'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
  const lines: string[] = [];
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const listeners = new Set<(line: string) => void>();
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const l of listeners) l(line);
  });
  if (input !== undefined) child.stdin.end(input);
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    waitForLine(match, timeoutMs = 30_000) {
      const test = typeof match === 'function' ? match : (l: string) => match.test(l);
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`no matching line within ${timeoutMs} ms; stdout:\n${lines.join('\n')}\nstderr:\n${err}`)), timeoutMs);
        const on = (line: string) => test(line) && done(undefined, line);
        const done = (error?: Error, line?: string) => {
          clearTimeout(timer);
          listeners.delete(on);
          if (error) reject(error);
          else resolve(line!);
        };
        listeners.add(on);
        void exited.then((code) => done(new Error(`exited with ${code} before a matching line; stdout:\n${lines.join('\n')}\nstderr:\n${err}`)));
      });
    },
  };
}

/** Runs a command to its end: exit code, stdout, stderr. */
export async function runCliToEnd(args: string[], env: NodeJS.ProcessEnv = {}, input?: string, timeoutMs = 60_000, cwd = REPO) {
  const p = runCli(args, env, input, cwd);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, stdout: p.lines.join('\n'), stderr: p.stderr() };
}
