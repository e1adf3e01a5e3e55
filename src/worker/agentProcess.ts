// Signals for an agent's process and everything it started (its shell commands, test runs): stop
// as Ctrl-C does (SIGINT to all of them, then SIGTERM after a grace period, then SIGKILL), pause and
// resume with SIGSTOP / SIGCONT where the platform has them (POSIX). The agent keeps the terminal's
// process group, so Ctrl-C in the terminal still reaches it directly; the tree is read from /proc
// on Linux and from `ps` elsewhere.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { delay, systemClock, type Clock } from '../core/clock';

/** Parent of every process, read once: pid → ppid. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  if (process.platform === 'linux') {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (Number.isFinite(ppid)) table.set(Number(name), ppid);
      } catch {
        // gone meanwhile
      }
    }
    return table;
  }
  const out = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (Number.isFinite(pid) && Number.isFinite(ppid)) table.set(pid!, ppid!);
  }
  return table;
}

/** `pid` and all its descendants, parents before children. */
export function processTree(pid: number): number[] {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [child, parent] of table) children.set(parent, [...(children.get(parent) ?? []), child]);
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (tree.includes(next)) continue;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export type ControlResult = { ok: true } | { ok: false; outcome: 'refused' | 'unsupported'; reason: string };

export interface AgentProcessOptions {
  /** How long the agent has after SIGINT, and again after SIGTERM, ms (default 5,000 each). */
  graceMs?: number;
  clock?: Clock;
  platform?: NodeJS.Platform;
}

export class AgentProcess {
  private pausedAt: number | undefined;
  private readonly exited: Promise<void>;
  private readonly clock: Clock;
  private readonly posix: boolean;

  constructor(
    private readonly child: ChildProcess,
    private readonly options: AgentProcessOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.posix = (options.platform ?? process.platform) !== 'win32';
    this.exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  pause(): ControlResult {
    if (!this.posix) return { ok: false, outcome: 'unsupported', reason: 'pausing an agent needs SIGSTOP, which Windows does not have; stop it instead' };
    if (!this.running || this.child.pid === undefined) return { ok: false, outcome: 'refused', reason: 'the agent has already exited' };
    if (this.paused) return { ok: false, outcome: 'refused', reason: 'the agent is already paused' };
    // The agent first, so it starts nothing new; then what it had started (read again: it may have
    // started one while being stopped).
    signal([this.child.pid], 'SIGSTOP');
    signal(processTree(this.child.pid).slice(1), 'SIGSTOP');
    this.pausedAt = this.clock.now();
    return { ok: true };
  }

  resume(): ControlResult {
    if (!this.posix) return { ok: false, outcome: 'unsupported', reason: 'resuming needs SIGCONT, which Windows does not have' };
    if (!this.running || this.child.pid === undefined) return { ok: false, outcome: 'refused', reason: 'the agent has already exited' };
    if (!this.paused) return { ok: false, outcome: 'refused', reason: 'the agent is not paused' };
    signal(processTree(this.child.pid).reverse(), 'SIGCONT');
    this.pausedAt = undefined;
    return { ok: true };
  }

  /**
   * Stops the agent as Ctrl-C does, then harder: SIGINT to the agent and what it started, SIGTERM
   * after the grace period, SIGKILL after another. Resolves with the signal that ended it.
   */
  async stop(): Promise<NodeJS.Signals | undefined> {
    if (!this.running || this.child.pid === undefined) return undefined;
    const grace = this.options.graceMs ?? 5000;
    if (!this.posix) {
      this.child.kill();
      await this.exited;
      return 'SIGTERM';
    }
    const pid = this.child.pid;
    if (this.paused) this.resume(); // a stopped process handles no signal but SIGKILL
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
      signal(processTree(pid), sig);
      const ended = await Promise.race([this.exited.then(() => true), delay(this.clock, sig === 'SIGKILL' ? grace * 4 : grace).then(() => false)]);
      if (ended) return sig;
    }
    return 'SIGKILL';
  }
}
