// `session-stream run -- <agent command…>` and `session-stream import FILE|-`: a real agent's
// session streamed into Supabase as the signed-in user. `run` is a shell over the agent runner
// (src/worker/agentRunner.ts); `import` reads a file through the same bridges and writer. Both
// print SESSION_ID=<uuid> first.
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { AGENT_FORMATS, AGENTS, agentOfFormat, createMapper, detectFormat, type AgentFormat, type AgentInfo } from '../bridges';
import { validateEventData, type SessionEvent, type SessionEventType } from '../shared/events';
import { AgentSessionWriter } from '../worker/agentBridge';
import { createAgentSession, problemsText, runAgent, runSummary } from '../worker/agentRunner';
import { streamInputOf } from '../worker/agentSteering';
import { SessionLifecycleManager } from '../worker/sessionLifecycleManager';
import { UsageError } from './args';
import { choiceOption, defineCommand, type CommandSpec } from './options';
import { COLOURS, describeEvent, PLAIN } from './tailFormat';
import { signedInUser, workerJournal } from './userAuth';

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
    format: { type: 'string', choices: ['auto', ...AGENTS.map((a) => a.runFormat)], default: 'auto', help: "the agent's output format; auto: from the command's name, else from its first lines" },
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

const stderrLine = (text: string) => process.stderr.write(`${text}\n`);

export const runCommand = defineCommand(RUN, async ({ values, rest: agent }) => {
  if (agent.length === 0) throw new UsageError('Which agent? Put its command after --, e.g. session-stream run -- codex exec --json "fix the test"');
  const formatOption = choiceOption(RUN, 'format', values.format);
  const streamInput = streamInputOf(agent);
  if (streamInput && !streamInput.prompt) throw new UsageError('With --input-format stream-json, give the prompt as the last argument: session-stream run -- claude -p --input-format stream-json --output-format stream-json --verbose "fix the failing test"');
  const out = printer(values.quiet);
  return runAgent({
    argv: agent,
    format: formatOption === 'auto' ? undefined : (formatOption as AgentFormat),
    title: values.title,
    passEnv: values['pass-env'] ?? [],
    quiet: values.quiet,
    signIn: () => signedInUser(),
    journal: (user) => workerJournal(user.connection.url, user.userId),
    out: { line: out.line, event: out.event, note: stderrLine, agentStderr: (chunk) => process.stderr.write(chunk) },
    forwardSignals: ['SIGINT', 'SIGTERM'],
  });
});

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
  const label = format ? agentOfFormat(format).label : 'Agent';
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
  out.line(runSummary(result, mapper.counts));
  const problems = problemsText(result);
  if (problems) stderrLine(problems);
  return result.problems.length > 0 ? 1 : 0;
});
