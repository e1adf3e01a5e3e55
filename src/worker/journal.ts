// The worker's queue on disk: events waiting to be stored survive a crash, a kill or a SIGTERM of
// the process that emitted them. One small JSON-lines file per session and process
// (`<session>.<pid>.jsonl`): an `add` line when an event is queued, a `done` line when it is
// stored or given up; the file is removed once nothing is left. A later process with the same
// journal folder takes over the files of processes that are no longer running and stores what they
// left (ids are kept, so anything already stored is not stored twice).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { SessionEventType } from '../shared/events';

export interface JournalEntry {
  id: string;
  sessionId: string;
  type: SessionEventType;
  data: unknown;
}

type Line = { op: 'add'; entry: JournalEntry } | { op: 'done'; id: string };

const FILE = /^([0-9a-f-]{36})\.(\d+)\.jsonl$/i;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Journal {
  private readonly open = new Map<string, number>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(sessionId: string, pid = process.pid): string {
    return path.join(this.dir, `${sessionId}.${pid}.jsonl`);
  }

  add(entry: JournalEntry): void {
    appendFileSync(this.file(entry.sessionId), `${JSON.stringify({ op: 'add', entry } satisfies Line)}\n`, { mode: 0o600 });
    this.open.set(entry.sessionId, (this.open.get(entry.sessionId) ?? 0) + 1);
  }

  /** The event is stored (or given up): it is not replayed. */
  done(sessionId: string, id: string): void {
    const left = (this.open.get(sessionId) ?? 1) - 1;
    if (left <= 0) {
      this.open.delete(sessionId);
      rmSync(this.file(sessionId), { force: true });
    } else {
      this.open.set(sessionId, left);
      appendFileSync(this.file(sessionId), `${JSON.stringify({ op: 'done', id } satisfies Line)}\n`);
    }
  }

  /** What processes that are gone left unstored, oldest first per session; their files are taken over. */
  takeOver(): JournalEntry[] {
    if (!existsSync(this.dir)) return [];
    const out: JournalEntry[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const m = FILE.exec(name);
      if (!m || Number(m[2]) === process.pid || alive(Number(m[2]))) continue;
      const from = path.join(this.dir, name);
      // Renamed first: two processes starting at once cannot both take the same file.
      const taken = `${from}.${process.pid}.taking`;
      try {
        renameSync(from, taken);
      } catch {
        continue;
      }
      const done = new Set<string>();
      const added: JournalEntry[] = [];
      for (const text of readFileSync(taken, 'utf8').split('\n')) {
        if (!text) continue;
        try {
          const line = JSON.parse(text) as Line;
          if (line.op === 'add') added.push(line.entry);
          else done.add(line.id);
        } catch {
          // a line cut by the crash: the events before it are still there
        }
      }
      out.push(...added.filter((e) => !done.has(e.id)));
      rmSync(taken, { force: true });
    }
    return out;
  }
}
