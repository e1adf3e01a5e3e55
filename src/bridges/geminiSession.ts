// Gemini CLI's own session files (~/.gemini/tmp/<project>/chats/session-<time>-<id>.jsonl, seen in
// 0.61): a header line ({sessionId, projectHash, startTime, kind}), then one line per message record
// ({id, timestamp, type: user | gemini | info | warning | error, content, thoughts, tokens, model,
// toolCalls}) — a record is written again, whole, when its tool calls are added, so a record seen
// twice adds only what is new — and `{"$set": …}` lines that update the header (the first one may
// carry the opening messages). A tool call holds its arguments, its result as the model was given
// it (a shell command's output and exit code) and what the CLI showed (`resultDisplay`: a file
// edit's diff). Mapping table: docs/agent-bridges.md.
import { BaseMapper, isObject, num, str, type Json } from './base';
import { countDiff, headline, relativeTo } from './text';
import type { BridgeItem } from './types';

const SHELL = 'run_shell_command';
const FILE_TOOLS = new Set(['write_file', 'replace', 'edit']);

export class GeminiSessionMapper extends BaseMapper {
  readonly format = 'gemini-session' as const;
  private cwd: string | undefined;
  /** Per record id: whether its text was shown, and which of its tool calls. */
  private readonly records = new Map<string, { text: boolean; tokens: boolean; tools: Set<string> }>();
  private lastMessage = '';
  private modelSaid = false;
  private firstAt: number | undefined;

  constructor(options: { cwd?: string } = {}) {
    super();
    this.cwd = options.cwd;
  }

  protected map(line: Json, raw: string): BridgeItem[] {
    if (typeof line.sessionId === 'string' && line.type === undefined) {
      return [{ kind: 'start', reason: `Gemini CLI session ${line.sessionId}`, info: { agentSessionId: line.sessionId, cwd: this.cwd } }];
    }
    if (isObject(line.$set)) {
      const messages = Array.isArray(line.$set.messages) ? line.$set.messages.filter(isObject) : [];
      return messages.length > 0 ? messages.flatMap((m) => this.record(m, raw)) : this.skip();
    }
    return this.record(line, raw);
  }

  private record(r: Json, raw: string): BridgeItem[] {
    const at = Date.parse(str(r.timestamp) ?? '');
    if (Number.isFinite(at)) {
      this.firstAt ??= at;
      this.stats.durationMs = at - this.firstAt;
    }
    const id = str(r.id) ?? '';
    const seen = this.records.get(id) ?? { text: false, tokens: false, tools: new Set<string>() };
    this.records.set(id, seen);
    switch (r.type) {
      case 'user': {
        if (seen.text) return [];
        seen.text = true;
        const text = typeof r.content === 'string' ? r.content : (Array.isArray(r.content) ? r.content : []).map((p) => (isObject(p) ? (str(p.text) ?? '') : '')).join('');
        // The CLI's own context message says where it works; it is not the user's prompt.
        if (/^\s*<session_context>/.test(text)) {
          this.cwd ??= /Workspace Directories:\*\*\n\s*- (.+)/.exec(text)?.[1]?.trim();
          return [];
        }
        return text.trim() ? [this.thinking({ text, kind: 'prompt' })] : [];
      }
      case 'gemini':
        return this.gemini(r, seen);
      case 'info':
      case 'warning':
      case 'error': {
        if (seen.text) return [];
        seen.text = true;
        return [this.thinking({ text: str(r.content) ?? JSON.stringify(r.content), warning: r.type !== 'info' })];
      }
      default:
        return this.unknown(raw, `a Gemini CLI session record of type "${String(r.type)}"`);
    }
  }

  private gemini(r: Json, seen: { text: boolean; tokens: boolean; tools: Set<string> }): BridgeItem[] {
    const items: BridgeItem[] = [];
    if (!this.modelSaid && str(r.model)) {
      this.modelSaid = true;
      items.push({ kind: 'info', info: { model: str(r.model) } });
    }
    if (!seen.tokens && isObject(r.tokens)) {
      seen.tokens = true;
      this.stats.inputTokens += num(r.tokens.input);
      this.stats.outputTokens += num(r.tokens.output);
    }
    if (!seen.text) {
      seen.text = true;
      this.stats.iterations++;
      const thoughts = (Array.isArray(r.thoughts) ? r.thoughts : []).map((t) => (isObject(t) ? [str(t.subject), str(t.description)].filter(Boolean).join(': ') : String(t))).filter(Boolean);
      if (thoughts.length > 0) items.push(this.thinking({ text: thoughts.join('\n'), kind: 'reasoning' }));
      const text = typeof r.content === 'string' ? r.content : '';
      if (text.trim()) {
        this.lastMessage = text;
        items.push(this.thinking({ text, kind: 'message' }));
      }
    }
    for (const call of Array.isArray(r.toolCalls) ? r.toolCalls.filter(isObject) : []) {
      const callId = str(call.id) ?? '';
      if (seen.tools.has(callId)) continue;
      seen.tools.add(callId);
      this.stats.toolCalls++;
      items.push(...this.toolCall(call, callId));
    }
    return items;
  }

  private toolCall(call: Json, id: string): BridgeItem[] {
    const name = str(call.name) ?? 'tool';
    const args = isObject(call.args) ? call.args : {};
    const ok = call.status === 'success';
    const response = (Array.isArray(call.result) ? call.result : []).map((p) => (isObject(p) && isObject(p.functionResponse) && isObject(p.functionResponse.response) ? p.functionResponse.response : undefined)).find(Boolean);
    const said = str(response?.output) ?? str(response?.error) ?? '';
    if (name === SHELL) {
      // "Output: …\nExit Code: 2\nProcess Group PGID: …", possibly inside <untrusted_context>.
      const body = said.replace(/^\s*<untrusted_context>\n?|<\/untrusted_context>\s*$/g, '');
      const exit = /(?:^|\n)Exit Code: (-?\d+)/.exec(body);
      const output = /(?:^|\n)Output: ([\s\S]*?)(?=\n(?:Error|Exit Code|Signal|Background PIDs|Process Group PGID):|$)/.exec(body)?.[1] ?? body;
      const error = /(?:^|\n)Error: ([\s\S]*?)(?=\n(?:Exit Code|Signal|Background PIDs|Process Group PGID):|$)/.exec(body)?.[1];
      const signalled = /(?:^|\n)Signal: /.test(body);
      // 0.61 writes "Exit Code" only when it is not 0: a finished command without one exited 0.
      const exitCode = exit ? Number(exit[1]) : ok && !signalled && /(?:^|\n)Output: /.test(body) ? 0 : undefined;
      const status = !ok ? 'failed' : exitCode !== undefined && exitCode !== 0 ? 'failed' : 'completed';
      return [this.event('terminal', { command: str(args.command) ?? SHELL, output: output.trim() === '(empty)' ? '' : output, error: error && error.trim() !== '(none)' ? error : '', ...(exitCode !== undefined ? { exitCode } : {}), status, ...(str(args.description) ? { description: str(args.description) } : {}), toolCallId: id })];
    }
    if (FILE_TOOLS.has(name)) {
      const display = isObject(call.resultDisplay) ? call.resultDisplay : {};
      const file = relativeTo(this.cwd, str(args.file_path) ?? str(display.filePath) ?? '(unknown file)');
      if (!ok) return [this.thinking({ text: `${name} of ${file} failed: ${headline(said, 300)}`, toolsUsed: [name], toolCallId: id, warning: true })];
      const raw = str(display.fileDiff);
      // The CLI's diff has an "Index:" header of its own: the unified diff starts at "--- ".
      const diff = raw && raw.includes('\n--- ') ? raw.slice(raw.indexOf('--- ')) : raw;
      const created = display.isNewFile === true || (name === 'write_file' && display.originalContent === '');
      return [this.event('file_change', { path: file, action: created ? 'create' : 'write', ...(diff ? { diff, ...countDiff(diff) } : {}), toolCallId: id })];
    }
    return [this.thinking({ text: `${name}(${headline(JSON.stringify(args), 200)})${ok ? '' : ` failed: ${headline(said, 200)}`}`, toolsUsed: [name], toolCallId: id, ...(ok ? {} : { warning: true }) })];
  }

  protected naturalEnd(): { outcome: 'completed' | 'failed'; message: string } {
    return { outcome: 'completed', message: this.lastMessage || 'The Gemini CLI session file ends here.' };
  }
}
