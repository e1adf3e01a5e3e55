// `session-stream stop|pause|resume|say|approve|deny --session ID [TEXT]`: steer a running agent
// from the terminal, as the signed-in user, the same way VS Code does: the command is stored in
// session_commands, and this waits (unless --no-wait) until the agent's runner says what became
// of it. Exit 0 done; 1 refused, unsupported or no answer in time; 2 bad input.
import { readFileSync } from 'node:fs';
import { CommandError, sendCommand } from '../core/commands';
import { SessionEventStream } from '../core/sessionEventStream';
import { readSession } from '../core/sessions';
import { describeOutcome, parseWaitingFor, type CommandKind, type SessionCommand } from '../shared/commands';
import { sessionOption, UsageError } from './args';
import { ApprovalError, wholeInput } from '../core/approvals';
import { oneLine } from '../shared/untrusted';
import { defineCommand, wholeOption, type CliCommand, type CommandSpec, type OptionSpec } from './options';
import { safeText } from './tailFormat';
import { signedInUser } from './userAuth';

/** An agent's text for the terminal: every line indented, control characters shown as \\xNN. */
function plainBlock(text: string): string {
  return text.split('\n').map((line) => `  │ ${safeText(line, false)}`).join('\n');
}

interface Steering {
  kind: CommandKind;
  text: 'none' | 'required' | 'optional';
  help: string;
}

const WHAT: Record<string, Steering> = {
  stop: { kind: 'stop', text: 'none', help: 'interrupt the agent (as Ctrl-C, then harder); the session ends cancelled' },
  pause: { kind: 'pause', text: 'none', help: 'pause the agent and everything it started (POSIX systems)' },
  resume: { kind: 'resume', text: 'none', help: 'let a paused agent go on' },
  say: { kind: 'message', text: 'required', help: 'send the agent a message (TEXT, or - for standard input)' },
  approve: { kind: 'approve', text: 'none', help: 'approve what the agent waits for (--request ID, default: the oldest request); its whole input is printed first, and the approval is for exactly that' },
  deny: { kind: 'deny', text: 'optional', help: 'deny what the agent waits for, optionally saying why (TEXT)' },
};

const SESSION = { type: 'string', value: 'ID', required: true, help: 'the session (its id, as in SESSION_ID=… or the Sessions view)' } as const satisfies OptionSpec;
const REQUEST = { type: 'string', value: 'ID', help: 'the request it answers (default: the oldest one waiting)' } as const satisfies OptionSpec;
const QUESTION = { type: 'string', value: 'ID', help: 'the question of the agent it answers (default: a message of its own, not an answer)' } as const satisfies OptionSpec;

/** The table of one steering command: `--request` only where there is a request to answer. */
function controlSpec(name: string, w: Steering) {
  const common = {
    'no-wait': { type: 'boolean', default: false, help: 'only send it; do not wait for the outcome' },
    timeout: { type: 'string', value: 'S', whole: { min: 1, max: 3600, default: 30 }, help: 'how long to wait for the outcome, in seconds' },
    json: { type: 'boolean', default: false, help: 'print the command as one JSON line when it is handled' },
  } as const satisfies Record<string, OptionSpec>;
  return {
    name,
    summary: w.help,
    operands: w.text === 'required' ? 'TEXT|-' : w.text === 'optional' ? '[TEXT]' : undefined,
    // Text is parsed also where there is none, to say that it takes none.
    positionals: true,
    about: `${w.help[0]!.toUpperCase()}${w.help.slice(1)}. The agent must run under \`session-stream run\` (or a
worker that listens for commands); a command sent while it is offline is handled when it is back.`,
    options: w.kind === 'approve' || w.kind === 'deny' ? { session: SESSION, request: REQUEST, ...common } : w.kind === 'message' ? { session: SESSION, request: QUESTION, ...common } : { session: SESSION, ...common },
  } satisfies CommandSpec;
}

/** stop, pause, resume, say, approve, deny. */
export const CONTROL_COMMANDS: readonly CliCommand[] = Object.entries(WHAT).map(([name, w]) => {
  const spec = controlSpec(name, w);
  return defineCommand(spec, ({ values, positionals }) => runControl(name, w, values as ControlValues, positionals, wholeOption(spec, 'timeout', (values as { timeout?: string }).timeout)));
});

interface ControlValues {
  session?: string;
  request?: string;
  'no-wait': boolean;
  json: boolean;
}

async function runControl(name: string, w: Steering, values: ControlValues, positionals: string[], timeoutS: number): Promise<number> {
  const sessionId = sessionOption(values.session);
  if (w.text === 'none' && positionals.length > 0) throw new UsageError(`${name} takes no text.`);
  if (positionals.length > 1) throw new UsageError('Put the text in quotes (one argument), or use - to read it from standard input.');
  let body: string | undefined = positionals[0] === '-' ? readFileSync(0, 'utf8').replace(/\n$/, '') : positionals[0];
  if (w.text === 'required' && !body?.trim()) throw new UsageError('What should the agent be told? Give the text, or - to read it from standard input.');
  if (w.text === 'none') body = undefined;

  const user = await signedInUser();
  try {
    let agentRequestId = values.request;
    let hash: string | undefined;
    if (w.kind === 'approve' || (!agentRequestId && w.kind === 'deny')) {
      const data = await readSession(user.client, sessionId, 'state, waiting_for');
      const requests = parseWaitingFor(data?.waiting_for);
      if (!data) throw new UsageError(`There is no session ${sessionId} that you can see.`);
      if (requests.length === 0) throw new UsageError(`The agent is not waiting for an answer (the session is ${data.state}).`);
      const request = agentRequestId ? requests.find((r) => r.id === agentRequestId) : requests[0]!;
      if (!request) throw new UsageError(`No request ${agentRequestId} is waiting (answered already, or withdrawn).`);
      agentRequestId = request.id;
      process.stderr.write(`Answering: ${oneLine(request.title, 300)}${!values.request && requests.length > 1 ? ` (${requests.length - 1} more waiting; pick one with --request)` : ''}\n`);
      if (w.kind === 'approve') {
        // What is approved is exactly what is printed here, whole.
        try {
          const whole = await wholeInput(user.client, sessionId, request);
          hash = whole.hash;
          process.stderr.write(`The agent would go on with this input (${whole.text.length.toLocaleString()} characters, shown whole):\n${plainBlock(whole.text)}\n`);
        } catch (error) {
          if (error instanceof ApprovalError) throw new UsageError(error.message);
          throw error;
        }
      }
    }
    let sent: SessionCommand;
    try {
      sent = await sendCommand(user.client, sessionId, w.kind, { body, agentRequestId, inputHash: hash });
    } catch (error) {
      if (error instanceof CommandError) {
        process.stderr.write(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
    if (values['no-wait']) {
      process.stdout.write(values.json ? `${JSON.stringify(sent)}\n` : `Sent (${sent.id}); the agent's runner handles it when it can.\n`);
      return 0;
    }
    const handled = await waitForOutcome(user.client, sessionId, sent.id, timeoutS * 1000);
    if (!handled) {
      process.stderr.write(`No answer from the agent's runner within ${timeoutS} s. The ${w.kind} stays queued and is handled once the runner is connected (is the agent running under session-stream run?).\n`);
      return 1;
    }
    process.stdout.write(values.json ? `${JSON.stringify(handled)}\n` : `${describeOutcome(handled)}\n`);
    return handled.outcome === 'done' ? 0 : 1;
  } finally {
    user.dispose();
  }
}

/** The command once handled, seen on the session's channel (live, or in the reload after a join). */
async function waitForOutcome(client: SignedInClient, sessionId: string, id: string, timeoutMs: number): Promise<SessionCommand | undefined> {
  const stream = new SessionEventStream({ client, sessionId, events: false, commands: true });
  try {
    return await new Promise<SessionCommand | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      stream.onDidChangeCommands((commands) => {
        const mine = commands.find((c) => c.id === id && c.handledAt);
        if (mine) {
          clearTimeout(timer);
          resolve(mine);
        }
      });
      stream.open();
    });
  } finally {
    await stream.close();
    stream.dispose();
  }
}

type SignedInClient = Awaited<ReturnType<typeof signedInUser>>['client'];
