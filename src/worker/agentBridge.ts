// Stores what a bridge makes of an agent's output as one session, through SessionLifecycleManager
// (ordered, retried, idempotent delivery; with a user's own key or the service-role key): the
// session goes running at the first sign of the agent, every event is stored in order, and the
// end — the agent's own result, or how its process exited — becomes completion + completed, an
// error + failed, or cancelled. Events get ids derived from the line they came from and a secret
// of the run (`idSecret`), so reading the same output again (watch after a restart, with the
// secret it saved) stores nothing twice, and nobody else can tell an event's id before it is
// stored (knowing the session id is not enough: docs/steering.md, "Who may do what").
import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { AgentExit, AgentInfo, AgentMapper, BridgeItem } from '../bridges/types';
import { splitOversize } from '../bridges/split';
import { byteLength, reviewText } from '../shared/approval';
import type { SessionEventType, SessionStats } from '../shared/events';
import type { EmitOutcome, SessionLifecycleManager } from './sessionLifecycleManager';

/** A request's note carries the whole input up to this size (else the approval is refused as too large to review). */
export const MAX_NOTE_INPUT_BYTES = 128 * 1024;

export interface WriterOptions {
  manager: SessionLifecycleManager;
  sessionId: string;
  mapper: AgentMapper;
  /**
   * A random UUID kept as long as the same output may be read again (watch keeps it in its
   * state file); event ids are derived from it. Default: a new one (run, import).
   */
  idSecret?: string;
  /** The session is already running (watch resuming it): no second start. */
  running?: boolean;
  /** When the agent started (ms): the duration of a run whose output does not say. */
  startedAt?: number;
  /** Called for every event handed to the manager, and for the session's end. */
  onEvent?(type: SessionEventType, data: Record<string, unknown>): void;
  /** Past this many events waiting to be stored, reading waits (bounded memory on huge files). */
  maxQueued?: number;
  /**
   * The agent asks its user something, or withdraws a request (steering: see agentSteering.ts).
   * Called in order, after the events before it were handed to the manager; for a request, with
   * the id of the timeline event that shows it.
   */
  onRequest?(item: Extract<BridgeItem, { kind: 'request' | 'requestWithdrawn' }>, eventId?: string): Promise<void>;
  /**
   * The agent takes more input after a result (Claude Code with stream-json input): a result ends
   * a turn, not the session, which ends with the last result when the agent exits.
   */
  endOnExit?: boolean;
  /** With `endOnExit`: a result ended a turn. */
  onTurnEnd?(): void;
  /** What the agent says about itself (its own id of the run, model, version), as it says it. */
  onInfo?(info: AgentInfo): Promise<void> | void;
}

export interface WriterResult {
  outcome: 'completed' | 'failed' | 'cancelled';
  message: string;
  stats: SessionStats;
  /** Events the database or the validator refused, with why (a bridge bug or a revoked sign-in). */
  problems: string[];
}

export class AgentSessionWriter {
  private lineNo = 0;
  private running: boolean;
  private ended: WriterResult | undefined;
  private queued = 0;
  private readonly problems: string[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The last result seen while the session ends only on exit. */
  private lastEnd: Extract<BridgeItem, { kind: 'end' }> | undefined;
  /** Set when someone stopped the agent: the session ends cancelled, with this reason. */
  private stopReason: string | undefined;

  private deferring: boolean;
  private readonly idSecret: string;

  constructor(private readonly o: WriterOptions) {
    this.idSecret = o.idSecret ?? randomUUID();
    this.running = o.running ?? false;
    this.deferring = o.endOnExit ?? false;
  }

  /** Maps one line of output and hands its events to the manager (in order). */
  async line(text: string): Promise<void> {
    this.lineNo++;
    await this.apply(this.o.mapper.line(text), `line ${this.lineNo}`);
  }

  /** Feeds lines already stored (watch resuming a file): the mapper learns them, nothing is sent. */
  replay(text: string): void {
    this.lineNo++;
    this.o.mapper.line(text);
  }

  /** A line too long to be read (see lineReader.ts): shown as such, with its size and start. */
  async longLine(bytes: number, head: string, limit: number): Promise<void> {
    this.lineNo++;
    if (!this.running) await this.start('The agent started');
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    this.emit('thinking', { iteration: 0, toolsUsed: [], text: `Line ${this.lineNo} is ${mib(bytes)}, longer than the ${mib(limit)} a line may be, so it was not read. It starts: ${head}`, warning: true, unrecognised: true, lineBytes: bytes }, `line ${this.lineNo}/long/0`);
  }

  /** A long line already shown (watch resuming a file). */
  replayLong(): void {
    this.lineNo++;
  }

  /** Someone stopped the agent: however its output ends, the session ends cancelled with `reason`. */
  stopped(reason: string): void {
    this.stopReason = reason;
  }

  /** The output ended (with how the process exited, for `run`); waits until everything is stored. */
  async finish(exit?: AgentExit): Promise<WriterResult> {
    const items = this.o.mapper.finish(exit);
    if (this.lastEnd && !items.some((i) => i.kind === 'end')) items.push(this.lastEnd);
    this.lastEnd = undefined;
    this.deferring = false;
    await this.apply(items, 'end');
    await Promise.all(this.inFlight);
    await this.o.manager.settle(this.o.sessionId).catch((error: Error) => this.problems.push(error.message));
    return this.ended ?? { outcome: 'failed', message: 'The output ended without an outcome.', stats: { iterations: 0, inputTokens: 0, outputTokens: 0, toolCalls: 0 }, problems: this.problems };
  }

  get lines(): number {
    return this.lineNo;
  }

  private async apply(items: BridgeItem[], key: string): Promise<void> {
    let index = 0;
    for (const item of items) {
      index++;
      if (item.kind === 'start') {
        await this.start(item.reason);
        await this.o.onInfo?.(item.info);
      } else if (item.kind === 'info') await this.o.onInfo?.(item.info);
      else if (item.kind === 'event') {
        if (!this.running) await this.start('The agent started');
        const parts = splitOversize(item.data);
        parts.forEach((data, part) => this.emit(item.type, data, `${key}/${index}/${part}`));
      } else if (item.kind === 'request') {
        if (!this.running) await this.start('The agent started');
        // The note shows the whole input an approval would let through, when it fits in one event.
        const text = item.request.kind === 'approval' && item.input ? reviewText(item.input) : undefined;
        const note = text === undefined ? item.note : byteLength(text) <= MAX_NOTE_INPUT_BYTES ? { ...item.note, input: text } : { ...item.note, inputCut: true, inputBytes: byteLength(text) };
        const eventId = this.emit('thinking', note, `${key}/${index}/0`);
        await this.o.onRequest?.(item, eventId);
      } else if (item.kind === 'requestWithdrawn') {
        if (!this.running) await this.start('The agent started');
        await this.o.onRequest?.(item);
      } else if (this.deferring) {
        this.lastEnd = item;
        this.o.onTurnEnd?.();
      }
      else await this.end(item);
    }
    if (this.queued > (this.o.maxQueued ?? 2000)) {
      await this.o.manager.settle(this.o.sessionId, 120_000).catch((error: Error) => this.problems.push(error.message));
      this.queued = 0;
    }
  }

  /** Hands one event to the manager; returns its id. */
  private emit(type: SessionEventType, data: Record<string, unknown>, key: string): string {
    this.queued++;
    this.o.onEvent?.(type, data);
    const id = uuidv5(key, this.idSecret);
    const sent = this.o.manager.emitEvent(this.o.sessionId, type, data, { id }).then((outcome: EmitOutcome) => {
      if (outcome.status === 'refused' || outcome.status === 'failed') this.problems.push(`${type} from ${key.split('/')[0]}: ${outcome.error}`);
    });
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
    return id;
  }

  private async start(reason: string): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.o.onEvent?.('state_changed', { to: 'running', reason });
    await this.o.manager.transition(this.o.sessionId, 'running', reason);
  }

  private async end(item: Extract<BridgeItem, { kind: 'end' }>): Promise<void> {
    if (this.ended) return;
    if (this.stopReason) item = { ...item, outcome: 'cancelled', message: this.stopReason };
    if (!this.running) await this.start('The agent started');
    const stats: SessionStats = { ...item.stats };
    if (stats.durationMs === undefined && this.o.startedAt !== undefined) stats.durationMs = Date.now() - this.o.startedAt;
    await Promise.all(this.inFlight);
    this.o.onEvent?.(item.outcome === 'completed' ? 'completion' : item.outcome === 'failed' ? 'error' : 'state_changed', { message: item.message, stats });
    const m = this.o.manager;
    const message = item.message.slice(0, 60_000);
    try {
      if (item.outcome === 'completed') await m.completeSession(this.o.sessionId, stats, message);
      else if (item.outcome === 'failed') await m.failSession(this.o.sessionId, message, stats);
      else await m.transition(this.o.sessionId, 'cancelled', message.slice(0, 4000), stats);
    } catch (error) {
      this.problems.push((error as Error).message);
    }
    this.ended = { outcome: item.outcome, message: item.message, stats, problems: this.problems };
  }
}
