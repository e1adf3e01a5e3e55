// `session-stream run -- <agent command…>` and `session-stream import FILE|-`: a real agent's
// session (Codex, Claude Code, Gemini CLI) streamed into Supabase as the signed-in user, through
// the bridges (src/bridges) and AgentSessionWriter. Both print SESSION_ID=<uuid> first.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { AGENT_FORMATS, createMapper, detectFormat, SOURCE_LABELS, type AgentFormat, type AgentInfo, type AgentMapper } from '../bridges';
import { validateEventData, type SessionEvent, type SessionEventType } from '../shared/events';
import { AgentSessionWriter, type WriterResult } from '../worker/agentBridge';
import { versionNote, type AgentKind } from '../bridges/versions';
import { agentEnvironment } from '../worker/agentEnvironment';
import { agentVersion } from '../worker/agentVersion';
import { AgentProcess } from '../worker/agentProcess';
import { AgentSteering, streamInputOf, userMessageLine } from '../worker/agentSteering';
import { SessionLifecycleManager } from '../worker/sessionLifecycleManager';
import { UsageError } from './args';
import { choiceOption, defineCommand, type CommandSpec } from './options';
import { COLOURS, describeEvent, PLAIN } from './tailFormat';
import { signedInUser, workerJournal, type SignedInUser } from './userAuth';

const SOURCE: Record<AgentFormat, string> = { codex: 'codex', 'codex-rollout': 'codex', claude: 'claude', 'claude-transcript': 'claude', gemini: 'gemini', 'gemini-session': 'gemini' };

export const RUN = {
  name: 'run',
  summary: 'run an agent (Codex, Claude Code, Gemini CLI) and stream its session live, as you',
  operands: '-- <agent command…>',
  // Only after --: anything else is not one of our options.
  positionals: false,
  passThrough: true,
  about: `Starts the agent, and streams its session live as you (no service-role key): every command,
file change, thought and the result, to watch in VS Code ("Agent Session Stream") or with tail.
Prints SESSION_ID=<uuid> first; exits with the agent's exit code once every event is stored.
Ctrl-C stops the agent (the session ends as cancelled).

The agent must print its machine-readable stream:
  session-stream run -- codex exec --json "fix the failing test"
  session-stream run -- claude -p --output-format stream-json --verbose "fix the failing test"
  session-stream run -- gemini --output-format stream-json -p "fix the failing test"`,
  options: {
    title: { type: 'string', value: 'T', help: 'the session title (default: the agent and its prompt)' },
    format: { type: 'string', choices: ['auto', 'codex', 'claude', 'gemini'], default: 'auto', help: "the agent's output format; auto: from the command's name, else from its first lines" },
    quiet: { type: 'boolean', default: false, help: 'print only SESSION_ID and the outcome' },
    'pass-env': { type: 'string', value: 'NAME', multiple: true, help: "also give the agent the variable NAME (again for more), which it does not get otherwise: the agent runs without our sign-in and Supabase's secrets (SESSION_STREAM_*, SUPABASE_* tokens, keys and passwords), so it cannot steer itself as you" },
  },
  notes: `Signed in as: SUPABASE_ACCESS_TOKEN, SESSION_STREAM_EMAIL + SESSION_STREAM_PASSWORD, your
\`session-stream login\`, or (with the local stack running) its demo user.`,
} as const satisfies CommandSpec;

export const IMPORT = {
  name: 'import',
  summary: 'store a recorded agent run (a file or stdin) as a session of yours',
  operands: 'FILE|-',
  about: `Stores a recorded agent run (a file, or - for stdin) as a session of yours, with the same mapping
as \`run\`. Prints SESSION_ID=<uuid> first; exits 0 once every event is stored.`,
  options: {
    title: { type: 'string', value: 'T', help: 'the session title (default: the agent and the file\'s name)' },
    format: { type: 'string', choices: ['auto', ...AGENT_FORMATS], default: 'auto', help: "the file's format; auto: from its first lines" },
    cwd: { type: 'string', value: 'DIR', help: 'the folder the agent worked in, for paths the output gives as absolute (Claude Code and Codex session files say it themselves)' },
    quiet: { type: 'boolean', default: false, help: 'print only SESSION_ID and the summary' },
  },
} as const satisfies CommandSpec;

interface Printer {
  event(type: SessionEventType, data: Record<string, unknown>): void;
  line(text: string): void;
}

function printer(quiet: boolean): Printer {
  const colour = process.stdout.isTTY && !process.env.NO_COLOR;
  const p = colour ? COLOURS : PLAIN;
  return {
    line: (text) => process.stdout.write(`${text}\n`),
    event: (type, data) => {
      if (quiet) return;
      const valid = validateEventData(type, data);
      if (!valid.ok) return;
      const event = { id: '', sessionId: '', seq: 0, createdAt: '', type, data: valid.value } as SessionEvent;
      process.stdout.write(`${describeEvent(event, p, colour)}\n`);
    },
  };
}

/** Creates the user's session (pending) for an agent run. */
async function createAgentSession(user: SignedInUser, o: { title: string; format?: AgentFormat; info?: AgentInfo }): Promise<string> {
  const { data, error } = await user.client
    .from('coding_sessions')
    .insert({ user_id: user.userId, title: o.title.slice(0, 200), source: o.format ? SOURCE[o.format] : 'other', cwd: o.info?.cwd ?? null, agent_session_id: o.info?.agentSessionId ?? null, model: o.info?.model ?? null })
    .select('id')
    .single();
  if (error) {
    if (/column .* does not exist|source|cwd/i.test(error.message)) throw new Error(`Could not create the session: ${error.message}. The project lacks this version's migrations: run \`supabase db push\` (or \`supabase db reset\` locally).`);
    throw new Error(`Could not create the session as ${user.who}: ${error.message}`);
  }
  return (data as { id: string }).id;
}

/** The format a command's name tells (`codex`, `claude`, `gemini`), if any. */
export function formatOfCommand(argv: readonly string[]): AgentFormat | undefined {
  const name = path.basename(argv[0] ?? '').replace(/\.(cmd|exe|js)$/i, '');
  if (name === 'codex') return 'codex';
  if (name === 'claude') return 'claude';
  if (name === 'gemini') return 'gemini';
  return undefined;
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

/** What the agent needs to print a stream we can read, when the command shows it will not. */
function formatAdvice(format: AgentFormat | undefined, argv: readonly string[]): string | undefined {
  const args = argv.join(' ');
  if (format === 'codex' && !/--json|--experimental-json/.test(args)) return 'codex prints plain text without --json; add it: codex exec --json "…"';
  if (format === 'claude' && !/stream-json/.test(args)) return 'claude prints plain text without --output-format stream-json --verbose; add them (with -p).';
  if (format === 'gemini' && !/stream-json/.test(args)) return 'gemini prints plain text without --output-format stream-json; add it.';
  return undefined;
}

function summary(r: WriterResult, counts: AgentMapper['counts']): string {
  const s = r.stats;
  const cost = typeof s.costUsd === 'number' ? `, $${s.costUsd.toFixed(4)}` : '';
  return `Session ${r.outcome}: ${counts.lines} lines → ${counts.events} events (${counts.skipped} skipped as noise, ${counts.unknown} of unknown kinds and ${counts.malformed} not JSON, kept as events); ${s.inputTokens} input / ${s.outputTokens} output tokens${cost}.`;
}

function reportProblems(r: WriterResult): void {
  if (r.problems.length === 0) return;
  process.stderr.write(`${r.problems.length} event(s) could not be stored:\n${r.problems.slice(0, 10).map((p) => `  ${p}`).join('\n')}\n`);
}

export const runCommand = defineCommand(RUN, async ({ values, rest: agent }) => {
  if (agent.length === 0) throw new UsageError('Which agent? Put its command after --, e.g. session-stream run -- codex exec --json "fix the test"');
  const formatOption = choiceOption(RUN, 'format', values.format);
  let format = formatOption === 'auto' ? formatOfCommand(agent) : formatOption;
  const advice = formatAdvice(formatOfCommand(agent), agent);
  if (advice) process.stderr.write(`Note: ${advice}\n`);

  // Claude Code with stream-json input reads its prompt, messages and answers from stdin (ours).
  const streamInput = streamInputOf(agent);
  if (streamInput && !streamInput.prompt) throw new UsageError('With --input-format stream-json, give the prompt as the last argument: session-stream run -- claude -p --input-format stream-json --output-format stream-json --verbose "fix the failing test"');
  const command = streamInput?.argv ?? agent;
  const label = format ? SOURCE_LABELS[format] : path.basename(agent[0]!);
  const prompt = streamInput?.prompt ?? agent.filter((a) => !a.startsWith('-')).at(-1);
  const title = values.title ?? `${label}: ${prompt && prompt !== agent[0] ? prompt.replace(/\s+/g, ' ') : agent.join(' ')}`;
  const asked = modelOfCommand(agent);
  const out = printer(values.quiet);

  // The agent starts at once, while we sign in and make its session (its first lines wait for
  // that): our start-up is not added to its run. If the sign-in fails it is stopped as with Ctrl-C.
  const startedAt = Date.now();
  const childEnv = agentEnvironment(process.env, values['pass-env'] ?? []);
  const child = spawn(command[0]!, command.slice(1), { stdio: [streamInput ? 'pipe' : 'inherit', 'pipe', 'pipe'], env: childEnv.env });
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  if (streamInput?.prompt) child.stdin!.write(userMessageLine(streamInput.prompt));
  // Ctrl-C in a terminal reaches the agent too (same process group); a signal sent to us alone is passed on.
  let stopping: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    stopping = signal;
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk.toString('utf8')).slice(-65_536);
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));

  let writer: AgentSessionWriter | undefined;
  let mapper: AgentMapper | undefined;
  let stopReason: string | undefined;
  const setUp = (async () => {
    const user = await signedInUser();
    const manager = new SessionLifecycleManager(user.client, { journal: workerJournal(user.connection.url, user.userId) });
    manager.recover();
    const sessionId = await createAgentSession(user, { title, format, info: { cwd: process.cwd(), model: asked && !isAlias(asked) ? asked : undefined } });
    out.line(`SESSION_ID=${sessionId}`);
    if (!values.quiet) process.stderr.write(`Streaming as ${user.who} to ${user.connection.url}. Watch it in VS Code (Agent Session Stream) or: session-stream tail --session ${sessionId}\n`);
    if (childEnv.withheld.length > 0 && !values.quiet) process.stderr.write(`Not passed to the agent (credentials): ${childEnv.withheld.join(', ')}.\n`);
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
    child.stdout!.resume();
    await closed;
    throw error;
  };
  const run = await setUp.catch(fail);
  const { manager, sessionId, steering } = run;

  // Say once which version runs: from what the agent prints about itself, else from its package.
  let versionSaid = false;
  const sayVersion = (version: string | undefined) => {
    if (versionSaid || values.quiet || !format) return;
    versionSaid = true;
    process.stderr.write(`${versionNote(SOURCE[format] as AgentKind, version)}\n`);
  };
  if (format && format !== 'claude') void agentVersion(SOURCE[format] as AgentKind, agent[0]!, { ask: format === 'codex' }).then(sayVersion);
  const onInfo = async (info: AgentInfo) => {
    if (format === 'claude' && info.version) sayVersion(info.version);
    const model = info.model && !isAlias(info.model) ? info.model : undefined;
    if (!info.agentSessionId && !model) return;
    await manager.setAgentInfo(sessionId, { agentSessionId: info.agentSessionId, model }).catch((error: Error) => process.stderr.write(`${error.message}\n`));
  };

  const pending: string[] = [];
  const makeWriter = (f: AgentFormat | undefined) => {
    mapper = createMapper(f, { cwd: process.cwd() });
    mapper.multiTurn = streamInput !== undefined;
    const made = new AgentSessionWriter({ manager, sessionId, mapper, startedAt, onInfo, onEvent: (type, data) => out.event(type, data), onRequest: (item, eventId) => steering.onRequest(item, eventId), endOnExit: streamInput !== undefined, onTurnEnd: () => steering.turnEnded() });
    if (stopReason) made.stopped(stopReason);
    return made;
  };
  let chain = Promise.resolve();
  const lines = readline.createInterface({ input: child.stdout!, crlfDelay: Infinity });
  const linesClosed = new Promise<void>((resolve) => lines.once('close', resolve));
  lines.on('line', (text) => {
    chain = chain.then(async () => {
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
  const exit = await closed;
  await linesClosed;
  await chain;
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  writer ??= makeWriter(format);
  for (const line of pending.splice(0)) await writer.line(line);
  if (spawnError) stderr += `\n${spawnError.message}`;
  const result = await writer.finish({ code: spawnError ? 127 : exit.code, signal: exit.signal ?? (stopping && exit.code === null ? stopping : null), stderr });
  await run.receiver.dispose();
  manager.dispose();
  run.user.dispose();
  out.line(summary(result, mapper!.counts));
  reportProblems(result);
  if (spawnError) process.stderr.write(`Could not start ${agent[0]}: ${spawnError.message}. Is it installed and on PATH?\n`);
  const code = spawnError ? 127 : (exit.code ?? (exit.signal ? 128 + (SIGNALS[exit.signal] ?? 1) : 1));
  return result.problems.length > 0 && code === 0 ? 1 : code;
});

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export const importCommand = defineCommand(IMPORT, async ({ values, positionals }) => {
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('Import what? Give one file, or - for standard input.');
  if (file !== '-' && (!existsSync(file) || !statSync(file).isFile())) throw new UsageError(`There is no file ${file}.`);
  const formatOption = choiceOption(IMPORT, 'format', values.format);

  const input = readline.createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
  const iterator = input[Symbol.asyncIterator]();
  // Read ahead until the format and the agent's own details (id, folder, model) are known.
  const ahead: string[] = [];
  let format = formatOption === 'auto' ? undefined : formatOption;
  let info: AgentInfo | undefined;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    ahead.push(next.value);
    format ??= detectFormat(next.value);
    if (format && !info) info = createMapper(format).line(next.value).find((i) => i.kind === 'start')?.info;
    if ((format && info) || ahead.length >= 50) break;
  }
  if (!format) process.stderr.write('Note: the format could not be told from the first lines; every line is kept as an event of unknown kind. Pass --format.\n');
  const cwd = values.cwd ? path.resolve(values.cwd) : info?.cwd;

  const user = await signedInUser();
  const manager = new SessionLifecycleManager(user.client, { journal: workerJournal(user.connection.url, user.userId) });
  manager.recover();
  const label = format ? SOURCE_LABELS[format] : 'Agent';
  const title = values.title ?? `${label}: ${file === '-' ? 'standard input' : path.basename(file)}`;
  const sessionId = await createAgentSession(user, { title, format, info: { ...info, cwd } });
  const out = printer(values.quiet);
  out.line(`SESSION_ID=${sessionId}`);
  const mapper = createMapper(format, { cwd });
  const writer = new AgentSessionWriter({ manager, sessionId, mapper, onEvent: (type, data) => out.event(type, data) });
  for (const line of ahead) await writer.line(line);
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) await writer.line(next.value);
  const result = await writer.finish();
  manager.dispose();
  user.dispose();
  out.line(summary(result, mapper.counts));
  reportProblems(result);
  return result.problems.length > 0 ? 1 : 0;
});
