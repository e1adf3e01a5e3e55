// What every format's mapper shares: counting lines, keeping what it cannot read as a visible
// event (never dropping it), the running totals, and closing the session when the output ends
// without saying how it ended (a killed agent, a cut stream, a transcript).
import type { SessionEventType, SessionStats } from '../shared/events';
import type { AgentExit, AgentMapper, BridgeItem, LineCounts } from './types';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Signals and exit codes that mean "stopped by someone", not "failed". */
const STOPPED = new Set<string>(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL']);

export abstract class BaseMapper implements AgentMapper {
  readonly counts: LineCounts = { lines: 0, events: 0, skipped: 0, unknown: 0, malformed: 0 };
  protected stats: SessionStats = { iterations: 0, inputTokens: 0, outputTokens: 0, toolCalls: 0 };
  protected ended = false;
  protected lineNo = 0;
  /** Each result ends a turn and more may follow (an agent that takes input while it runs). */
  multiTurn = false;

  abstract readonly format: string;

  line(text: string): BridgeItem[] {
    this.lineNo++;
    this.counts.lines++;
    if (text.trim() === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.counts.malformed++;
      return this.counted([this.kept(text, 'is not JSON')]);
    }
    if (!isObject(json)) {
      this.counts.malformed++;
      return this.counted([this.kept(text, 'is JSON but not an object')]);
    }
    const endedBefore = this.ended;
    return this.counted(this.once(this.map(json, text), endedBefore));
  }

  finish(exit?: AgentExit): BridgeItem[] {
    const items = this.close(exit);
    if (!this.ended) items.push(this.endFromExit(exit));
    return this.counted(items);
  }

  /** One parsed line. */
  protected abstract map(line: Json, raw: string): BridgeItem[];

  /** Events still open when the output ends (a command that never finished, buffered text). */
  protected close(_exit?: AgentExit): BridgeItem[] {
    return [];
  }

  /** How the session ended when no line said so and the process exited cleanly (or a file ended). */
  protected abstract naturalEnd(): { outcome: 'completed' | 'failed'; message: string };

  protected event(type: SessionEventType, data: Json): BridgeItem {
    return { kind: 'event', type, data };
  }

  protected thinking(data: Json): BridgeItem {
    return this.event('thinking', this.noteData(data));
  }

  /** A thinking event's data (for items that carry one, as a request's note). */
  protected noteData(data: Json): Json {
    return { iteration: this.stats.iterations, toolsUsed: [], ...data };
  }

  protected end(outcome: 'completed' | 'failed' | 'cancelled', message: string): BridgeItem {
    this.ended = true;
    return { kind: 'end', outcome, message, stats: { ...this.stats } };
  }

  /** A known line with nothing to show. */
  protected skip(): BridgeItem[] {
    this.counts.skipped++;
    return [];
  }

  /** A line of a kind this version does not know: shown, with the raw line, and counted. */
  protected unknown(raw: string, what: string): BridgeItem[] {
    this.counts.unknown++;
    return [this.kept(raw, `is ${what}, which this version of the bridge does not know`)];
  }

  private kept(raw: string, why: string): BridgeItem {
    return this.thinking({ text: `Line ${this.lineNo} of the ${this.format} output ${why}; kept as it was.`, raw, unrecognised: true });
  }

  private endFromExit(exit?: AgentExit): BridgeItem {
    if (exit && ((exit.signal && STOPPED.has(exit.signal)) || exit.code === 130 || exit.code === 143)) {
      return this.end('cancelled', `The agent was stopped (${exit.signal ?? `exit code ${exit.code}`}).`);
    }
    if (exit && exit.code !== 0) {
      const tail = exit.stderr?.trim().split('\n').slice(-5).join('\n');
      return this.end('failed', `The agent exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}${tail ? `: ${tail}` : ''}.`);
    }
    const natural = this.naturalEnd();
    return this.end(natural.outcome, natural.message);
  }

  /** A session ends once: a second result line is shown as a note, not a second end. */
  private once(items: BridgeItem[], endedBefore: boolean): BridgeItem[] {
    if (!endedBefore || this.multiTurn) return items;
    return items.map((item) => (item.kind === 'end' ? this.thinking({ text: `Line ${this.lineNo}: another end (${item.outcome}) after the session had ended: ${item.message}`, warning: true }) : item));
  }

  private counted(items: BridgeItem[]): BridgeItem[] {
    for (const item of items) if (item.kind === 'event' || item.kind === 'request') this.counts.events++;
    return items;
  }
}

/** An output whose format nobody could tell: every line kept as an event of unknown kind. */
export class UnknownFormatMapper extends BaseMapper {
  readonly format = 'unknown' as const;

  protected map(_line: Json, raw: string): BridgeItem[] {
    return this.unknown(raw, 'a line of an output whose format could not be told');
  }

  protected naturalEnd(): { outcome: 'completed' | 'failed'; message: string } {
    return { outcome: 'completed', message: 'The output ended.' };
  }
}
