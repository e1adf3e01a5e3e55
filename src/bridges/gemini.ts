// Gemini CLI `gemini --output-format stream-json` (init, message, tool_use, tool_result, error,
// result; every line has a timestamp). Assistant text arrives in `delta` pieces, joined here until
// the next non-message line. Shapes: packages/core/src/output/types.ts of gemini-cli; mapping
// table: docs/agent-bridges.md.
import { BaseMapper, isObject, num, str, type Json } from './base';
import { diffOfStrings, headline, relativeTo } from './text';
import type { BridgeItem } from './types';

interface ToolCall {
  id: string;
  name: string;
  params: Json;
}

const SHELL = 'run_shell_command';
const FILE_TOOLS = new Set(['write_file', 'replace', 'edit']);

export class GeminiMapper extends BaseMapper {
  readonly format = 'gemini' as const;
  private readonly calls = new Map<string, ToolCall>();
  private text = '';
  private answer = '';
  private fatal = '';
  private readonly cwd: string | undefined;

  constructor(options: { cwd?: string } = {}) {
    super();
    this.cwd = options.cwd;
  }

  protected map(line: Json, raw: string): BridgeItem[] {
    if (line.type === 'message' && line.role === 'assistant') {
      this.text += str(line.content) ?? '';
      return [];
    }
    const items = this.flushText();
    switch (line.type) {
      case 'init': {
        const model = str(line.model);
        items.push({ kind: 'start', reason: `Gemini CLI started${model ? ` (${model})` : ''}`, info: { agentSessionId: str(line.session_id), model, cwd: this.cwd } });
        break;
      }
      case 'message':
        if (str(line.content)?.trim()) items.push(this.thinking({ text: str(line.content)!.trimEnd(), kind: 'prompt' }));
        break;
      case 'tool_use': {
        const call: ToolCall = { id: str(line.tool_id) ?? '', name: str(line.tool_name) ?? 'tool', params: isObject(line.parameters) ? line.parameters : {} };
        this.calls.set(call.id, call);
        this.stats.toolCalls++;
        this.answer = '';
        if (call.name !== SHELL && !FILE_TOOLS.has(call.name)) items.push(this.thinking({ text: this.describe(call), toolsUsed: [call.name], toolCallId: call.id }));
        break;
      }
      case 'tool_result':
        items.push(...this.toolResult(line));
        break;
      case 'error': {
        const message = str(line.message) ?? 'error';
        if (line.severity === 'error') this.fatal = message;
        items.push(this.thinking({ text: message, warning: true }));
        break;
      }
      case 'result':
        items.push(...this.result(line));
        break;
      default:
        items.push(...this.unknown(raw, `a Gemini CLI line of type "${String(line.type)}"`));
    }
    return items;
  }

  private toolResult(line: Json): BridgeItem[] {
    const call = this.calls.get(str(line.tool_id) ?? '');
    if (call) this.calls.delete(call.id);
    const ok = line.status !== 'error';
    const error = isObject(line.error) ? `${str(line.error.message) ?? 'failed'}${str(line.error.type) ? ` (${str(line.error.type)})` : ''}` : '';
    const name = call?.name ?? 'tool';
    if (call && name === SHELL) {
      return [this.event('terminal', { command: str(call.params.command) ?? SHELL, output: str(line.output) ?? '', error, status: ok ? 'completed' : 'failed', ...(str(call.params.description) ? { description: str(call.params.description) } : {}), toolCallId: call.id })];
    }
    if (call && FILE_TOOLS.has(name)) {
      const file = relativeTo(this.cwd, str(call.params.file_path) ?? str(call.params.absolute_path) ?? '(unknown file)');
      if (!ok) return [this.thinking({ text: `${name} of ${file} failed: ${error}`, toolsUsed: [name], toolCallId: call.id, warning: true })];
      const diff = name === 'write_file' ? undefined : diffOfStrings(file, str(call.params.old_string) ?? '', str(call.params.new_string) ?? '');
      return [this.event('file_change', { path: file, action: 'write', ...(diff ?? {}), tool: name, toolCallId: call.id })];
    }
    return ok ? [] : [this.thinking({ text: `${name} failed: ${error}`, toolsUsed: [name], toolCallId: call?.id, warning: true })];
  }

  private result(line: Json): BridgeItem[] {
    const stats = isObject(line.stats) ? line.stats : {};
    // input_tokens is every input token (the newer `input` is the uncached part of it).
    this.stats.inputTokens = num(stats.input_tokens);
    this.stats.outputTokens = num(stats.output_tokens);
    if (typeof stats.tool_calls === 'number') this.stats.toolCalls = stats.tool_calls;
    if (typeof stats.duration_ms === 'number') this.stats.durationMs = stats.duration_ms;
    // The init line names what was asked for (often an alias such as "auto"); the models that
    // answered are in the result's stats.
    const models = isObject(stats.models) ? Object.keys(stats.models) : [];
    const info: BridgeItem[] = models.length > 0 ? [{ kind: 'info', info: { model: models.join(', ') } }] : [];
    if (line.status === 'error') {
      const message = (isObject(line.error) ? str(line.error.message) : undefined) ?? (this.fatal || 'Gemini CLI ended with an error.');
      return [...info, this.end('failed', message)];
    }
    return [...info, this.end('completed', this.answer.trim() || 'Gemini CLI finished.')];
  }

  private flushText(): BridgeItem[] {
    if (!this.text.trim()) return [];
    const text = this.text;
    this.text = '';
    this.stats.iterations++;
    this.answer += text;
    return [this.thinking({ text: text.trimEnd(), kind: 'message' })];
  }

  private describe(call: ToolCall): string {
    const p = call.params;
    const file = str(p.absolute_path) ?? str(p.file_path) ?? str(p.path) ?? str(p.dir_path);
    if (call.name === 'google_web_search') return `Searched the web: ${str(p.query) ?? ''}`;
    return file ? `${call.name} ${relativeTo(this.cwd, file)}` : `${call.name}(${headline(JSON.stringify(p), 200)})`;
  }

  protected override close(): BridgeItem[] {
    const items = this.flushText();
    for (const call of this.calls.values()) if (call.name === SHELL) items.push(this.event('terminal', { command: str(call.params.command) ?? SHELL, output: '', error: '', status: 'interrupted', toolCallId: call.id }));
    this.calls.clear();
    return items;
  }

  protected naturalEnd(): { outcome: 'completed' | 'failed'; message: string } {
    return { outcome: 'failed', message: this.fatal || 'The Gemini CLI output ended without a result line (interrupted).' };
  }
}
