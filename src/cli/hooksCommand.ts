// `session-stream hooks install|uninstall|status|collect` (docs/hooks.md): every session of Claude
// Code, Codex CLI and Gemini CLI on this machine streamed without a wrapper, through the agents'
// own hooks — and answerable from VS Code. install/uninstall edit the agents' settings
// (src/worker/hooks/install.ts); collect is the resident collector the hook starts by itself.
import { openSync, closeSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agentOf, type AgentKind, type HookScope } from '../bridges';
import { watchOnline } from '../core/viewers';
import { HookCollector } from '../worker/hooks/collector';
import { isAlive } from '../worker/hooks/processes';
import { HOOK_FILES } from '../worker/hooks/hookScript';
import { installHooks, uninstallHooks, type AgentHookState } from '../worker/hooks/install';
import { HOOKED_AGENTS, machineHookStatus, readCollectorPid } from '../worker/hooks/machine';
import { SessionLifecycleManager } from '../worker/sessionLifecycleManager';
import { UsageError } from './args';
import { choiceOption, defineCommand, orList, PROGRAM, wholeOption, type CommandSpec } from './options';
import { configDir, eventIdKey, readLogin, signedInUser, workerJournal } from './userAuth';

const HOOKED = HOOKED_AGENTS;
export const DEFAULT_ANSWER_TIMEOUT_MS = 30_000;

export const HOOKS = {
  name: 'hooks',
  summary: 'stream every Claude Code, Codex and Gemini CLI session on this machine, no wrapper (their own hooks)',
  operands: 'install|uninstall|status',
  about: `install adds our hook to each agent's own settings, so every session you start the usual way
(in a terminal, in an editor, in CI) streams live as a session of yours, and a permission it asks
for can be answered from VS Code. The settings are merged (yours stay as they are), a copy of each
file as it was is kept beside it (.session-stream-backup), and install is safe to run again.
uninstall takes out only what install added and puts back the file as it was when nothing else
changed since. status shows what is installed where and whether it works.

The hook hands each event to a collector that runs in the background while agents run (started by
the first hook, signed in with your saved login: run \`${PROGRAM} login\` first). A hook never holds
a credential, and never holds the agent up: with no collector, no network or no answer, the agent
goes on as without us, and asks for permission in its terminal. (\`${PROGRAM} hooks collect\` is that
collector; the hook starts it, you need not.)`,
  options: {
    agent: { type: 'string', choices: [...HOOKED, 'all'], default: 'all', help: 'which agent' },
    scope: { type: 'string', choices: ['user', 'project'], default: 'user', help: "your settings (every project), or this folder's only (Claude Code: .claude/settings.local.json)" },
    'answer-timeout-ms': { type: 'string', value: 'N', whole: { min: 0, max: 3_600_000, default: DEFAULT_ANSWER_TIMEOUT_MS }, help: 'how long a permission request waits for an answer from VS Code before the agent asks in its terminal (install)' },
  },
  notes: `Environment:
  SESSION_STREAM_HOOK_ANSWER_TIMEOUT_MS  overrides --answer-timeout-ms for the agents started with it
  CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME  where the agents keep their settings, as they read them
  SESSION_STREAM_CONFIG_DIR  where the hook, its spool and the collector's log are (default ~/.config/session-stream)`,
} as const satisfies CommandSpec;

/** The hooks folder: beside the saved login. */
export function hooksDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'hooks');
}

const home = (env: NodeJS.ProcessEnv) => env.HOME || os.homedir();

const WHAT: Record<NonNullable<AgentHookState['change']>, string> = {
  added: 'hooks added to',
  updated: 'hooks updated in',
  unchanged: 'hooks already in',
  removed: 'our hooks taken out of',
  restored: 'put back as it was:',
  none: 'nothing of ours in',
};

export const hooksCommand = defineCommand(HOOKS, async ({ values, positionals }) => {
  const [action, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`One action only, got ${positionals.join(' ')}.`);
  const agentChoice = choiceOption(HOOKS, 'agent', values.agent);
  const agents: readonly AgentKind[] = agentChoice === 'all' ? HOOKED : [agentChoice as AgentKind];
  const scope = choiceOption(HOOKS, 'scope', values.scope) as HookScope;
  const env = process.env;
  const place = { home: home(env), env, cwd: process.cwd(), scope, agents, dir: hooksDir(env) };
  switch (action) {
    case 'install':
      return install(place, wholeOption(HOOKS, 'answer-timeout-ms', values['answer-timeout-ms']));
    case 'uninstall':
      return report(uninstallHooks(place), place.dir, 'uninstall');
    case 'status':
      return status(place);
    case 'collect':
      return collect(env);
    default:
      throw new UsageError(action ? `Unknown action "${action}": use install, uninstall or status.` : 'Which action? install, uninstall or status.');
  }
});

function install(place: Omit<Parameters<typeof installHooks>[0], 'answerTimeoutMs' | 'collector' | 'collectorEnv'>, answerTimeoutMs: number): number {
  const cli = path.resolve(process.argv[1] ?? '');
  const env = place.env;
  const states = installHooks({
    ...place,
    answerTimeoutMs,
    // The collector gets our own command line, and only these variables: never the agent's environment.
    collector: [process.execPath, cli, 'hooks', 'collect'],
    collectorEnv: { HOME: place.home, PATH: env.PATH ?? '/usr/bin:/bin', SESSION_STREAM_CONFIG_DIR: configDir(env), ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
  });
  const code = report(states, place.dir, 'install');
  if (code === 0) {
    const login = readLogin(env);
    process.stdout.write(login ? `Every new session of ${orList(states.filter((s) => !s.problem).map((s) => agentOf(s.agent).label))} streams to ${login.email ?? 'your'} sessions at ${login.url}; a permission it asks for waits ${Math.round(answerTimeoutMs / 1000)} s for an answer from VS Code, then the agent asks in its terminal.\n` : `Not signed in: run \`${PROGRAM} login\` once; until then the agents run as before and nothing is streamed.\n`);
  }
  return code;
}

function report(states: AgentHookState[], dir: string, what: 'install' | 'uninstall'): number {
  const tilde = (f: string) => f.replace(os.homedir(), '~');
  for (const s of states) {
    const name = agentOf(s.agent).productName;
    if (s.problem) process.stderr.write(`${name}: ${s.problem}\n`);
    else process.stdout.write(`${name}: ${WHAT[s.change ?? 'none']} ${tilde(s.file ?? '')}${s.events.length ? ` (${s.events.join(', ')})` : ''}${s.backup && what === 'install' ? `; as it was: ${tilde(s.backup)}` : s.backup ? `; your edits since kept, the original still at ${tilde(s.backup)}` : ''}\n`);
  }
  if (what === 'uninstall' && !states.some((s) => s.events.length > 0)) process.stdout.write(`The hook script stays in ${tilde(dir)} for sessions still running; delete the folder when none are.\n`);
  return states.some((s) => s.problem) ? 1 : 0;
}

function status(place: Parameters<typeof machineHookStatus>[0]): number {
  const found = machineHookStatus(place, `run \`${PROGRAM} hooks install\` again`);
  const tilde = (f: string) => f.replace(os.homedir(), '~');
  for (const s of found.agents) {
    const name = agentOf(s.agent).productName;
    if (s.problem) process.stdout.write(`${name}: ${s.problem}\n`);
    else process.stdout.write(`${name}: ${s.events.length > 0 ? `hooked in ${tilde(s.file!)} (${s.events.join(', ')})` : `not hooked (${tilde(s.file ?? 'no settings file')})`}${s.bin ? '' : '; not installed here (not on PATH)'}\n`);
  }
  const problems = [...found.problems];
  const login = readLogin(place.env);
  if (!login) problems.push(`not signed in: run \`${PROGRAM} login\` (until then nothing is streamed)`);
  const c = found.collector;
  process.stdout.write(`Collector: ${c.running ? `running (pid ${c.pid})` : 'not running (the next hook starts it)'}${c.spooled ? `; ${c.spooled} event(s) waiting to be stored` : ''}${login ? `; signed in as ${login.email ?? 'you'} at ${login.url}` : ''}\n`);
  if (c.lastLog.length) process.stdout.write(`Its log (${tilde(c.logFile)}) ends:\n${c.lastLog.map((l) => `  ${l}`).join('\n')}\n`);
  for (const p of problems) process.stdout.write(`Problem: ${p}\n`);
  return problems.length > 0 ? 1 : 0;
}

/** Takes the collector's place (its pid file), unless a live one holds it. */
function takePlace(dir: string): boolean {
  const file = path.join(dir, HOOK_FILES.pid);
  const lock = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
    } catch {
      // Another collector is starting this very moment, or one died while starting (a stale lock).
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age < 10_000) return false;
      rmSync(lock, { force: true });
      continue;
    }
    try {
      const pid = readCollectorPid(dir);
      if (pid && pid !== process.pid && isAlive(pid)) return false;
      writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
      return true;
    } finally {
      rmSync(lock, { force: true });
    }
  }
  return false;
}

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

async function collect(env: NodeJS.ProcessEnv): Promise<number> {
  const dir = hooksDir(env);
  if (!takePlace(dir)) return 0;
  // Background work: on a busy machine the agents it watches get the processor first.
  try {
    os.setPriority(process.pid, 10);
  } catch {
    // not allowed here: it runs at the usual priority
  }
  // The log is appended to by every start; keep it small.
  const logFile = path.join(dir, HOOK_FILES.log);
  if ((statSync(logFile, { throwIfNoEntry: false })?.size ?? 0) > 1024 * 1024) truncateSync(logFile, 0);
  const idleExitMs = Number(env.SESSION_STREAM_HOOK_COLLECTOR_IDLE_MS) || 10 * 60_000;
  let stopping: string | false = false;
  process.once('SIGTERM', () => (stopping = 'SIGTERM'));
  process.once('SIGINT', () => (stopping = 'SIGINT'));
  // It outlives the terminal of the agent that started it (agents other than Claude Code run hooks in their own process group).
  process.on('SIGHUP', () => log('the terminal that started it closed; collecting on'));
  // Not signed in, or Supabase out of reach: stay (so hooks do not start another each time) and try
  // again now and then; the events wait in the spool.
  let user;
  let said = '';
  for (const since = Date.now(); !user; ) {
    try {
      user = await signedInUser(env);
    } catch (error) {
      const message = (error as Error).message;
      if (message !== said) log(`could not sign in: ${message} (events wait in the spool; trying again every 10 s)`);
      said = message;
      if (Date.now() - since >= idleExitMs) return release(dir, 1);
      for (let w = 0; w < 10_000 && !stopping; w += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      if (stopping) return release(dir, 1);
    }
  }
  log(`collecting as ${user.who} (pid ${process.pid})`);
  const manager = new SessionLifecycleManager(user.client, { journal: workerJournal(user.connection.url, user.userId, env) });
  manager.recover();
  const viewers = await watchOnline(user.client, user.userId);
  const collector = new HookCollector({ dir, client: user.client, userId: user.userId, manager, idKey: eventIdKey(env), ownSignIn: () => user.authSession(), online: () => viewers.online(), idleExitMs, log });
  await collector.start();
  while (!stopping) {
    let more = true;
    try {
      more = await collector.tick();
    } catch (error) {
      log((error as Error).message);
    }
    if (!more) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  log(stopping ? `stopped (${stopping})` : 'nothing to collect for a while; exiting (the next hook starts a collector again)');
  await manager.flush(15_000);
  await collector.stop();
  viewers.dispose();
  manager.dispose();
  user.dispose();
  return release(dir, 0);
}

function release(dir: string, code: number): number {
  if (readCollectorPid(dir) === process.pid) rmSync(path.join(dir, HOOK_FILES.pid), { force: true });
  return code;
}
