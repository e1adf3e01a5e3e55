// The agent runner's side of steering: the commands sent to one session, each handled exactly
// once. They arrive on the session's channel (a SessionEventStream that follows commands only, so
// it reconnects and reloads like any viewer); after every (re)join the ones not yet handled are read
// again, so nothing sent while this runner was away is lost. A command is first claimed in the
// database (only one runner can take it), then handed to the handler, then its outcome is
// recorded — retried until the database has it, never acted on twice.
import type { SupabaseClient } from '@supabase/supabase-js';
import { backoffDelay, RECONNECT_POLICY, type BackoffPolicy } from '../core/backoff';
import { delay, systemClock, type Clock } from '../core/clock';
import { claimCommand, completeCommand } from '../core/commands';
import type { Delivery } from '../core/delivery';
import { Emitter, type Event } from '../core/emitter';
import { silentLogger, type Logger } from '../core/log';
import { SessionEventStream } from '../core/sessionEventStream';
import { describeOutcome, type CommandOutcome, type SessionCommand } from '../shared/commands';
import type { SessionState } from '../shared/events';
import type { EmitOutcome } from './emitOutcome';

/** What became of a command. */
export interface CommandResult {
  outcome: CommandOutcome;
  /** Said to the sender and in the timeline: "Stopped by ada.", "Pausing needs a POSIX system." */
  reason: string;
  /** For `done`: the state the session moves to (its state_changed event carries `reason`). */
  state?: SessionState;
  /** For `done` without a state: false when the handler wrote the timeline's record itself. */
  note?: boolean;
}

export type CommandHandler = (command: SessionCommand) => CommandResult | Promise<CommandResult>;

export interface CommandReceiverOptions {
  /** Signed in as the session's owner (or service_role). */
  client: SupabaseClient;
  sessionId: string;
  handler: CommandHandler;
  delivery?: Delivery;
  policy?: BackoffPolicy;
  clock?: Clock;
  logger?: Logger;
}

export class CommandReceiver {
  private readonly stream: SessionEventStream;
  /** Ids taken or being taken by this runner: never handed to the handler twice. */
  private readonly seen = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly handledEmitter = new Emitter<{ command: SessionCommand; result: CommandResult }>();
  /** Fires once a command's outcome is recorded. */
  readonly onDidHandle: Event<{ command: SessionCommand; result: CommandResult }> = this.handledEmitter.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly o: CommandReceiverOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = o.logger ?? silentLogger;
    // A runner never stops listening while its agent runs: the reconnect schedule has no real end.
    const policy = o.policy ?? { ...RECONNECT_POLICY, maxAttempts: Number.MAX_SAFE_INTEGER };
    this.stream = new SessionEventStream({ client: o.client, sessionId: o.sessionId, events: false, commands: true, delivery: o.delivery, policy, clock: o.clock, logger: o.logger, watchdogMs: 0 });
    this.subscription = this.stream.onDidChangeCommands((commands) => this.receive(commands));
  }

  /** The connection to the session's channel (for tests and the runner's own messages). */
  get connection(): SessionEventStream {
    return this.stream;
  }

  start(): void {
    this.stream.open();
  }

  /** Waits for the commands being handled, then stops listening. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.subscription.dispose();
    await this.chain;
    await this.stream.close();
    this.stream.dispose();
    this.handledEmitter.dispose();
  }

  /** Resolves once everything handed over so far is handled. */
  idle(): Promise<void> {
    return this.chain;
  }

  private receive(commands: readonly SessionCommand[]): void {
    for (const command of [...commands].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
      if (command.handledAt || command.claimedAt || this.seen.has(command.id) || this.disposed) continue;
      this.seen.add(command.id);
      this.chain = this.chain.then(() => this.handle(command));
    }
  }

  private async handle(command: SessionCommand): Promise<void> {
    if (this.disposed) return;
    let claimed: boolean;
    try {
      claimed = await this.retry(`take command ${command.id}`, () => claimCommand(this.o.client, command.id));
    } catch (error) {
      // Not taken: another join reloads it, and a later receive may hand it over again.
      this.seen.delete(command.id);
      this.log.warn('could not take a command; it stays for the next join', { id: command.id, error: (error as Error).message });
      return;
    }
    if (!claimed) return;
    let result: CommandResult;
    try {
      result = await this.o.handler(command);
    } catch (error) {
      result = { outcome: 'refused', reason: `the agent's runner failed to act on it: ${(error as Error).message}` };
    }
    try {
      await this.retry(`record the outcome of command ${command.id}`, () => completeCommand(this.o.client, command.id, result.outcome, result.reason));
    } catch (error) {
      this.log.error('could not record what became of a command', { id: command.id, error: (error as Error).message });
    }
    this.log.info('command handled', { id: command.id, kind: command.kind, outcome: result.outcome });
    this.handledEmitter.fire({ command, result });
  }

  /** A few tries with backoff: the database may be briefly unreachable (the runner keeps the claim). */
  private async retry<T>(what: string, action: () => Promise<T>, attempts = 8): Promise<T> {
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await action();
      } catch (error) {
        last = error;
        this.log.warn(`could not ${what}; retrying`, { attempt, error: (error as Error).message });
        await delay(this.clock, backoffDelay(attempt, { initialMs: 250, maxMs: 5000 }));
      }
    }
    throw last;
  }
}

/**
 * A receiver whose handler's results are also recorded in the session's timeline (see
 * SessionLifecycleManager.onCommand): a state change, a note, or an error event.
 */
/** What recording a command's outcome needs of the worker (SessionLifecycleManager has it). */
export interface CommandRecorder {
  emitEvent(sessionId: string, type: string, data: unknown): Promise<EmitOutcome>;
  getSession(sessionId: string): Promise<{ state: SessionState }>;
  transition(sessionId: string, to: SessionState, reason?: string): Promise<EmitOutcome>;
}

export function listenForCommands(store: CommandRecorder, handler: CommandHandler, options: Omit<CommandReceiverOptions, 'handler'>): CommandReceiver {
  const log = options.logger ?? silentLogger;
  const receiver = new CommandReceiver({
    ...options,
    handler: async (command) => {
      const result = await handler(command);
      await recordCommand(store, command, result, log);
      return result;
    },
  });
  receiver.start();
  return receiver;
}

/** The timeline's record of a handled command: a state change, a note, or an error event. */
async function recordCommand(store: CommandRecorder, command: SessionCommand, result: CommandResult, log: Logger): Promise<void> {
  const by = command.createdByName || 'someone';
  const about = { id: command.id, kind: command.kind, by, outcome: result.outcome };
  try {
    if (result.outcome !== 'done') {
      await store.emitEvent(command.sessionId, 'error', { message: describeOutcome({ ...command, outcome: result.outcome, reason: result.reason }), command: about });
    } else if (result.state) {
      const current = await store.getSession(command.sessionId);
      if (current.state !== result.state) await store.transition(command.sessionId, result.state, result.reason);
    } else if (result.note !== false) {
      await store.emitEvent(command.sessionId, 'thinking', { iteration: 0, toolsUsed: [], text: result.reason, kind: 'note', command: about });
    }
  } catch (error) {
    log.warn('could not record what became of a command in the timeline', { id: command.id, error: (error as Error).message });
  }
}
