// `session-stream watch [--format claude-transcript|codex-rollout|gemini-session] [DIR]`: follows
// the agents' own session files and streams each as a session of yours
// (src/worker/transcriptWatcher.ts).
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sessionFileAgents } from '../bridges';
import { SessionLifecycleManager } from '../worker/sessionLifecycleManager';
import { TranscriptWatcher, type WatchFormat, type WatchRoot } from '../worker/transcriptWatcher';
import { intOption, UsageError } from './args';
import { COLOURS, PLAIN } from './tailFormat';
import { configDir, eventIdKey, signedInUser, workerJournal } from './userAuth';

const FORMATS: readonly WatchFormat[] = sessionFileAgents().map((a) => a.sessionFiles.format as WatchFormat);
const defaultDirs = (): Record<WatchFormat, string> => Object.fromEntries(sessionFileAgents().map((a) => [a.sessionFiles.format, a.sessionFiles.dir(os.homedir())])) as Record<WatchFormat, string>;
const DEFAULT_DIRS = defaultDirs();

export const watchHelp = `Usage: session-stream watch [--format claude-transcript|codex-rollout|gemini-session] [DIR]

Follows the session files that Claude Code (${DEFAULT_DIRS['claude-transcript']}), Codex
(${DEFAULT_DIRS['codex-rollout']}) and Gemini CLI (${DEFAULT_DIRS['gemini-session']}/*/chats)
write while they work, and streams each as a session of yours, live. Runs until Ctrl-C; a restart
goes on where it stopped (nothing is stored twice). Folders that do not exist yet are followed
once they appear.

  --format F          only this kind of file (default: all three, each from its own folder)
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
  if (values.format !== undefined && !(FORMATS as readonly string[]).includes(values.format)) throw new UsageError(`--format must be ${FORMATS.join(', ')}, got "${values.format}"`);
  const format = values.format as WatchFormat | undefined;
  if (positionals.length > 1) throw new UsageError('Give at most one folder.');
  if (positionals[0] && !format) throw new UsageError(`Which kind of files are in that folder? Add --format ${FORMATS.join(', --format ')}.`);
  const dirs = defaultDirs();
  const roots: WatchRoot[] = positionals[0] ? [{ dir: path.resolve(positionals[0]), format: format! }] : (format ? [format] : FORMATS).map((f) => ({ dir: dirs[f], format: f }));
  // A folder named on the command line must be there; the agents' own are followed once they appear.
  if (positionals[0] && !existsSync(roots[0]!.dir)) throw new UsageError(`Nothing to follow: ${roots[0]!.dir} does not exist.`);

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
    roots,
    stateFile,
    idKey: eventIdKey(),
    idleMs: intOption('--idle-minutes', values['idle-minutes'], 10, 1, 10_000) * 60_000,
    recentMs: intOption('--recent-minutes', values['recent-minutes'], 10, 0, 1_000_000) * 60_000,
    log: (line) => process.stdout.write(`${line}\n`),
    onEvent: (file, type) => values.quiet || process.stdout.write(`${p.dim(path.basename(file).slice(0, 24))} ${type}\n`),
  });
  await watcher.load();
  const there = roots.filter((r) => existsSync(r.dir));
  const notYet = roots.filter((r) => !existsSync(r.dir));
  process.stdout.write(`Following ${there.length > 0 ? there.map((r) => r.dir).join(', ') : 'nothing yet'}${notYet.length > 0 ? ` (and ${notYet.map((r) => r.dir).join(', ')} once ${notYet.length > 1 ? 'they appear' : 'it appears'})` : ''} as ${user.who}. Ctrl-C stops.\n`);
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
