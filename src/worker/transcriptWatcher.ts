// Follows agents' session files as they grow — Claude Code transcripts (~/.claude/projects), Codex
// session files (~/.codex/sessions) and Gemini CLI's (~/.gemini/tmp/*/chats) — and streams each
// file as its own session. Only whole
// lines are read, in bounded chunks (lineReader.ts: a line too long is shown as such, and a file
// that became a link elsewhere is not read); a file that cannot be read or stored is reported and
// the others go on. Where it got to is saved after every look (a small JSON file), so a restart
// goes on from there. Events get ids derived from the line number and a secret of the session made from
// the user's own key (`idKey`, kept beside the saved login), so a line read twice (a lost state
// file, a crash between storing and saving) is still stored once, and nobody who knows only the
// session id can tell the ids of its next events.
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import { agentOfFormat, createMapper, type AgentInfo, type SessionFileFormat, type SessionFiles } from '../bridges';
import { createSession, findAgentSession, sessionState } from '../core/sessions';
import { AgentSessionWriter } from './agentBridge';
import { FileRefused, readWholeLines, type ReadLine, type Skipping } from './lineReader';
import type { SessionLifecycleManager } from './sessionLifecycleManager';

/** The formats of the agents' session files (each agent's definition says where they are). */
export type WatchFormat = SessionFileFormat;

const filesOf = (format: WatchFormat): SessionFiles => agentOfFormat(format).sessionFiles!;

export interface WatchRoot {
  dir: string;
  format: WatchFormat;
}

export interface TranscriptWatcherOptions {
  client: SupabaseClient;
  userId: string;
  manager: SessionLifecycleManager;
  roots: WatchRoot[];
  stateFile: string;
  /** A secret of the user's (random, kept on this machine): each session's event ids derive from it. */
  idKey: string;
  /** A session whose file has not grown for this long is completed (default 10 min). */
  idleMs?: number;
  /** At the first start, files changed this recently are followed from their start (default 10 min). */
  recentMs?: number;
  log?(line: string): void;
  /** A line longer than this is shown as "too long" with its size, not read (default 8 MiB). */
  maxLineBytes?: number;
  /** At most this many bytes of one file are read per look (default 16 MiB). */
  budgetBytes?: number;
  onEvent?(file: string, type: string, data: Record<string, unknown>): void;
}

interface SavedFile {
  sessionId?: string;
  /** Whole lines already stored, and the byte offset after them. */
  lines: number;
  offset: number;
  /** The session was closed (idle); growth starts a continuation. */
  done?: boolean;
  /** Not followed: it was old when watching began (followed once it grows). */
  ignoredSize?: number;
}

interface Followed {
  format: WatchFormat;
  /** The folder it was found in (what it must stay under). */
  root: string;
  saved: SavedFile;
  writer?: AgentSessionWriter;
  lastGrowth: number;
  /** A long line being skipped (its newline not reached yet). */
  skipping?: Skipping;
  /** The last problem reported for this file (said once, until it changes). */
  problem?: string;
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

export class TranscriptWatcher {
  private readonly files = new Map<string, Followed>();
  /** Files followed by name (hooks), with the folder each must stay under. */
  private readonly explicit = new Map<string, WatchRoot>();
  private saved: Record<string, SavedFile> = {};
  private readonly started = Date.now();
  private firstLook = true;

  constructor(private readonly o: TranscriptWatcherOptions) {}

  /** Reads the saved positions (if any). */
  async load(): Promise<void> {
    if (!existsSync(this.o.stateFile)) return;
    try {
      this.saved = (JSON.parse(await readFile(this.o.stateFile, 'utf8')) as { files?: Record<string, SavedFile> }).files ?? {};
    } catch {
      this.o.log?.(`${this.o.stateFile} could not be read; starting afresh (lines already stored are not stored again).`);
    }
  }

  /**
   * Follows one file besides the roots' (a hook named it), into `sessionId` when given (else the
   * file's own session is found or made as for any other). It is read only under `root`.
   */
  follow(file: string, format: WatchFormat, root: string, sessionId?: string): void {
    this.explicit.set(file, { dir: root, format });
    const saved = this.saved[file];
    if (!saved) this.saved[file] = { lines: 0, offset: 0, sessionId };
    else if (sessionId && (saved.done || !saved.sessionId)) Object.assign(saved, { sessionId, done: false });
  }

  /** Reads what is left of a followed file and ends its session as the file ends it; false when it never had one. */
  async close(file: string, how?: { stopped?: string }): Promise<boolean> {
    const root = this.explicit.get(file);
    if (root) await this.lookSafely(file, root, Date.now());
    const f = this.files.get(file);
    this.explicit.delete(file);
    if (!f?.writer) return false;
    if (how?.stopped) f.writer.stopped(how.stopped);
    const result = await f.writer.finish();
    f.saved.done = true;
    f.writer = undefined;
    this.o.log?.(`${path.basename(file)}: ended, session ${f.saved.sessionId} ${result.outcome}.`);
    await this.save();
    return true;
  }

  /** One look at every root: new files, grown files, idle sessions. */
  async tick(now = Date.now()): Promise<void> {
    for (const root of this.o.roots) {
      for (const file of await sessionFiles(root)) await this.lookSafely(file, root, now);
    }
    for (const [file, root] of this.explicit) await this.lookSafely(file, root, now);
    for (const [file, f] of this.files) {
      if (f.writer && !f.saved.done && now - f.lastGrowth >= (this.o.idleMs ?? 600_000)) {
        const result = await f.writer.finish();
        f.saved.done = true;
        f.writer = undefined;
        this.o.log?.(`${path.basename(file)}: idle, session ${f.saved.sessionId} ${result.outcome}.`);
      }
    }
    this.firstLook = false;
    await this.save();
  }

  /** Closes every open session as it is now (they stay open in the database: running). */
  async stop(): Promise<void> {
    await this.save();
  }

  /** One file's trouble (unreadable, refused by the database) never stops the others. */
  private async lookSafely(file: string, root: WatchRoot, now: number): Promise<void> {
    try {
      await this.look(file, root, now);
      const f = this.files.get(file);
      if (f) f.problem = undefined;
    } catch (error) {
      const message = (error as Error).message;
      const f = this.files.get(file);
      if (f?.problem !== message) this.o.log?.(`${path.basename(file)}: ${message}`);
      if (f) f.problem = message;
    }
  }

  private async look(file: string, root: WatchRoot, now: number): Promise<void> {
    const info = await lstat(file).catch(() => undefined);
    if (!info?.isFile()) return;
    const format = root.format;
    let f = this.files.get(file);
    if (!f) {
      const saved = this.saved[file] ?? { lines: 0, offset: 0 };
      // Old files are not imported at the first start; they are followed once they grow.
      if (!this.saved[file] && this.firstLook && now - info.mtimeMs > (this.o.recentMs ?? 600_000)) saved.ignoredSize = info.size;
      f = { format, root: root.dir, saved, lastGrowth: now };
      this.files.set(file, f);
      this.saved[file] = saved;
    }
    if (f.saved.ignoredSize !== undefined) {
      if (info.size === f.saved.ignoredSize) return;
      delete f.saved.ignoredSize;
    }
    if (info.size < f.saved.offset) {
      this.o.log?.(`${path.basename(file)} got shorter; following it again from its start as a new session.`);
      Object.assign(f.saved, { sessionId: undefined, lines: 0, offset: 0, done: false });
      f.writer = undefined;
      f.skipping = undefined;
    }
    if (info.size === f.saved.offset) return;
    let read;
    try {
      read = await this.read(file, f.root, f.saved.offset, { skipping: f.skipping });
    } catch (error) {
      if (error instanceof FileRefused) throw new Error(error.message);
      throw error;
    }
    f.skipping = read.skipping;
    if (read.lines.length === 0) return;
    f.lastGrowth = now;
    if (!f.writer) await this.attach(file, f, read.lines);
    for (const line of read.lines) {
      if (line.kind === 'line') await f.writer!.line(line.text);
      else await f.writer!.longLine(line.bytes, line.head, this.maxLine);
    }
    f.saved.lines += read.lines.length;
    f.saved.offset = read.next;
  }

  private get maxLine(): number {
    return this.o.maxLineBytes ?? 8 * 1024 * 1024;
  }

  private read(file: string, root: string, from: number, o: { to?: number; skipping?: Skipping } = {}) {
    return readWholeLines(file, from, { ...o, root, maxLineBytes: this.maxLine, budgetBytes: this.o.budgetBytes });
  }

  /** Finds or creates the file's session, and replays the lines already stored into a fresh mapper. */
  private async attach(file: string, f: Followed, next: ReadLine[]): Promise<void> {
    // An agent may keep the folder it works in beside its session files (Gemini CLI: <project>/.project_root).
    const rootFile = filesOf(f.format).projectRootFile?.(file);
    const projectRoot = rootFile ? (await readFile(rootFile, 'utf8').catch(() => '')).trim() || undefined : undefined;
    const mapper = createMapper(f.format, { cwd: projectRoot });
    // What the agent says about itself is in its first lines.
    const first = f.saved.lines > 0 ? (await this.read(file, f.root, 0, { to: f.saved.offset })).lines.slice(0, 50) : next.slice(0, 50);
    const found = first.flatMap((l) => (l.kind === 'line' ? createMapper(f.format, { cwd: projectRoot }).line(l.text) : [])).find((i) => i.kind === 'start')?.info ?? {};
    const info = { ...found, cwd: found.cwd ?? projectRoot };
    let running = false;
    let sessionId = f.saved.done ? undefined : f.saved.sessionId;
    if (!sessionId && info.agentSessionId && !f.saved.done) {
      const found = await this.findSession(f.format, info.agentSessionId);
      if (found && !FINAL.has(found.state)) sessionId = found.id;
    }
    // Already under way (running, or waiting for an answer a hook asked for): no second start.
    if (sessionId) running = ['running', 'waiting', 'paused'].includes((await this.stateOf(sessionId)) ?? '');
    else {
      sessionId = await this.createSession(file, f, info);
      this.o.log?.(`${path.basename(file)} → session ${sessionId}`);
    }
    Object.assign(f.saved, { sessionId, done: false });
    const id = sessionId;
    const writer = new AgentSessionWriter({
      manager: this.o.manager,
      sessionId,
      mapper,
      running,
      idSecret: sessionSecret(this.o.idKey, sessionId),
      onEvent: (type, data) => this.o.onEvent?.(file, type, data),
      // The model is learnt later from some files (Gemini CLI's records name it).
      onInfo: (i) => void this.o.manager.setAgentInfo(id, { model: i.model && !/^auto\b/i.test(i.model) ? i.model : undefined }).catch((error: Error) => this.o.log?.(`${path.basename(file)}: ${error.message}`)),
    });
    f.writer = writer;
    // The lines already stored, a bounded chunk at a time, so the mapper knows what came before.
    let skipping: Skipping | undefined;
    for (let at = 0; at < f.saved.offset; ) {
      const r = await this.read(file, f.root, at, { to: f.saved.offset, skipping });
      for (const line of r.lines) {
        if (line.kind === 'line') writer.replay(line.text);
        else writer.replayLong();
      }
      skipping = r.skipping;
      if (r.next === at && !r.skipping) break;
      at = r.next;
    }
  }

  private findSession(format: WatchFormat, agentSessionId: string): Promise<{ id: string; state: string } | undefined> {
    return findAgentSession(this.o.client, this.o.userId, agentOfFormat(format).kind, agentSessionId);
  }

  private stateOf(sessionId: string): Promise<string | undefined> {
    return sessionState(this.o.client, sessionId).catch(() => undefined);
  }

  private async createSession(file: string, f: Followed, info: AgentInfo): Promise<string> {
    const label = agentOfFormat(f.format).label;
    const where = info.cwd ? path.basename(info.cwd) : path.basename(path.dirname(file));
    const title = `${label} in ${where}${f.saved.lines > 0 ? ' (continued)' : ''} · ${(info.agentSessionId ?? path.basename(file, '.jsonl')).slice(0, 8)}`;
    const session = { userId: this.o.userId, title, source: agentOfFormat(f.format).kind, cwd: info.cwd ?? null, agentSessionId: info.agentSessionId ?? null, model: info.model ?? null };
    return (await createSession(this.o.client, session, { columns: 'id', what: `a session for ${file}` })).id;
  }

  private async save(): Promise<void> {
    const tmp = `${this.o.stateFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ version: 1, savedAt: new Date().toISOString(), files: this.saved }, null, 1)}\n`, { mode: 0o600 });
    await rename(tmp, this.o.stateFile);
  }

  get startedAt(): number {
    return this.started;
  }
}

/** The session's id secret: a UUID made from HMAC-SHA256(key, session id). */
export function sessionSecret(key: string, sessionId: string): string {
  const h = createHmac('sha256', key).update(sessionId).digest('hex');
  // Shaped as a version-4 UUID (uuid's v5 takes only valid UUIDs as namespaces).
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The session files under a root (recursively): every *.jsonl but subagents' own files; for Gemini
 * CLI only its chats (`<project>/chats/session-*.jsonl`).
 */
async function sessionFiles(root: WatchRoot): Promise<string[]> {
  const entries = await readdir(root.dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && filesOf(root.format).isSessionFile(e.name, path.basename(e.parentPath)))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !f.split(path.sep).includes('subagents'))
    .sort();
}
