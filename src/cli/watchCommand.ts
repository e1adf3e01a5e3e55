// `session-stream watch [--format claude-transcript|codex-rollout] [DIR]`: follows the agents'
// own session files and streams each as a session of yours (src/worker/transcriptWatcher.ts).
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SessionLifecycleManager } from '../worker/sessionLifecycleManager';
import { TranscriptWatcher, type WatchFormat, type WatchRoot } from '../worker/transcriptWatcher';
import { intOption, UsageError } from './args';
import { COLOURS, PLAIN } from './tailFormat';
import { configDir, eventIdKey, signedInUser, workerJournal } from './userAuth';

const DEFAULT_DIRS: Record<WatchFormat, string> = {
  'claude-transcript': path.join(os.homedir(), '.claude', 'projects'),
  'codex-rollout': path.join(os.homedir(), '.codex', 'sessions'),
};

export const watchHelp = `Usage: session-stream watch [--format claude-transcript|codex-rollout] [DIR]

Follows the session files that Claude Code (${DEFAULT_DIRS['claude-transcript']}) and Codex
(${DEFAULT_DIRS['codex-rollout']}) write while they work, and streams each as a session of yours,
live. Runs until Ctrl-C; a restart goes on where it stopped (nothing is stored twice).

  --format F          only this kind of file (default: both, each from its own folder)
  DIR                 another folder to follow (needs --format)
  --idle-minutes N    a session whose file has not grown for N minutes is completed (default 10)
  --recent-minutes N  at the first start, files changed in the last N minutes are followed from
                      their start (default 10); older ones only once they grow
  --interval-ms N     how often to look (default 1000)
  --state FILE        where positions are kept (default ${path.join(configDir(), 'watch-state.json')})`;

export async function runWatch(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'idle-minutes': { type: 'string' },
      'recent-minutes': { type: 'string' },
      'interval-ms': { type: 'string' },
      state: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return void process.stdout.write(`${watchHelp}\n`), 0;
  if (values.format !== undefined && values.format !== 'claude-transcript' && values.format !== 'codex-rollout') throw new UsageError(`--format must be claude-transcript or codex-rollout, got "${values.format}"`);
  const format = values.format as WatchFormat | undefined;
  if (positionals.length > 1) throw new UsageError('Give at most one folder.');
  if (positionals[0] && !format) throw new UsageError('Which kind of files are in that folder? Add --format claude-transcript or --format codex-rollout.');
  const roots: WatchRoot[] = positionals[0] ? [{ dir: path.resolve(positionals[0]), format: format! }] : (format ? [format] : (['claude-transcript', 'codex-rollout'] as WatchFormat[])).map((f) => ({ dir: DEFAULT_DIRS[f], format: f }));
  const missing = roots.filter((r) => !existsSync(r.dir));
  if (missing.length === roots.length) throw new UsageError(`Nothing to follow: ${roots.map((r) => r.dir).join(' and ')} ${roots.length > 1 ? 'do' : 'does'} not exist.`);

  const user = await signedInUser();
  const manager = new SessionLifecycleManager(user.client, { journal: workerJournal(user.connection.url, user.userId) });
  manager.recover();
  const stateFile = values.state ?? path.join(configDir(), 'watch-state.json');
  mkdirSync(path.dirname(stateFile), { recursive: true, mode: 0o700 });
  const p = process.stdout.isTTY && !process.env.NO_COLOR ? COLOURS : PLAIN;
  const watcher = new TranscriptWatcher({
    client: user.client,
    userId: user.userId,
    manager,
    roots: roots.filter((r) => existsSync(r.dir)),
    stateFile,
    idKey: eventIdKey(),
    idleMs: intOption('--idle-minutes', values['idle-minutes'], 10, 1, 10_000) * 60_000,
    recentMs: intOption('--recent-minutes', values['recent-minutes'], 10, 0, 1_000_000) * 60_000,
    log: (line) => process.stdout.write(`${line}\n`),
    onEvent: (file, type) => values.quiet || process.stdout.write(`${p.dim(path.basename(file).slice(0, 24))} ${type}\n`),
  });
  await watcher.load();
  process.stdout.write(`Following ${roots.filter((r) => existsSync(r.dir)).map((r) => r.dir).join(' and ')} as ${user.who}. Ctrl-C stops.\n`);
  const interval = intOption('--interval-ms', values['interval-ms'], 1000, 50, 60_000);
  let stopping = false;
  const stop = () => (stopping = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  while (!stopping) {
    try {
      await watcher.tick();
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
    }
    for (let waited = 0; waited < interval && !stopping; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await manager.flush(15_000);
  await watcher.stop();
  manager.dispose();
  user.dispose();
  return 0;
}
