// The collector (`session-stream hooks collect`, docs/hooks.md): the resident half of the hooks.
// Our hook script (hookScript.ts) only drops each event into the spool folder; the collector,
// started by the first hook that finds none running, signs in with the user's saved login (never
// with anything from the agent's environment), and for every hooked session:
//   - makes or finds the user's session for the agent's own session id (so `watch` and `import` of
//     the same transcript add to it instead of making another) and follows the transcript the hook
//     names (TranscriptWatcher: the same events as `watch`, read only under the agent's own folder);
//   - turns a permission request into `waiting` with the request, and a viewer's approve/deny into the
//     answer file the waiting hook prints (the same checks as `run`: not from our own sign-in, the
//     input approved is the input asked about); a hook that gave up, or whose process is gone (the
//     user answered in the terminal), withdraws its request;
//   - on Stop, leaves what the agent's hooks print to stop it at its next step;
//   - ends the session when the agent's process exits (or its SessionEnd hook says so).
// It exits by itself once no session is open and nothing came for a while. Spool files are removed
// only once handled: whatever it could not store stays for the next collector.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import { v5 as uuidv5 } from 'uuid';
import { agentOf, type AgentKind } from '../../bridges';
import { createSession, findAgentSession, sessionState } from '../../core/sessions';
import { byteLength, inputHash, reviewText } from '../../shared/approval';
import { MAX_DETAIL_CHARS, type AgentRequest, type SessionCommand } from '../../shared/commands';
import { MAX_NOTE_INPUT_BYTES } from '../agentBridge';
import { boundRequests, notFromAViewer, notWhatIsAsked } from '../agentSteering';
import type { CommandReceiver, CommandResult } from '../commandReceiver';
import type { SessionLifecycleManager } from '../sessionLifecycleManager';
import { sessionSecret, TranscriptWatcher, type WatchFormat } from '../transcriptWatcher';
import { readSpoolRecord, spoolNames, type SpoolRecord } from './spool';
import { claim, HOOK_FILES, writeAtomic } from './hookScript';
import { agentProcess, isAlive } from './processes';
import { readCollectorConfig, type CollectorConfig } from './install';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const FINAL = new Set(['completed', 'failed', 'cancelled']);
export interface CollectorOptions {
  /** The hooks folder. */
  dir: string;
  client: SupabaseClient;
  userId: string;
  manager: SessionLifecycleManager;
  /** The user's secret for event ids (as `watch` uses: a transcript read by both is stored once). */
  idKey: string;
  /** The auth session the collector is signed in with: approvals sent with it are refused. */
  ownSignIn(): Promise<string | undefined>;
  /** Exit after this long with no open session and nothing in the spool (ms). */
  idleExitMs: number;
  log(line: string): void;
  /** Whether a process is alive (tests replace it). */
  alive?(pid: number): boolean;
  /** Whether any of the user's viewers is online (undefined: not known; then requests wait as if someone were). */
  online?(): Promise<boolean | undefined>;
}

interface Pending {
  request: AgentRequest;
  input: Json;
  hash: string;
  reviewable: boolean;
  /** The hook process waiting for the answer. */
  hookPid: number;
  /** The agent's id of the tool call asked about (its PreToolUse just before), when it gives one. */
  toolUseId?: string;
}

interface Hooked {
  agent: AgentKind;
  agentSessionId: string;
  sessionId: string;
  cwd?: string;
  transcript?: string;
  /** The agent's process (the hook's first ancestor that is not a shell), when it could be told. */
  agentPid?: number;
  pending: Map<string, Pending>;
  receiver?: CommandReceiver;
  stopReason?: string;
  /** The last tool call announced (PreToolUse): a permission request that follows is about it. */
  lastCall?: { id: string; tool: string; input: Json };
}

export class HookCollector {
  private readonly sessions = new Map<string, Hooked>();
  /** Agent sessions that ended while this collector ran. */
  private readonly ended = new Set<string>();
  private readonly watcher: TranscriptWatcher;
  private config: CollectorConfig | undefined;
  /** Tool results read from transcripts this round: each settles the request asked about that call. */
  private readonly results: Array<{ file: string; toolCallId: string }> = [];
  private lastActivity = Date.now();
  /** After a failure the spool waits until then; the failure is logged once until it changes. */
  private retryAt = 0;
  private problem: string | undefined;
  private readonly spool: string;
  private readonly answers: string;
  private readonly stops: string;

  constructor(private readonly o: CollectorOptions) {
    this.spool = path.join(o.dir, HOOK_FILES.spool);
    this.answers = path.join(o.dir, HOOK_FILES.answers);
    this.stops = path.join(o.dir, HOOK_FILES.stop);
    this.watcher = new TranscriptWatcher({
      client: o.client,
      userId: o.userId,
      manager: o.manager,
      roots: [],
      stateFile: path.join(o.dir, HOOK_FILES.state),
      idKey: o.idKey,
      // Sessions end with their agent's process; this only closes one whose end was never seen.
      idleMs: 6 * 60 * 60_000,
      log: o.log,
      onEvent: (file, type, data) => {
        if (typeof data.toolCallId === 'string' && isToolResult(type, data)) this.results.push({ file, toolCallId: data.toolCallId });
      },
    });
  }

  async start(): Promise<void> {
    await this.watcher.load();
    for (const d of [this.spool, this.answers, this.stops]) await mkdir(d, { recursive: true, mode: 0o700 });
  }

  /** One round: the spool, the transcripts, the agents still alive, the hooks still waiting. Returns false once it is time to exit. */
  async tick(now = Date.now()): Promise<boolean> {
    this.config = readCollectorConfig(this.o.dir);
    const names = now < this.retryAt ? [] : await spoolNames(this.spool);
    for (const name of names) {
      this.lastActivity = now;
      try {
        const read = await readSpoolRecord(this.spool, name, this.o.alive ?? isAlive);
        if (read.kind === 'partial') continue; // its hook is still writing it
        if (read.kind === 'unreadable') this.o.log(`${name}: ${read.why}; skipped.`);
        else await this.handle(read.record);
        await rm(path.join(this.spool, name), { force: true });
        this.problem = undefined;
      } catch (error) {
        // Kept for the next round, a little later (a dead stack, a refused write): nothing is lost.
        const message = (error as Error).message;
        if (message !== this.problem) this.o.log(`${name}: ${message}; kept to try again.`);
        this.problem = message;
        this.retryAt = now + 2000;
        break;
      }
    }
    await this.watcher.tick(now);
    for (const { file, toolCallId } of this.results.splice(0)) {
      const s = [...this.sessions.values()].find((h) => h.transcript === file && h.pending.size > 0);
      if (s) await this.settle(s, [...s.pending].filter(([, p]) => p.toolUseId === toolCallId).map(([id]) => id));
    }
    for (const s of this.sessions.values()) await this.checkAlive(s);
    if (this.sessions.size > 0) this.lastActivity = now;
    return now - this.lastActivity < this.o.idleExitMs;
  }

  /** Leaves every session as it is (they go on when a collector runs again). */
  async stop(): Promise<void> {
    for (const s of this.sessions.values()) void s.receiver?.dispose();
    await this.watcher.stop();
  }

  get open(): number {
    return this.sessions.size;
  }

  private async handle(r: SpoolRecord): Promise<void> {
    if (r.event === 'gave-up') return this.gaveUp(r);
    const agentSessionId = str(r.payload.session_id);
    if (!agentSessionId) return;
    const def = agentOf(r.agent).hooks!;
    // A late event of a session that has ended here (its SessionEnd and its exit can come in either
    // order) makes no new session; a new start (a resumed session) does.
    const key = `${r.agent}:${agentSessionId}`;
    if (this.ended.has(key) && r.event !== 'SessionStart') return;
    this.ended.delete(key);
    const s = await this.session(r, agentSessionId);
    if (!s) return;
    const ask = def.events.find((e) => e.name === r.event)?.ask === true;
    if (ask) return this.request(s, r);
    if (s.pending.size > 0) await this.settled(s, r);
    const callId = str(r.payload.tool_use_id);
    if (callId && r.event === def.callEvent) s.lastCall = { id: callId, tool: str(r.payload.tool_name) ?? '', input: isObject(r.payload.tool_input) ? r.payload.tool_input : {} };
    if (r.event === def.endEvent) await this.end(s, `its ${r.event} hook`);
  }

  /** The hooked session of a record: found, or made and followed. */
  private async session(r: SpoolRecord, agentSessionId: string): Promise<Hooked | undefined> {
    const key = `${r.agent}:${agentSessionId}`;
    let s = this.sessions.get(key);
    const transcript = this.transcriptOf(r);
    if (!s) {
      const cwd = str(r.payload.cwd);
      const found = await findAgentSession(this.o.client, this.o.userId, r.agent, agentSessionId);
      let sessionId = found && !FINAL.has(found.state) ? found.id : undefined;
      if (!sessionId) {
        const label = agentOf(r.agent).label;
        const title = `${label} in ${cwd ? path.basename(cwd) : 'a terminal'}${found ? ' (continued)' : ''} · ${agentSessionId.slice(0, 8)}`;
        sessionId = (await createSession(this.o.client, { userId: this.o.userId, title, source: r.agent, cwd: cwd ?? null, agentSessionId, model: str(r.payload.model) ?? null }, { columns: 'id', what: `a session for ${label} ${agentSessionId}` })).id;
        this.o.log(`${label} ${agentSessionId} → session ${sessionId}`);
      }
      if ((await sessionState(this.o.client, sessionId)) === 'pending') await this.o.manager.transition(sessionId, 'running', `${agentOf(r.agent).label} started (seen by its hooks)`);
      s = { agent: r.agent, agentSessionId, sessionId, cwd, pending: new Map(), agentPid: agentProcess(r.ppid) };
      this.sessions.set(key, s);
      this.listen(s);
    }
    if (!s.agentPid && r.ppid) s.agentPid = agentProcess(r.ppid);
    if (transcript && s.transcript !== transcript) {
      s.transcript = transcript;
      this.watcher.follow(transcript, agentOf(r.agent).sessionFiles!.format as WatchFormat, path.dirname(transcript), s.sessionId);
    }
    return s;
  }

  /** The transcript a hook names, when it is a session file under the agent's own folder. */
  private transcriptOf(r: SpoolRecord): string | undefined {
    const file = str(r.payload.transcript_path);
    const root = this.config?.agents[r.agent]?.sessionsDir;
    if (!file || !root || !path.isAbsolute(file)) return undefined;
    const resolved = path.resolve(file);
    if (!resolved.startsWith(path.resolve(root) + path.sep)) {
      this.o.log(`${agentOf(r.agent).label} named a transcript outside ${root} (${resolved.slice(0, 200)}); not read.`);
      return undefined;
    }
    return resolved;
  }

  private async request(s: Hooked, r: SpoolRecord): Promise<void> {
    // Taken: the hook waits its full answer time from now on (storing it may take a while under load).
    await writeFile(path.join(this.answers, `${r.name}.seen`), '');
    const def = agentOf(s.agent).hooks!;
    const label = agentOf(s.agent).label;
    const tool = str(r.payload.tool_name) ?? 'a tool';
    const input = isObject(r.payload.tool_input) ? r.payload.tool_input : {};
    const text = reviewText(input);
    const hash = await inputHash(text);
    const bytes = byteLength(text);
    const title = def.requestTitle(tool, input, s.cwd);
    const request: AgentRequest = { id: r.name, kind: 'approval', tool, title, at: new Date().toISOString(), detail: text.slice(0, MAX_DETAIL_CHARS), inputBytes: bytes, inputHash: hash, ...(text.length > MAX_DETAIL_CHARS ? { detailCut: true } : {}) };
    const reviewable = bytes <= MAX_NOTE_INPUT_BYTES;
    // The timeline's record of the request, with the whole input the approval lets through (one id per request: stored once).
    const eventId = uuidv5(`hook/${r.name}`, sessionSecret(this.o.idKey, s.sessionId));
    // Nobody online who could answer from a viewer: the agent asks in its terminal now, not after the answer time.
    const alone = (await this.o.online?.()) === false;
    const text0 = alone ? `${label} asks to use ${title} in its terminal (nobody is watching from VS Code)` : `${label} asks to use ${title}`;
    const note = { iteration: 0, toolsUsed: [tool], kind: 'request', requestId: r.name, text: text0, ...(reviewable ? { input: text } : { inputCut: true, inputBytes: bytes }) };
    await this.o.manager.emitEvent(s.sessionId, 'thinking', note, { id: eventId });
    if (alone) return void (await this.deliver(r.name));
    const call = s.lastCall;
    const toolUseId = call && call.tool === tool && (await inputHash(reviewText(call.input))) === hash ? call.id : undefined;
    s.pending.set(r.name, { request: { ...request, eventId }, input, hash, reviewable, hookPid: r.hookPid, toolUseId });
    await this.waiting(s, `${label} asks: ${title}`);
  }

  private async gaveUp(r: SpoolRecord): Promise<void> {
    const id = str(r.payload.id);
    const ms = typeof r.payload.waitedMs === 'number' ? r.payload.waitedMs : this.config?.answerTimeoutMs;
    for (const s of this.sessions.values()) {
      if (!id || !s.pending.delete(id)) continue;
      const within = ms === undefined ? '' : ` within ${ms < 10_000 ? Number((ms / 1000).toFixed(1)) : Math.round(ms / 1000)} s`;
      await this.waiting(s, `No answer from a viewer${within}: ${agentOf(s.agent).label} asks in its terminal`);
    }
  }

  /**
   * The agent went on while a request of its was still waiting here: it was answered in the
   * terminal (the agent shows its own prompt while our hook waits). The call's result in its
   * transcript settles the request about that call (tick), and so does the agent announcing its
   * next call; the turn's end settles them all. The hook still waiting is let go.
   */
  private async settled(s: Hooked, r: SpoolRecord): Promise<void> {
    const by = agentOf(s.agent).hooks!.settledBy;
    if (!by) return;
    let ids: string[] = [];
    if (by.turn.includes(r.event)) ids = [...s.pending.keys()];
    else if (r.event === agentOf(s.agent).hooks!.callEvent) {
      // The agent announces another call: the one asked about was answered (it asks one at a time).
      const callId = str(r.payload.tool_use_id);
      if (callId) ids = [...s.pending].filter(([, p]) => p.toolUseId !== undefined && p.toolUseId !== callId).map(([id]) => id);
    }
    await this.settle(s, ids);
  }

  /** Takes requests back as answered in the terminal; a viewer's answer now is refused, and the hook stops waiting. */
  private async settle(s: Hooked, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    for (const id of ids) {
      s.pending.delete(id);
      await this.deliver(id);
    }
    await this.waiting(s, `Answered in ${agentOf(s.agent).label}'s terminal`);
  }

  private waiting(s: Hooked, reason: string): Promise<void> {
    return this.o.manager.setWaiting(s.sessionId, boundRequests([...s.pending.values()].map((p) => p.request)), reason).catch((error: Error) => this.o.log(`session ${s.sessionId}: could not record what it waits for: ${error.message}`));
  }

  /** A hook waiting for an answer whose process is gone (its agent answered in the terminal, or ended) takes its request back. */
  private async checkAlive(s: Hooked): Promise<void> {
    const alive = this.o.alive ?? isAlive;
    let gone = false;
    for (const [id, p] of s.pending) {
      if (alive(p.hookPid)) continue;
      // Claimed here, so an answer sent later is refused rather than lost.
      await claim(path.join(this.answers, `${id}.claim`));
      s.pending.delete(id);
      gone = true;
    }
    if (gone) await this.waiting(s, `Answered in ${agentOf(s.agent).label}'s terminal`);
    if (s.agentPid && !alive(s.agentPid)) await this.end(s, 'its process exited');
  }

  private async end(s: Hooked, why: string): Promise<void> {
    this.sessions.delete(`${s.agent}:${s.agentSessionId}`);
    this.ended.add(`${s.agent}:${s.agentSessionId}`);
    void s.receiver?.dispose();
    for (const id of s.pending.keys()) await claim(path.join(this.answers, `${id}.claim`));
    s.pending.clear();
    const closed = s.transcript ? await this.watcher.close(s.transcript, { stopped: s.stopReason }) : false;
    if (!closed) {
      const state = await sessionState(this.o.client, s.sessionId).catch(() => undefined);
      if (state === 'waiting') await this.o.manager.setWaiting(s.sessionId, [], `${agentOf(s.agent).label} ended`).catch(() => undefined);
      if (state && !FINAL.has(state)) {
        if (s.stopReason) await this.o.manager.transition(s.sessionId, 'cancelled', s.stopReason);
        else await this.o.manager.completeSession(s.sessionId, { iterations: 0, inputTokens: 0, outputTokens: 0, toolCalls: 0 }, `${agentOf(s.agent).label} ended (${why}).`);
      }
    }
    for (const name of await readdir(this.stops).catch(() => [] as string[])) {
      if (name === s.agentSessionId || name.startsWith(`${s.agentSessionId}.`)) await rm(path.join(this.stops, name), { force: true });
    }
    this.o.log(`${agentOf(s.agent).label} ${s.agentSessionId}: ended (${why}).`);
  }

  private listen(s: Hooked): void {
    s.receiver = this.o.manager.onCommand(s.sessionId, (command) => this.command(s, command));
  }

  private async command(s: Hooked, command: SessionCommand): Promise<CommandResult> {
    const def = agentOf(s.agent).hooks!;
    const label = agentOf(s.agent).label;
    const by = command.createdByName || 'someone';
    switch (command.kind) {
      case 'approve':
      case 'deny':
        return this.answer(s, command, by);
      case 'stop': {
        if (def.can.stop !== true || !def.stop) return { outcome: 'unsupported', reason: def.can.stop === true ? `${label} cannot be stopped from its hooks` : def.can.stop };
        const reason = `Stopped by ${by}`;
        s.stopReason = reason;
        if (/^[A-Za-z0-9_-]+$/.test(s.agentSessionId)) {
          for (const [event, output] of Object.entries(def.stop(reason))) await writeAtomic(path.join(this.stops, event === '*' ? s.agentSessionId : `${s.agentSessionId}.${event}`), JSON.stringify(output));
        }
        // A request it waits on now is denied with the stop.
        for (const id of [...s.pending.keys()]) await this.deliver(id, def.answer({ allow: false, message: reason, interrupt: true })).then((ok) => ok && s.pending.delete(id));
        if (s.pending.size === 0) await this.waiting(s, reason);
        return { outcome: 'done', reason: `${reason}: ${label} stops at its next step`, note: true };
      }
      case 'message':
        return { outcome: 'unsupported', reason: def.can.message === true ? `${label} takes no message from here` : def.can.message };
      case 'pause':
      case 'resume':
        return { outcome: 'unsupported', reason: def.can.pause === true ? `${label} cannot be paused from here` : def.can.pause };
    }
  }

  private async answer(s: Hooked, command: SessionCommand, by: string): Promise<CommandResult> {
    const label = agentOf(s.agent).label;
    const waiting = command.agentRequestId ? s.pending.get(command.agentRequestId) : undefined;
    if (!waiting) return { outcome: 'refused', reason: `no request ${command.agentRequestId ?? ''} is waiting (answered already, in the terminal, or withdrawn)`.replace('  ', ' ') };
    const approve = command.kind === 'approve';
    if (approve) {
      const why = notFromAViewer(command, await this.o.ownSignIn().catch(() => undefined), 'the hooks collector') ?? notWhatIsAsked(command, waiting);
      if (why) return { outcome: 'refused', reason: `Not approved: ${why}` };
    }
    const message = command.body?.trim() || `Denied by ${by}.`;
    const delivered = await this.deliver(command.agentRequestId!, agentOf(s.agent).hooks!.answer(approve ? { allow: true } : { allow: false, message }));
    s.pending.delete(command.agentRequestId!);
    if (!delivered) {
      await this.waiting(s, `No answer from a viewer in time: ${label} asks in its terminal`);
      return { outcome: 'refused', reason: `Too late: ${label} stopped waiting and asks in its terminal` };
    }
    const reason = `${approve ? 'Approved' : 'Denied'} by ${by}: ${waiting.request.title}${!approve && command.body ? ` (${command.body.slice(0, 500)})` : ''}`;
    await this.waiting(s, reason);
    return { outcome: 'done', reason, note: s.pending.size > 0 };
  }

  /** Hands an answer to the waiting hook (none: let go, the agent asks in its terminal); false when the hook stopped waiting first. */
  private async deliver(id: string, output?: unknown): Promise<boolean> {
    if (!(await claim(path.join(this.answers, `${id}.claim`)))) return false;
    await writeAtomic(path.join(this.answers, id), output === undefined ? '' : `${JSON.stringify(output)}\n`);
    return true;
  }
}

/** A transcript event that is a tool call's result (a command run, a file written, a tool that failed). */
function isToolResult(type: string, data: Record<string, unknown>): boolean {
  return type === 'terminal' || type === 'file_change' || (type === 'thinking' && data.warning === true);
}
