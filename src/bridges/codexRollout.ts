// Codex session files (~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl): `session_meta`, then
// `response_item` (the model's messages, reasoning, function calls and their outputs), `event_msg`
// (user and agent messages, reasoning summaries, token counts) and `turn_context` lines, each with
// a timestamp. The same reasoning and messages appear as both kinds; `event_msg` is taken and the
// `response_item` copy skipped. Mapping table: docs/agent-bridges.md.
import { BaseMapper, isObject, num, str, type Json } from './base';
import { headline, relativeTo, unwrapShell } from './text';
import type { BridgeItem } from './types';

const PATCH_FILE = /^\*\*\* (Add|Update|Delete) File: (.+)$/gm;
const PATCH_ACTIONS: Record<string, string> = { Add: 'create', Update: 'write', Delete: 'delete' };

export class CodexRolloutMapper extends BaseMapper {
  readonly format = 'codex-rollout' as const;
  private readonly calls = new Map<string, { name: string; args: Json }>();
  private cwd: string | undefined;
  private lastMessage = '';
  private firstAt: number | undefined;

  protected map(line: Json, raw: string): BridgeItem[] {
    const at = Date.parse(str(line.timestamp) ?? '');
    if (Number.isFinite(at)) {
      this.firstAt ??= at;
      this.stats.durationMs = at - this.firstAt;
    }
    const p = isObject(line.payload) ? line.payload : {};
    switch (line.type) {
      case 'session_meta':
        this.cwd ??= str(p.cwd);
        return [{ kind: 'start', reason: `Codex session ${str(p.id) ?? ''}`.trim(), info: { agentSessionId: str(p.id), cwd: str(p.cwd), version: str(p.cli_version) } }];
      case 'turn_context':
        this.stats.iterations++;
        return [];
      case 'event_msg':
        return this.eventMsg(p, raw);
      case 'response_item':
        return this.responseItem(p, raw);
      default:
        return this.unknown(raw, `a Codex session line of type "${String(line.type)}"`);
    }
  }

  private eventMsg(p: Json, raw: string): BridgeItem[] {
    switch (p.type) {
      case 'user_message':
        return str(p.message)?.trim() ? [this.thinking({ text: str(p.message), kind: 'prompt' })] : [];
      case 'agent_message':
        this.lastMessage = str(p.message) ?? '';
        return [this.thinking({ text: this.lastMessage, kind: 'message' })];
      case 'agent_reasoning':
        return str(p.text)?.trim() ? [this.thinking({ text: str(p.text), kind: 'reasoning' })] : [];
      case 'token_count': {
        const total = isObject(p.info) && isObject(p.info.total_token_usage) ? p.info.total_token_usage : undefined;
        // A running total for the whole session: taken as it is, never added up.
        if (total) {
          this.stats.inputTokens = num(total.input_tokens);
          this.stats.outputTokens = num(total.output_tokens);
        }
        return [];
      }
      case 'turn_aborted':
        return [this.thinking({ text: `The turn was aborted${str(p.reason) ? ` (${str(p.reason)})` : ''}.`, warning: true })];
      case 'error':
        return [this.thinking({ text: str(p.message) ?? 'error', warning: true })];
      default:
        return typeof p.type === 'string' ? this.skip() : this.unknown(raw, 'an event_msg without a type');
    }
  }

  private responseItem(p: Json, raw: string): BridgeItem[] {
    switch (p.type) {
      case 'message':
      case 'reasoning':
        return this.skip(); // the event_msg copy is shown
      case 'function_call':
      case 'custom_tool_call': {
        const id = str(p.call_id) ?? '';
        const name = str(p.name) ?? 'tool';
        let args: Json = {};
        try {
          const parsed: unknown = typeof p.arguments === 'string' ? JSON.parse(p.arguments) : (p.input ?? {});
          args = isObject(parsed) ? parsed : { input: parsed };
        } catch {
          args = { input: p.arguments ?? p.input };
        }
        this.stats.toolCalls++;
        this.calls.set(id, { name, args });
        if (name === 'shell' || name === 'apply_patch') return [];
        return [this.thinking({ text: `${name}(${headline(JSON.stringify(args), 200)})`, toolsUsed: [name], toolCallId: id })];
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
        return this.output(p);
      default:
        return typeof p.type === 'string' ? this.skip() : this.unknown(raw, 'a response_item without a type');
    }
  }

  private output(p: Json): BridgeItem[] {
    const id = str(p.call_id) ?? '';
    const call = this.calls.get(id);
    this.calls.delete(id);
    let output = str(p.output) ?? '';
    let exitCode: number | undefined;
    try {
      const parsed: unknown = JSON.parse(output);
      if (isObject(parsed)) {
        output = str(parsed.output) ?? output;
        if (isObject(parsed.metadata) && typeof parsed.metadata.exit_code === 'number') exitCode = parsed.metadata.exit_code;
      }
    } catch {
      // plain text output
    }
    if (call?.name === 'shell') return [this.event('terminal', { command: unwrapShell(call.args.command), output, error: '', ...(exitCode !== undefined ? { exitCode, status: exitCode === 0 ? 'completed' : 'failed' } : { status: 'completed' }), toolCallId: id })];
    if (call?.name === 'apply_patch') {
      const patch = str(call.args.input) ?? str(call.args.patch) ?? '';
      const files = [...patch.matchAll(PATCH_FILE)].map((m) => ({ path: relativeTo(this.cwd, m[2]!.trim()), action: PATCH_ACTIONS[m[1]!] ?? 'write' }));
      const failed = exitCode !== undefined && exitCode !== 0;
      if (files.length === 1) return [this.event('file_change', { ...files[0], ...(failed ? { status: 'failed' } : {}), toolCallId: id })];
      if (files.length > 1) return [this.event('files_changed', { files, ...(failed ? { status: 'failed' } : {}), toolCallId: id })];
    }
    return [];
  }

  protected naturalEnd(): { outcome: 'completed' | 'failed'; message: string } {
    return { outcome: 'completed', message: this.lastMessage || 'The Codex session file ends here.' };
  }
}
