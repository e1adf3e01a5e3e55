// `session-stream watch [--format claude-transcript|codex-rollout|gemini-session] [DIR]`: follows
// the agents' own session files and streams each as a session of yours
// (src/worker/transcriptWatcher.ts).
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sessionFileAgents } from '../bridges';
import { SessionLifecycleManager } from '../worker/sessionLifecycleManager';
import { TranscriptWatcher, type WatchFormat, type WatchRoot } from '../worker/transcriptWatcher';
import { UsageError } from './args';
import { choiceOption, defineCommand, wholeOption, type CommandSpec } from './options';
import { COLOURS, PLAIN } from './tailFormat';
import { configDir, eventIdKey, signedInUser, workerJournal } from './userAuth';

const FORMATS: readonly WatchFormat[] = sessionFileAgents().map((a) => a.sessionFiles.format as WatchFormat);
const defaultDirs = (): Record<WatchFormat, string> => Object.fromEntries(sessionFileAgents().map((a) => [a.sessionFiles.format, a.sessionFiles.dir(os.homedir())])) as Record<WatchFormat, string>;
const DEFAULT_DIRS = defaultDirs();

const defaultStateFile = () => path.join(configDir(), 'watch-state.json');

export const WATCH = {
  name: 'watch',
  summary: 'follow Claude Code, Codex and Gemini CLI session files as they grow, each as a session of yours',
  operands: '[DIR]',
  about: `Follows the session files that Claude Code (${DEFAULT_DIRS['claude-transcript']}), Codex
(${DEFAULT_DIRS['codex-rollout']}) and Gemini CLI (${DEFAULT_DIRS['gemini-session']}/*/chats)
write while they work, and streams each as a session of yours, live. Runs until Ctrl-C; a restart
goes on where it stopped (nothing is stored twice). Folders that do not exist yet are followed
once they appear. DIR is another folder to follow (it needs --format).`,
  options: {
    format: { type: 'string', choices: FORMATS, help: 'only this kind of file (default: all three, each from its own folder)' },
    'idle-minutes': { type: 'string', value: 'N', whole: { min: 1, max: 10_000, default: 10 }, help: 'a session whose file has not grown for N minutes is completed' },
    'recent-minutes': { type: 'string', value: 'N', whole: { min: 0, max: 1_000_000, default: 10 }, help: 'at the first start, files changed in the last N minutes are followed from their start; older ones only once they grow' },
    'interval-ms': { type: 'string', value: 'N', whole: { min: 50, max: 60_000, default: 1000 }, help: 'how often to look, in milliseconds' },
    state: { type: 'string', value: 'FILE', default: defaultStateFile(), help: 'where positions are kept' },
    quiet: { type: 'boolean', default: false, help: 'print only what is followed, not a line per event' },
  },
} as const satisfies CommandSpec;

export const watchCommand = defineCommand(WATCH, async ({ values, positionals }) => {
  const format = values.format === undefined ? undefined : choiceOption(WATCH, 'format', values.format);
  if (positionals.length > 1) throw new UsageError('Give at most one folder.');
  if (positionals[0] && !format) throw new UsageError(`Which kind of files are in that folder? Add --format ${FORMATS.join(', --format ')}.`);
  const dirs = defaultDirs();
  const roots: WatchRoot[] = positionals[0] ? [{ dir: path.resolve(positionals[0]), format: format! }] : (format ? [format] : FORMATS).map((f) => ({ dir: dirs[f], format: f }));
  // A folder named on the command line must be there; the agents' own are followed once they appear.
  if (positionals[0] && !existsSync(roots[0]!.dir)) throw new UsageError(`Nothing to follow: ${roots[0]!.dir} does not exist.`);

  const user = await signedInUser();
  const manager = new SessionLifecycleManager(user.client, { journal: workerJournal(user.connection.url, user.userId) });
  manager.recover();
  const stateFile = values.state;
  mkdirSync(path.dirname(stateFile), { recursive: true, mode: 0o700 });
  const p = process.stdout.isTTY && !process.env.NO_COLOR ? COLOURS : PLAIN;
  const watcher = new TranscriptWatcher({
    client: user.client,
    userId: user.userId,
    manager,
    roots,
    stateFile,
    idKey: eventIdKey(),
    idleMs: wholeOption(WATCH, 'idle-minutes', values['idle-minutes']) * 60_000,
    recentMs: wholeOption(WATCH, 'recent-minutes', values['recent-minutes']) * 60_000,
    log: (line) => process.stdout.write(`${line}\n`),
    onEvent: (file, type) => values.quiet || process.stdout.write(`${p.dim(path.basename(file).slice(0, 24))} ${type}\n`),
  });
  await watcher.load();
  const there = roots.filter((r) => existsSync(r.dir));
  const notYet = roots.filter((r) => !existsSync(r.dir));
  process.stdout.write(`Following ${there.length > 0 ? there.map((r) => r.dir).join(', ') : 'nothing yet'}${notYet.length > 0 ? ` (and ${notYet.map((r) => r.dir).join(', ')} once ${notYet.length > 1 ? 'they appear' : 'it appears'})` : ''} as ${user.who}. Ctrl-C stops.\n`);
  const interval = wholeOption(WATCH, 'interval-ms', values['interval-ms']);
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
});
