// What a bridge makes of an agent's output: session events, plus the start and the end of the
// session. One mapper per format (codex.ts, claude.ts, gemini.ts, codexRollout.ts, geminiSession.ts; each agent's
// formats are declared in agents/, see agent.ts) turns lines
// into these; the driver (driver.ts) stores them through SessionLifecycleManager. The mapping
// tables are in docs/agent-bridges.md.
import type { AgentRequest } from '../shared/commands';
import type { SessionEventType, SessionStats } from '../shared/events';

/** What the agent says about itself when it starts. */
export interface AgentInfo {
  /** The agent's own id of the run (Codex thread, Claude or Gemini session). */
  agentSessionId?: string;
  model?: string;
  /** The agent's working directory, when it reports one. */
  cwd?: string;
  version?: string;
}

export type BridgeItem =
  | { kind: 'start'; reason: string; info: AgentInfo }
  /** More of what the agent says about itself, learnt later (e.g. the model an alias chose). */
  | { kind: 'info'; info: AgentInfo }
  | { kind: 'event'; type: SessionEventType; data: Record<string, unknown> }
  | { kind: 'end'; outcome: 'completed' | 'failed' | 'cancelled'; message: string; stats: SessionStats }
  /**
   * The agent asks its user something and waits (an approval, an answer): the session is
   * `waiting`. `note` is the timeline event that shows it (the writer adds the whole input to it);
   * `input` is what an approval sends back, whole.
   */
  | { kind: 'request'; request: AgentRequest; input?: Record<string, unknown>; note: Record<string, unknown> }
  /** The agent withdrew a request it had made (it no longer waits for it). */
  | { kind: 'requestWithdrawn'; id: string };

/** How the agent process ended (for `run`); absent for a file (`import`, `watch`). */
export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last of what it wrote to stderr. */
  stderr?: string;
}

export interface LineCounts {
  lines: number;
  events: number;
  /** Understood, and deliberately not shown (e.g. hook notices, snapshots). */
  skipped: number;
  /** Valid JSON of a kind this version does not know: kept as a visible event. */
  unknown: number;
  /** Not JSON at all: kept as a visible event. */
  malformed: number;
}

export interface AgentMapper {
  /** The format's name (agent.ts), or 'unknown'. */
  readonly format: string;
  readonly counts: LineCounts;
  /** Each result ends a turn, and more may follow (set for an agent that takes input while it runs). */
  multiTurn: boolean;
  /** One line of output, without its newline. */
  line(text: string): BridgeItem[];
  /** The output ended: whatever is still open, then the end of the session if no line ended it. */
  finish(exit?: AgentExit): BridgeItem[];
}
