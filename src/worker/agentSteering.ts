// What `session-stream run` does with the commands sent to its session (docs/steering.md): stop,
// pause and resume act on the agent's processes (agentProcess.ts); a message, and the answer to a
// request, go to the agent's stdin when it takes input while it runs (Claude Code started with
// `--input-format stream-json`: user messages and `control_response`s); otherwise the command is
// `unsupported`, with why — never silently ignored. It also keeps what the agent is waiting for
// (its permission requests) on the session, so VS Code shows `waiting` until someone answers.
// An approval lets the agent go on only when it names the input it is about to send back (its
// hash, approval.ts) and was not sent with this runner's own sign-in: whatever the agent runs can
// reach what the runner holds, so approvals must come from a viewer (docs/steering.md).
import type { Writable } from 'node:stream';
import { agentOfFormat, type AgentFormat, type BridgeItem } from '../bridges';
import { silentLogger, type Logger } from '../core/log';
import { byteLength, inputHash, reviewText } from '../shared/approval';
import { MAX_DETAIL_CHARS, type AgentRequest, type SessionCommand } from '../shared/commands';
import type { AgentProcess } from './agentProcess';
import type { CommandResult } from './commandReceiver';
import { MAX_NOTE_INPUT_BYTES } from './agentBridge';
import type { SessionLifecycleManager } from './sessionLifecycleManager';

export interface SteeringOptions {
  manager: SessionLifecycleManager;
  sessionId: string;
  agent: AgentProcess;
  /** Someone stopped the agent: the session is to end cancelled with `reason` (AgentSessionWriter.stopped). */
  stopped(reason: string): void;
  format: AgentFormat | undefined;
  /** "Claude Code", "Codex": how messages name the agent. */
  label: string;
  /** The agent's stdin, when it takes stream-json input while it runs. */
  input?: Writable;
  /** The auth session (the token's `session_id`) this runner is signed in with, when known. */
  ownSignIn?(): Promise<string | undefined>;
  logger?: Logger;
}

/** Why an agent takes no message while it runs (its definition says). */
function noInputReason(format: AgentFormat | undefined, label: string): string {
  return format ? agentOfFormat(format).run.noInputReason : `${label} takes no input while it runs`;
}

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

/** A user message for an agent that takes stream-json input (Claude Code), as one line of its stdin. */
export function userMessageLine(text: string): string {
  return line({ type: 'user', message: { role: 'user', content: [{ type: 'text', text }] } });
}

export class AgentSteering {
  private readonly pending: Array<{ request: AgentRequest; input: Record<string, unknown>; hash?: string; reviewable: boolean }> = [];
  private inputOpen: boolean;
  /** User messages (the prompt too) not yet answered by a result: each one is a turn of its own. */
  private outstanding = 0;
  private readonly log: Logger;

  constructor(private readonly o: SteeringOptions) {
    this.inputOpen = o.input !== undefined;
    this.log = o.logger ?? silentLogger;
    o.input?.on('error', (error) => {
      this.inputOpen = false;
      this.log.warn('the agent closed its input', { error: String(error) });
    });
  }

  /** What the agent waits for now, within what the session may hold (the longest details shortened first). */
  get requests(): AgentRequest[] {
    return boundRequests(this.pending.map((p) => p.request));
  }

  /** The first user message of a run whose prompt goes through stdin (stream-json input). */
  sendPrompt(text: string): void {
    if (this.write(userMessageLine(text))) this.outstanding++;
  }

  /** The prompt was written to the agent's stdin before this steering began (`run` starts the agent at once). */
  promptSent(): void {
    this.outstanding++;
  }

  /** From the writer: the agent asks something, or takes a question back. */
  async onRequest(item: Extract<BridgeItem, { kind: 'request' | 'requestWithdrawn' }>, eventId?: string): Promise<void> {
    if (item.kind === 'request') {
      const input = item.input ?? {};
      let request: AgentRequest = { ...item.request, ...(eventId ? { eventId } : {}) };
      let hash: string | undefined;
      let reviewable = true;
      if (request.kind === 'approval') {
        // The viewer is shown this text, whole (the start here; the rest in the request's event).
        const text = reviewText(input);
        hash = await inputHash(text);
        const bytes = byteLength(text);
        reviewable = bytes <= MAX_NOTE_INPUT_BYTES;
        request = { ...request, detail: text.slice(0, MAX_DETAIL_CHARS), inputBytes: bytes, inputHash: hash, ...(text.length > MAX_DETAIL_CHARS ? { detailCut: true } : {}) };
      }
      this.pending.push({ request, input, hash, reviewable });
      await this.wait(`${this.o.label} asks: ${item.request.title}`);
    } else if (this.take(item.id)) await this.wait(`${this.o.label} withdrew its request`);
  }

  /**
   * From the writer: a result ended a turn. Claude Code answers each user message with a turn of
   * its own (messages sent during a turn wait for the next); once every message is answered the
   * input ends, and the agent exits.
   */
  turnEnded(): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (this.outstanding === 0) this.closeInput();
  }

  closeInput(): void {
    if (!this.inputOpen) return;
    this.inputOpen = false;
    this.o.input?.end();
  }

  /** A command sent to the session: act on it and say what happened. */
  async handle(command: SessionCommand): Promise<CommandResult> {
    const by = command.createdByName || 'someone';
    switch (command.kind) {
      case 'stop': {
        if (!this.o.agent.running) return { outcome: 'refused', reason: 'the agent has already exited' };
        const reason = `Stopped by ${by}`;
        this.o.stopped(reason);
        this.closeInput();
        const sig = await this.o.agent.stop();
        // The session ends `cancelled` with this reason when the run closes (after everything is stored).
        return { outcome: 'done', reason: `${reason}${sig && sig !== 'SIGINT' ? ` (it needed ${sig})` : ''}`, note: false };
      }
      case 'pause': {
        if (this.pending.length > 0) return { outcome: 'refused', reason: `${this.o.label} is waiting for an answer; answer it, or stop it` };
        const r = this.o.agent.pause();
        return r.ok ? { outcome: 'done', reason: `Paused by ${by}`, state: 'paused' } : r;
      }
      case 'resume': {
        const r = this.o.agent.resume();
        return r.ok ? { outcome: 'done', reason: `Resumed by ${by}`, state: 'running' } : r;
      }
      case 'message':
        return this.message(command, by);
      case 'approve':
      case 'deny':
        return this.answer(command, by);
    }
  }

  private async message(command: SessionCommand, by: string): Promise<CommandResult> {
    if (!this.o.input) return { outcome: 'unsupported', reason: noInputReason(this.o.format, this.o.label) };
    const body = command.body ?? '';
    const question = command.agentRequestId ? this.pending.find((p) => p.request.id === command.agentRequestId) : undefined;
    if (command.agentRequestId && !question) return { outcome: 'refused', reason: `no request ${command.agentRequestId} is waiting (answered already, or withdrawn)` };
    if (question && question.request.kind === 'question') {
      const own = await this.fromRunnerItself(command);
      if (own) return { outcome: 'refused', reason: `Not answered: ${own}` };
      // AskUserQuestion: allowed, with the answer to each of its questions.
      const questions = Array.isArray(question.input.questions) ? (question.input.questions as Array<{ question?: unknown }>) : [];
      const answers = Object.fromEntries(questions.map((q) => [String(q.question ?? ''), body]));
      if (!this.respond(question.request.id, { behavior: 'allow', updatedInput: { ...question.input, answers } })) return this.inputGone();
      this.take(question.request.id);
      await this.wait(`Answered by ${by}`);
      return { outcome: 'done', reason: `Answered by ${by}: ${body.slice(0, 2000)}` };
    }
    if (!this.write(userMessageLine(body))) return this.inputGone();
    this.outstanding++;
    return { outcome: 'done', reason: `Message from ${by}: ${body.slice(0, 2000)}${body.length > 2000 ? '…' : ''}` };
  }

  /**
   * Why this runner does not act on `command` as an answer, if it does not: an answer sent with the
   * runner's own sign-in could have been sent by the agent (or anything it started).
   */
  private async fromRunnerItself(command: SessionCommand): Promise<string | undefined> {
    return notFromAViewer(command, await this.o.ownSignIn?.().catch(() => undefined), 'this runner');
  }

  private async answer(command: SessionCommand, by: string): Promise<CommandResult> {
    const waiting = this.pending.find((p) => p.request.id === command.agentRequestId);
    if (!waiting) return { outcome: 'refused', reason: `no request ${command.agentRequestId} is waiting (answered already, or withdrawn)` };
    if (!this.o.input) return { outcome: 'unsupported', reason: noInputReason(this.o.format, this.o.label) };
    const approve = command.kind === 'approve';
    if (approve) {
      const why = (await this.fromRunnerItself(command)) ?? notWhatIsAsked(command, waiting);
      if (why) return { outcome: 'refused', reason: `Not approved: ${why}` };
    }
    const response = approve ? { behavior: 'allow', updatedInput: waiting.input } : { behavior: 'deny', message: command.body?.trim() || `Denied by ${by}.` };
    if (!this.respond(waiting.request.id, response)) return this.inputGone();
    this.take(waiting.request.id);
    const reason = `${approve ? 'Approved' : 'Denied'} by ${by}: ${waiting.request.title}${!approve && command.body ? ` (${command.body.slice(0, 500)})` : ''}`;
    await this.wait(reason);
    // Back to running: the state change says so; with more requests still open, a note does.
    return { outcome: 'done', reason, note: this.pending.length > 0 };
  }

  private respond(agentRequestId: string, response: Record<string, unknown>): boolean {
    return this.write(line({ type: 'control_response', response: { subtype: 'success', request_id: agentRequestId, response } }));
  }

  private inputGone(): CommandResult {
    return { outcome: 'refused', reason: `${this.o.label} has finished its work and reads no more input` };
  }

  private write(text: string): boolean {
    if (!this.inputOpen || !this.o.input || this.o.input.writableEnded) return false;
    this.o.input.write(text);
    return true;
  }

  private take(id: string): boolean {
    const i = this.pending.findIndex((p) => p.request.id === id);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    return true;
  }

  /** The session's `waiting` state follows the open requests. */
  private async wait(reason: string): Promise<void> {
    try {
      await this.o.manager.setWaiting(this.o.sessionId, this.requests, reason);
    } catch (error) {
      this.log.warn('could not record what the agent waits for', { error: (error as Error).message });
    }
  }
}

/**
 * Why an answer is not acted on as a viewer's, if it is not: one sent with the sign-in of `signedIn`
 * (the runner, the hooks collector) could have been sent by the agent, or anything it started.
 */
export function notFromAViewer(command: SessionCommand, own: string | undefined, signedIn: string): string | undefined {
  if (!command.createdBySession) return 'it was sent without a sign-in of its own (answers to the agent come from a viewer: VS Code, or a terminal signed in by itself)';
  if (own && command.createdBySession === own) return `it was sent with the sign-in ${signedIn} uses, which the agent can reach too; answer from VS Code, or from a terminal signed in by itself (SESSION_STREAM_EMAIL and SESSION_STREAM_PASSWORD, not the saved login)`;
  return undefined;
}

/** Why an approval does not let `waiting` through, if it does not: it must name the very input asked about, shown whole. */
export function notWhatIsAsked(command: SessionCommand, waiting: { reviewable: boolean; hash?: string; request: AgentRequest }): string | undefined {
  if (!waiting.reviewable) return `the input is ${Math.ceil((waiting.request.inputBytes ?? 0) / 1024)} KiB, too large to be shown whole; deny it (and ask the agent for smaller steps)`;
  if (!command.inputHash) return 'the approval does not say what was approved (update the extension or the command line that sent it)';
  if (command.inputHash !== waiting.hash) return 'what was approved is not what the agent asks now; look at the request again';
  return undefined;
}

/** coding_sessions.waiting_for holds at most 128 KiB of JSON; this leaves room. */
const MAX_WAITING_BYTES = 120 * 1024;

/** `requests`, their longest details cut (and marked so) until all fit in the session's row. */
export function boundRequests(requests: AgentRequest[]): AgentRequest[] {
  const out = requests.map((r) => ({ ...r }));
  while (byteLength(JSON.stringify(out)) > MAX_WAITING_BYTES) {
    const longest = out.reduce((a, b) => ((b.detail?.length ?? 0) > (a.detail?.length ?? 0) ? b : a));
    if (!longest.detail) break;
    longest.detail = longest.detail.slice(0, Math.floor(longest.detail.length / 2));
    longest.detailCut = true;
  }
  return out;
}

/** Claude Code's options that take a value: the argument after one of them is not the prompt. */
const VALUE_OPTIONS = new Set(['--input-format', '--output-format', '--model', '--fallback-model', '--permission-mode', '--permission-prompt-tool', '--allowedTools', '--allowed-tools', '--disallowedTools', '--disallowed-tools', '--append-system-prompt', '--system-prompt', '--max-turns', '--max-budget-usd', '--max-thinking-tokens', '-r', '--resume', '--session-id', '--mcp-config', '--add-dir', '--settings', '--agents', '--agent', '--tools', '--setting-sources', '--betas']);

/**
 * Whether the agent takes stream-json input (Claude Code's `--input-format stream-json`), and if so
 * the command without its prompt argument: in that mode the prompt goes through stdin, as the
 * first user message.
 */
export function streamInputOf(argv: readonly string[]): { argv: string[]; prompt?: string } | undefined {
  const i = argv.findIndex((a, n) => a === '--input-format=stream-json' || (a === '--input-format' && argv[n + 1] === 'stream-json'));
  if (i < 0) return undefined;
  const last = argv.length - 1;
  const isPrompt = last > 0 && !argv[last]!.startsWith('-') && !VALUE_OPTIONS.has(argv[last - 1]!) && argv[last - 1] !== '--';
  const afterDashes = last > 0 && argv[last - 1] === '--';
  if (isPrompt || afterDashes) return { argv: argv.slice(0, afterDashes ? last - 1 : last), prompt: argv[last] };
  return { argv: [...argv] };
}
