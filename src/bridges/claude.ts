// Claude Code, both ways it records a run: `claude -p --output-format stream-json --verbose`
// (system/init, assistant and user messages, result) and the session transcript it keeps in
// ~/.claude/projects/<dir>/<session>.jsonl (the same messages in an envelope, with `toolUseResult`
// carrying stdout/stderr and `structuredPatch` for edits, and no result line). Tool calls are
// paired with their results by id; usage is counted once per API response (Claude repeats it on
// every content block of one response). Mapping table: docs/agent-bridges.md.
import { BaseMapper, isObject, num, str, type Json } from './base';
import { diffOfHunks, diffOfStrings, headline, relativeTo, type DiffInfo, type Hunk } from './text';
import type { BridgeItem } from './types';

const FILE_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
const COMMAND_TOOLS = new Set(['Bash', 'BashOutput']);

interface ToolCall {
  id: string;
  name: string;
  input: Json;
  parent?: string;
}

abstract class ClaudeMapper extends BaseMapper {
  protected cwd: string | undefined;
  protected readonly calls = new Map<string, ToolCall>();
  /** Usage per API response id: the same response's lines repeat it. */
  private readonly usage = new Map<string, Json>();
  private readonly responses = new Set<string>();
  protected lastText = '';

  constructor(options: { cwd?: string } = {}) {
    super();
    this.cwd = options.cwd;
  }

  /** The content of an assistant message: text, thinking and tool calls. */
  protected assistant(message: Json, parent: string | undefined, responseKey: string | undefined): BridgeItem[] {
    if (responseKey) {
      if (!this.responses.has(responseKey)) {
        this.responses.add(responseKey);
        this.stats.iterations++;
      }
      if (isObject(message.usage)) this.countUsage(responseKey, message.usage);
    }
    const attribution = parent ? { parentToolUseId: parent } : {};
    const items: BridgeItem[] = [];
    for (const block of Array.isArray(message.content) ? message.content.filter(isObject) : []) {
      switch (block.type) {
        case 'text':
          if (str(block.text)?.trim()) {
            this.lastText = str(block.text)!;
            items.push(this.thinking({ text: this.lastText, kind: 'message', ...attribution }));
          }
          break;
        case 'thinking':
          if (str(block.thinking)?.trim()) items.push(this.thinking({ text: str(block.thinking), kind: 'reasoning', ...attribution }));
          break;
        case 'redacted_thinking':
          items.push(this.thinking({ text: '(reasoning withheld by the model)', kind: 'reasoning', ...attribution }));
          break;
        case 'tool_use':
        case 'server_tool_use': {
          const call: ToolCall = { id: str(block.id) ?? '', name: str(block.name) ?? 'tool', input: isObject(block.input) ? block.input : {}, parent };
          this.stats.toolCalls++;
          this.calls.set(call.id, call);
          // Commands and file edits are shown with their result; every other tool when it is called.
          if (!COMMAND_TOOLS.has(call.name) && !FILE_TOOLS.has(call.name)) items.push(this.thinking({ text: describeCall(call, this.cwd), toolsUsed: [call.name], toolCallId: call.id, ...attribution }));
          break;
        }
        default:
          items.push(this.thinking({ text: `A ${String(block.type)} block this version does not know; kept as it was.`, raw: JSON.stringify(block), unrecognised: true, ...attribution }));
          this.counts.unknown++;
      }
    }
    return items;
  }

  /** A user message: tool results (paired with their calls), or the prompt. */
  protected user(message: Json, extra: Json | string | undefined, parent: string | undefined): BridgeItem[] {
    const attribution = parent ? { parentToolUseId: parent } : {};
    if (typeof message.content === 'string') return message.content.trim() ? [this.thinking({ text: message.content, kind: 'prompt', ...attribution })] : [];
    const items: BridgeItem[] = [];
    for (const block of Array.isArray(message.content) ? message.content.filter(isObject) : []) {
      if (block.type === 'text' && str(block.text)?.trim()) items.push(this.thinking({ text: str(block.text), kind: 'prompt', ...attribution }));
      if (block.type !== 'tool_result') continue;
      const call = this.calls.get(str(block.tool_use_id) ?? '');
      if (call) this.calls.delete(call.id);
      items.push(...this.toolResult(call, block, extra, attribution));
    }
    return items;
  }

  private toolResult(call: ToolCall | undefined, block: Json, extra: Json | string | undefined, attribution: Json): BridgeItem[] {
    const isError = block.is_error === true || typeof extra === 'string';
    const text = resultText(block.content);
    const name = call?.name ?? 'tool';
    if (call && COMMAND_TOOLS.has(name)) {
      const details = isObject(extra) ? extra : {};
      const command = str(call.input.command) ?? str(details.command) ?? name;
      // A failed Bash result says its exit code first (2.1.197: "Error: Exit code 2\n…").
      const said = isError ? /^(?:Error: )?Exit code (-?\d+)\b/.exec(typeof extra === 'string' ? extra : text) : null;
      const exitCode = typeof details.exitCode === 'number' ? details.exitCode : said ? Number(said[1]) : undefined;
      return [
        this.event('terminal', {
          command,
          output: str(details.stdout) ?? (isError ? '' : text),
          error: str(details.stderr) ?? (isError ? (typeof extra === 'string' ? extra : text) : ''),
          ...(exitCode !== undefined ? { exitCode } : {}),
          status: details.interrupted === true ? 'interrupted' : isError ? 'failed' : 'completed',
          ...(str(call.input.description) ? { description: str(call.input.description) } : {}),
          toolCallId: call.id,
          ...attribution,
        }),
      ];
    }
    if (call && FILE_TOOLS.has(name)) {
      if (isError) return [this.thinking({ text: `${name} of ${this.filePath(call)} failed: ${headline(typeof extra === 'string' ? extra : text, 400)}`, toolsUsed: [name], toolCallId: call.id, warning: true, ...attribution })];
      return [this.event('file_change', { ...this.fileChange(call, isObject(extra) ? extra : undefined), toolCallId: call.id, ...attribution })];
    }
    if (isError) return [this.thinking({ text: `${name} failed: ${headline(typeof extra === 'string' ? extra : text, 400)}`, toolsUsed: [name], toolCallId: call?.id, warning: true, ...attribution })];
    return [];
  }

  private filePath(call: ToolCall): string {
    return relativeTo(this.cwd, str(call.input.file_path) ?? str(call.input.notebook_path) ?? '(unknown file)');
  }

  /** The change with a diff: from the transcript's `structuredPatch` when there is one, else from the edit's old and new text. */
  private fileChange(call: ToolCall, details: Json | undefined): Json {
    const file = this.filePath(call);
    const created = details?.type === 'create';
    let diff: DiffInfo | undefined;
    if (details && Array.isArray(details.structuredPatch) && details.structuredPatch.length > 0) diff = diffOfHunks(file, details.structuredPatch as Hunk[], created);
    else if (call.name === 'Edit') diff = diffOfStrings(file, str(call.input.old_string) ?? '', str(call.input.new_string) ?? '');
    else if (call.name === 'MultiEdit' && Array.isArray(call.input.edits)) {
      const edits = call.input.edits.filter(isObject);
      diff = diffOfStrings(file, edits.map((e) => str(e.old_string) ?? '').join('\n'), edits.map((e) => str(e.new_string) ?? '').join('\n'));
    } else if (created && str(details?.content) !== undefined) diff = diffOfStrings(file, '', str(details!.content)!);
    return { path: file, action: created ? 'create' : 'write', ...(diff ?? {}), tool: call.name };
  }

  /**
   * Keeps the usage of each response once (its latest copy) in running totals; input counts every
   * kind Claude reports (cache reads and writes too).
   */
  private countUsage(key: string, usage: Json): void {
    const input = (u: Json) => num(u.input_tokens) + num(u.cache_creation_input_tokens) + num(u.cache_read_input_tokens);
    const previous = this.usage.get(key);
    if (previous) {
      this.stats.inputTokens -= input(previous);
      this.stats.outputTokens -= num(previous.output_tokens);
    }
    this.usage.set(key, usage);
    this.stats.inputTokens += input(usage);
    this.stats.outputTokens += num(usage.output_tokens);
  }

  /** Tool calls that never got a result (the run was cut off). */
  protected override close(): BridgeItem[] {
    const items = [...this.calls.values()]
      .filter((c) => COMMAND_TOOLS.has(c.name))
      .map((c) => this.event('terminal', { command: str(c.input.command) ?? c.name, output: '', error: '', status: 'interrupted', toolCallId: c.id, ...(c.parent ? { parentToolUseId: c.parent } : {}) }));
    this.calls.clear();
    return items;
  }
}

/** `claude -p --output-format stream-json --verbose`. */
export class ClaudeStreamMapper extends ClaudeMapper {
  readonly format = 'claude' as const;

  protected map(line: Json, raw: string): BridgeItem[] {
    const parent = str(line.parent_tool_use_id);
    switch (line.type) {
      case 'system':
        if (line.subtype === 'init') {
          this.cwd ??= str(line.cwd);
          const model = str(line.model);
          return [{ kind: 'start', reason: `Claude Code started${model ? ` (${model})` : ''}`, info: { agentSessionId: str(line.session_id), model, cwd: str(line.cwd), version: str(line.claude_code_version) } }];
        }
        if (line.subtype === 'compact_boundary') return [this.thinking({ text: 'The conversation was compacted to fit the context window.', kind: 'note' })];
        return this.skip(); // status, hooks, thinking-token estimates, task notices
      case 'assistant':
        if (!isObject(line.message)) return this.unknown(raw, 'an assistant line without a message');
        return [...this.assistant(line.message, parent, str(line.message.id) ?? str(line.uuid)), ...(str(line.error) ? [this.thinking({ text: `API error: ${str(line.error)}`, warning: true })] : [])];
      case 'user':
        return isObject(line.message) ? this.user(line.message, (line.tool_use_result as Json | string | undefined) ?? undefined, parent) : this.unknown(raw, 'a user line without a message');
      case 'result':
        return this.result(line);
      case 'rate_limit_event': {
        const info = isObject(line.rate_limit_info) ? line.rate_limit_info : {};
        return info.status && info.status !== 'allowed' ? [this.thinking({ text: `Rate limited (${String(info.status)})${str(info.resetsAt) || typeof info.resetsAt === 'number' ? `; resets at ${String(info.resetsAt)}` : ''}.`, warning: true })] : this.skip();
      }
      // Partial-message and control lines; and lines of Claude Code's transcript format, if one is
      // piped here: known, nothing to show.
      case 'control_request':
        return this.controlRequest(line);
      case 'control_cancel_request':
        return str(line.request_id) ? [{ kind: 'requestWithdrawn', id: str(line.request_id)! }] : this.skip();
      case 'stream_event':
      case 'file-history-snapshot':
      case 'summary':
      case 'queue-operation':
      case 'control_response':
      case 'command_lifecycle':
        return this.skip();
      default:
        return this.unknown(raw, `a Claude Code line of type "${String(line.type)}"`);
    }
  }

  /**
   * With `--permission-prompt-tool stdio` Claude Code asks before it uses a tool
   * (`control_request` `can_use_tool`) and waits for the answer on stdin: the session waits for its
   * user. An AskUserQuestion call is a question (answered with a message). Other control requests
   * (hooks, MCP messages of SDK servers) are not ours to answer.
   */
  private controlRequest(line: Json): BridgeItem[] {
    const request = isObject(line.request) ? line.request : {};
    const id = str(line.request_id);
    if (request.subtype !== 'can_use_tool' || !id) return this.skip();
    const tool = str(request.tool_name) ?? 'a tool';
    const input = isObject(request.input) ? request.input : {};
    const call: ToolCall = { id: str(request.tool_use_id) ?? id, name: tool, input };
    const at = new Date().toISOString();
    if (tool === 'AskUserQuestion') {
      const questions = (Array.isArray(input.questions) ? input.questions.filter(isObject) : []).map((q) => str(q.question) ?? '').filter(Boolean);
      const title = headline(questions[0] ?? 'Claude Code asks a question', 300);
      const detail = questions.join('\n').slice(0, 8000);
      return [{ kind: 'request', request: { id, kind: 'question', tool, title, detail, at }, input, note: this.noteData({ text: `Claude Code asks: ${questions.join(' ') || title}`, kind: 'request', toolsUsed: [tool], requestId: id }) }];
    }
    const why = str(request.decision_reason) ?? str(request.description);
    const title = claudeRequestTitle(tool, input, this.cwd, call.id);
    // The whole input is shown and bound to the approval by the runner (agentSteering.ts).
    return [{ kind: 'request', request: { id, kind: 'approval', tool, title, at }, input, note: this.noteData({ text: `Claude Code asks to use ${title}${why ? ` (${why})` : ''}`, kind: 'request', toolsUsed: [tool], requestId: id, toolCallId: call.id }) }];
  }

  private result(line: Json): BridgeItem[] {
    const usage = isObject(line.usage) ? line.usage : undefined;
    if (usage) {
      // The result's totals are the run's own; they replace the per-response sums.
      this.stats.inputTokens = num(usage.input_tokens) + num(usage.cache_creation_input_tokens) + num(usage.cache_read_input_tokens);
      this.stats.outputTokens = num(usage.output_tokens);
    }
    const cost = typeof line.total_cost_usd === 'number' ? line.total_cost_usd : line.cost_usd;
    if (typeof cost === 'number') this.stats.costUsd = cost;
    if (typeof line.duration_ms === 'number') this.stats.durationMs = line.duration_ms;
    if (typeof line.num_turns === 'number') this.stats.iterations = line.num_turns;
    const failed = line.is_error === true || (str(line.subtype) ?? 'success') !== 'success';
    const errors = Array.isArray(line.errors) ? line.errors.map(String).join('; ') : '';
    const denials = Array.isArray(line.permission_denials) ? line.permission_denials.filter(isObject) : [];
    const denied = denials.length ? ` ${denials.length} tool call(s) were refused permission (${[...new Set(denials.map((d) => str(d.tool_name) ?? '?'))].join(', ')}).` : '';
    if (failed) {
      const message = `${str(line.result) || errors || `Claude Code ended with ${str(line.subtype) ?? 'an error'}`}${str(line.terminal_reason) ? ` (${str(line.terminal_reason)})` : ''}.${denied}`.replace(/\.\./g, '.');
      return [this.end('failed', message)];
    }
    return [this.end('completed', `${str(line.result) ?? this.lastText}${denied}`)];
  }

  protected naturalEnd(): { outcome: 'completed' | 'failed'; message: string } {
    return { outcome: 'failed', message: 'The Claude Code output ended without a result line (interrupted).' };
  }
}

/** A Claude Code session transcript (~/.claude/projects/<dir>/<session>.jsonl). */
export class ClaudeTranscriptMapper extends ClaudeMapper {
  readonly format = 'claude-transcript' as const;
  private firstAt: number | undefined;
  private lastAt: number | undefined;
  private started = false;

  protected map(line: Json, raw: string): BridgeItem[] {
    const at = Date.parse(str(line.timestamp) ?? '');
    if (Number.isFinite(at)) {
      this.firstAt ??= at;
      this.lastAt = at;
      this.stats.durationMs = this.lastAt - this.firstAt;
    }
    const items: BridgeItem[] = [];
    if (!this.started && (line.type === 'user' || line.type === 'assistant')) {
      this.started = true;
      this.cwd ??= str(line.cwd);
      items.push({ kind: 'start', reason: `Claude Code session ${str(line.sessionId) ?? ''}`.trim(), info: { agentSessionId: str(line.sessionId), cwd: str(line.cwd), version: str(line.version) } });
    }
    // Subagent (Task) work written inline: attributed to its chain instead of the main thread.
    const parent = line.isSidechain === true ? `sidechain:${str(line.parentUuid) ?? ''}` : undefined;
    switch (line.type) {
      case 'assistant': {
        if (!isObject(line.message)) return [...items, ...this.unknown(raw, 'an assistant line without a message')];
        if (line.isApiErrorMessage === true) return [...items, this.thinking({ text: `API error${str(line.error) ? ` (${str(line.error)})` : ''}: ${headline(resultText(line.message.content), 400)}`, warning: true })];
        const key = str(line.message.id) ? `${str(line.message.id)}:${str(line.requestId) ?? ''}` : str(line.uuid);
        return [...items, ...this.assistant(line.message, parent, key)];
      }
      case 'user':
        if (!isObject(line.message)) return [...items, ...this.unknown(raw, 'a user line without a message')];
        if (line.isMeta === true || line.isCompactSummary === true) return [...items, ...this.skip()];
        return [...items, ...this.user(line.message, (line.toolUseResult as Json | string | undefined) ?? undefined, parent)];
      case 'system':
        if (line.subtype === 'compact_boundary') return [...items, this.thinking({ text: 'The conversation was compacted to fit the context window.', kind: 'note' })];
        return [...items, ...this.skip()];
      // Known, nothing to show; 2.1.197 adds `attachment` (context the CLI attaches: skills,
      // deferred tools) and `last-prompt` (for resuming).
      case 'summary':
      case 'file-history-snapshot':
      case 'queue-operation':
      case 'progress':
      case 'attachment':
      case 'last-prompt':
        return [...items, ...this.skip()];
      default:
        return [...items, ...this.unknown(raw, `a transcript line of type "${String(line.type)}"`)];
    }
  }

  protected naturalEnd(): { outcome: 'completed' | 'failed'; message: string } {
    return { outcome: 'completed', message: this.lastText || 'The transcript ends here.' };
  }
}

/** How a permission request for `tool` reads ("Bash: npm test", "Edit src/a.ts"), from its stream, transcript or hook. */
export function claudeRequestTitle(tool: string, input: Json, cwd: string | undefined, id = ''): string {
  const what = COMMAND_TOOLS.has(tool) ? `${tool}: ${str(input.command) ?? ''}` : FILE_TOOLS.has(tool) ? `${tool} ${relativeTo(cwd, str(input.file_path) ?? str(input.notebook_path) ?? '')}` : describeCall({ id, name: tool, input }, cwd);
  return headline(what, 300);
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.filter(isObject).map((b) => (b.type === 'text' ? (str(b.text) ?? '') : `[${String(b.type)}]`)).join('\n');
  return '';
}

/** "Read src/a.ts", "Grep 'todo' in src", "TodoWrite: 3 items" … for the tools shown when called. */
function describeCall(call: ToolCall, cwd: string | undefined): string {
  const i = call.input;
  const file = str(i.file_path) ?? str(i.path) ?? str(i.notebook_path);
  switch (call.name) {
    case 'TodoWrite':
      return (Array.isArray(i.todos) ? i.todos.filter(isObject) : []).map((t) => `${t.status === 'completed' ? '☑' : t.status === 'in_progress' ? '◐' : '☐'} ${str(t.content) ?? ''}`).join('\n') || 'TodoWrite';
    case 'Task':
    case 'Agent':
      return `Subagent${str(i.subagent_type) ? ` (${str(i.subagent_type)})` : ''}: ${str(i.description) ?? headline(str(i.prompt) ?? '', 200)}`;
    case 'Grep':
      return `Grep ${JSON.stringify(str(i.pattern) ?? '')}${file ? ` in ${relativeTo(cwd, file)}` : ''}`;
    case 'Glob':
      return `Glob ${str(i.pattern) ?? ''}`;
    case 'WebSearch':
      return `Searched the web: ${str(i.query) ?? ''}`;
    case 'WebFetch':
      return `Fetched ${str(i.url) ?? ''}`;
    default:
      return file ? `${call.name} ${relativeTo(cwd, file)}` : `${call.name}(${headline(JSON.stringify(i), 200)})`;
  }
}
