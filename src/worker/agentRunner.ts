// The agent runner: starts an agent CLI, streams what it prints into a session of the signed-in
// user (through its bridge and AgentSessionWriter), and takes the session's commands (stop,
// pause, resume, messages, approvals) to it. `session-stream run` is a shell over it; so is
// VS Code's Run Agent… (which runs that command in a terminal).
//
// The agent starts at once, while the runner signs in and makes its session (its first lines wait
// for that): our start-up is not added to its run. If the sign-in fails it is stopped as with
// Ctrl-C. The agent's environment carries none of our credentials (agentEnvironment.ts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { SupabaseClient } from '@supabase/supabase-js';
import { agentOfCommand, agentOfFormat, createMapper, detectFormat, type AgentFormat, type AgentInfo, type AgentMapper } from '../bridges';
import { versionNote } from '../bridges/versions';
import { createSession } from '../core/sessions';
import type { SessionEventType } from '../shared/events';
import { AgentSessionWriter, type WriterResult } from './agentBridge';
import { agentEnvironment } from './agentEnvironment';
import { RUN_MARK } from './hooks/hookScript';
import { AgentProcess } from './agentProcess';
import { AgentSteering, streamInputOf, userMessageLine } from './agentSteering';
import { agentVersion } from './agentVersion';
import type { Journal } from './journal';
import { SessionLifecycleManager } from './sessionLifecycleManager';

/** Who the runner writes as: a sign-in of the user's own (never one the agent could use to steer itself). */
export interface RunnerUser {
  client: SupabaseClient;
  userId: string;
  /** For messages: "you@example.com (saved login)". */
  who: string;
  connection: { url: string };
  /** The auth session of this sign-in (the token's `session_id`): approvals sent with it are refused. */
  authSession(): Promise<string | undefined>;
  dispose(): void;
}

/** Where the runner's output goes (`run` prints it; the agent's stdout is ours to read). */
export interface RunnerOutput {
  /** A line of the run's own output (SESSION_ID=…, the summary): stdout. */
  line(text: string): void;
  /** An event as it is stored (for a live view of the run). */
  event(type: SessionEventType, data: Record<string, unknown>): void;
  /** A note for the person running it (which version, what was withheld, problems): stderr. */
  note(text: string): void;
  /** What the agent writes to its stderr, passed through. */
  agentStderr(chunk: Buffer): void;
}

export interface RunOptions {
  /** The agent's command and arguments. */
  argv: readonly string[];
  /** The output format; undefined: from the command's name, else from its first lines. */
  format?: AgentFormat;
  title?: string;
  /** Variables the agent gets although they look like credentials (`run --pass-env`). */
  passEnv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  quiet?: boolean;
  signIn(): Promise<RunnerUser>;
  /** The journal that keeps unstored events on disk for this user. */
  journal(user: RunnerUser): Journal;
  out: RunnerOutput;
  /** Ctrl-C in a terminal reaches the agent too (same process group); these signals sent to us alone are passed on. */
  forwardSignals?: readonly NodeJS.Signals[];
}

/** The format a command's name tells (`codex`, `claude`, `gemini`), if any. */
export function formatOfCommand(argv: readonly string[]): AgentFormat | undefined {
  return agentOfCommand(path.basename(argv[0] ?? '').replace(/\.(cmd|exe|js)$/i, ''))?.runFormat;
}

/** The model a command asks for (`-m X`, `--model X`, `--model=X`, Codex's `-c model=X`), if it names one. */
export function modelOfCommand(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '-m' || a === '--model') && argv[i + 1]) return argv[i + 1];
    if (a.startsWith('--model=')) return a.slice('--model='.length);
    if (a === '-c' && /^model\s*=/.test(argv[i + 1] ?? '')) return argv[i + 1]!.replace(/^model\s*=\s*/, '').replace(/^["']|["']$/g, '');
  }
  return undefined;
}

/** Model names that stand for a choice the agent makes later ("auto"): not a model. */
const isAlias = (model: string) => /^auto\b/i.test(model);

/** Creates the user's session (pending) for an agent's run or recording. */
export async function createAgentSession(user: RunnerUser, o: { title: string; format?: AgentFormat; info?: AgentInfo }): Promise<string> {
  const session = { userId: user.userId, title: o.title.slice(0, 200), source: o.format ? agentOfFormat(o.format).kind : 'other', cwd: o.info?.cwd ?? null, agentSessionId: o.info?.agentSessionId ?? null, model: o.info?.model ?? null } as const;
  return (await createSession(user.client, session, { columns: 'id', who: user.who })).id;
}

/** The closing line of a run or import. */
export function runSummary(r: WriterResult, counts: AgentMapper['counts']): string {
  const s = r.stats;
  const cost = typeof s.costUsd === 'number' ? `, $${s.costUsd.toFixed(4)}` : '';
  return `Session ${r.outcome}: ${counts.lines} lines → ${counts.events} events (${counts.skipped} skipped as noise, ${counts.unknown} of unknown kinds and ${counts.malformed} not JSON, kept as events); ${s.inputTokens} input / ${s.outputTokens} output tokens${cost}.`;
}

/** What could not be stored, for stderr; undefined when all was. */
export function problemsText(r: WriterResult): string | undefined {
  if (r.problems.length === 0) return undefined;
  return `${r.problems.length} event(s) could not be stored:\n${r.problems.slice(0, 10).map((p) => `  ${p}`).join('\n')}`;
}

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/**
 * Runs the agent to its end and returns the exit code `run` exits with: the agent's (127 when it
 * could not start, 128 + N for a signal), or 1 when it succeeded but events could not be stored.
 * Throws when the sign-in or the session fails (the agent is stopped first).
 */
export async function runAgent(o: RunOptions): Promise<number> {
  const agent = o.argv;
  const out = o.out;
  let format = o.format ?? formatOfCommand(agent);
  const named = formatOfCommand(agent);
  const advice = named ? agentOfFormat(named).run.outputAdvice(agent.join(' ')) : undefined;
  if (advice) out.note(`Note: ${advice}`);

  // Claude Code with stream-json input reads its prompt, messages and answers from stdin (ours).
  const streamInput = streamInputOf(agent);
  const command = streamInput?.argv ?? agent;
  const label = format ? agentOfFormat(format).label : path.basename(agent[0]!);
  const prompt = streamInput?.prompt ?? agent.filter((a) => !a.startsWith('-')).at(-1);
  const title = o.title ?? `${label}: ${prompt && prompt !== agent[0] ? prompt.replace(/\s+/g, ' ') : agent.join(' ')}`;
  const asked = modelOfCommand(agent);

  const startedAt = Date.now();
  const childEnv = agentEnvironment(o.env ?? process.env, o.passEnv ?? []);
  // RUN_MARK tells our hooks (if the user installed them) that this run streams already: they stay out.
  const child = spawn(command[0]!, command.slice(1), { stdio: [streamInput ? 'pipe' : 'inherit', 'pipe', 'pipe'], env: { ...childEnv.env, [RUN_MARK]: '1' } });
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  if (streamInput?.prompt) child.stdin!.write(userMessageLine(streamInput.prompt));
  let stopping: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    stopping = signal;
    if (child.exitCode === null) child.kill(signal);
  };
  for (const signal of o.forwardSignals ?? []) process.on(signal, forward);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    out.agentStderr(chunk);
    stderr = (stderr + chunk.toString('utf8')).slice(-65_536);
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  // Its output is read from the start (an agent may be done before the sign-in is): the lines
  // wait in order until the session exists.
  const lines = readline.createInterface({ input: child.stdout!, crlfDelay: Infinity });
  const linesClosed = new Promise<void>((resolve) => lines.once('close', resolve));
  let writer: AgentSessionWriter | undefined;
  let mapper: AgentMapper | undefined;
  let stopReason: string | undefined;
  /** Lines read before the format is known. */
  const pending: string[] = [];
  let ready = false;
  // Lines wait until writing starts (the session exists and the writer is made), then go in order.
  let startWriting!: () => void;
  let chain = new Promise<void>((resolve) => (startWriting = resolve));
  lines.on('line', (text) => {
    chain = chain.then(async () => {
      if (!ready) return; // the sign-in failed: the agent is being stopped
      if (!writer) {
        // Without a format yet: the first lines tell (kept until then, never dropped).
        format ??= detectFormat(text);
        pending.push(text);
        if (!format && pending.length < 20) return;
        writer = makeWriter(format);
        for (const line of pending.splice(0)) await writer.line(line);
        return;
      }
      await writer.line(text);
    });
  });

  const setUp = (async () => {
    const user = await o.signIn();
    const manager = new SessionLifecycleManager(user.client, { journal: o.journal(user) });
    manager.recover();
    const sessionId = await createAgentSession(user, { title, format, info: { cwd: process.cwd(), model: asked && !isAlias(asked) ? asked : undefined } });
    out.line(`SESSION_ID=${sessionId}`);
    if (!o.quiet) out.note(`Streaming as ${user.who} to ${user.connection.url}. Watch it in VS Code (Agent Session Stream) or: session-stream tail --session ${sessionId}`);
    if (childEnv.withheld.length > 0 && !o.quiet) out.note(`Not passed to the agent (credentials): ${childEnv.withheld.join(', ')}.`);
    // Steering: commands sent to this session from VS Code or the command line.
    const steering = new AgentSteering({
      manager,
      sessionId,
      agent: new AgentProcess(child),
      format,
      label,
      input: streamInput ? child.stdin! : undefined,
      ownSignIn: () => user.authSession(),
      stopped: (reason) => {
        stopReason = reason;
        writer?.stopped(reason);
      },
    });
    if (streamInput?.prompt) steering.promptSent();
    const receiver = manager.onCommand(sessionId, (c) => steering.handle(c));
    return { user, manager, sessionId, steering, receiver };
  })();
  const fail = async (error: unknown): Promise<never> => {
    // Not signed in, or no session: the agent must not go on unwatched.
    if (child.exitCode === null) child.kill('SIGINT');
    startWriting(); // its lines are dropped (ready is false)
    await closed;
    await linesClosed;
    for (const signal of o.forwardSignals ?? []) process.off(signal, forward);
    throw error;
  };
  const run = await setUp.catch(fail);
  const { manager, sessionId, steering } = run;

  // Say once which version runs: from what the agent prints about itself, else from its package.
  let versionSaid = false;
  const sayVersion = (version: string | undefined) => {
    if (versionSaid || o.quiet || !format) return;
    versionSaid = true;
    out.note(versionNote(agentOfFormat(format).kind, version));
  };
  const versionFrom = format ? agentOfFormat(format).versionFrom : undefined;
  if (format && versionFrom !== 'output') void agentVersion(agentOfFormat(format).kind, agent[0]!, { ask: versionFrom === 'package-or-ask' }).then(sayVersion);
  const onInfo = async (info: AgentInfo) => {
    if (versionFrom === 'output' && info.version) sayVersion(info.version);
    const model = info.model && !isAlias(info.model) ? info.model : undefined;
    if (!info.agentSessionId && !model) return;
    await manager.setAgentInfo(sessionId, { agentSessionId: info.agentSessionId, model }).catch((error: Error) => out.note(error.message));
  };

  const makeWriter = (f: AgentFormat | undefined) => {
    mapper = createMapper(f, { cwd: process.cwd() });
    mapper.multiTurn = streamInput !== undefined;
    const made = new AgentSessionWriter({ manager, sessionId, mapper, startedAt, onInfo, onEvent: (type, data) => out.event(type, data), onRequest: (item, eventId) => steering.onRequest(item, eventId), endOnExit: streamInput !== undefined, onTurnEnd: () => steering.turnEnded() });
    if (stopReason) made.stopped(stopReason);
    return made;
  };
  ready = true;
  startWriting();
  const exit = await closed;
  await linesClosed;
  await chain;
  for (const signal of o.forwardSignals ?? []) process.off(signal, forward);
  writer ??= makeWriter(format);
  for (const line of pending.splice(0)) await writer.line(line);
  if (spawnError) stderr += `\n${spawnError.message}`;
  const result = await writer.finish({ code: spawnError ? 127 : exit.code, signal: exit.signal ?? (stopping && exit.code === null ? stopping : null), stderr });
  await run.receiver.dispose();
  manager.dispose();
  run.user.dispose();
  out.line(runSummary(result, mapper!.counts));
  const problems = problemsText(result);
  if (problems) out.note(problems);
  if (spawnError) out.note(`Could not start ${agent[0]}: ${spawnError.message}. Is it installed and on PATH?`);
  const code = spawnError ? 127 : (exit.code ?? (exit.signal ? 128 + (SIGNALS[exit.signal] ?? 1) : 1));
  return result.problems.length > 0 && code === 0 ? 1 : code;
}
