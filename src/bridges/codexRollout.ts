// Codex session files (~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl): `session_meta`, then
// `response_item` (the model's messages, reasoning, function calls and their outputs), `event_msg`
// (user and agent messages, reasoning summaries, token counts) and `turn_context` lines, each with
// a timestamp. The same reasoning and messages appear as both kinds; `event_msg` is taken and the
// `response_item` copy skipped. Since 0.17x (seen in 0.171) `event_msg` `item_completed` carries
// each finished item — UserMessage, Reasoning, AgentMessage, CommandExecution (with its output and
// exit code), FileChange (with the diffs) — and commands are `exec_command` calls whose output is
// plain text ("Process exited with code 3"); new line types (`world_state`, `token_usage_record`)
// are known and skipped. Mapping table: docs/agent-bridges.md.
import { BaseMapper, isObject, num, str, type Json } from './base';
import { countDiff, diffOfStrings, headline, relativeTo, unwrapShell } from './text';
import type { BridgeItem } from './types';

const PATCH_FILE = /^\*\*\* (Add|Update|Delete) File: (.+)$/gm;
const PATCH_ACTIONS: Record<string, string> = { Add: 'create', Update: 'write', Delete: 'delete' };

export class CodexRolloutMapper extends BaseMapper {
  readonly format = 'codex-rollout' as const;
  private readonly calls = new Map<string, { name: string; args: Json }>();
  private cwd: string | undefined;
  private lastMessage = '';
  private firstAt: number | undefined;
  /** Calls whose outcome an item_completed already showed: their output lines add nothing. */
  private readonly shown = new Set<string>();
  /** The last reasoning and message shown (one text may come as an item and as an event_msg). */
  private lastShown = '';

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
      case 'world_state':
      case 'token_usage_record':
        return this.skip();
      default:
        return this.unknown(raw, `a Codex session line of type "${String(line.type)}"`);
    }
  }

  private eventMsg(p: Json, raw: string): BridgeItem[] {
    switch (p.type) {
      case 'user_message':
        return this.text(str(p.message), 'prompt');
      case 'agent_message':
        this.lastMessage = str(p.message) ?? '';
        return this.text(this.lastMessage, 'message');
      case 'agent_reasoning':
        return this.text(str(p.text), 'reasoning');
      case 'item_completed':
        return isObject(p.item) ? this.item(p.item, raw) : this.unknown(raw, 'an item_completed without an item');
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
        if (name === 'shell' || name === 'apply_patch' || name === 'exec_command') return [];
        return [this.thinking({ text: `${name}(${headline(JSON.stringify(args), 200)})`, toolsUsed: [name], toolCallId: id })];
      }
      case 'function_call_output':
      case 'custom_tool_call_output':
        return this.output(p);
      default:
        return typeof p.type === 'string' ? this.skip() : this.unknown(raw, 'a response_item without a type');
    }
  }

  /** A reasoning, message or prompt text, once (its item and its event_msg carry the same). */
  private text(text: string | undefined, kind: 'prompt' | 'message' | 'reasoning'): BridgeItem[] {
    if (!text?.trim() || text === this.lastShown) return [];
    this.lastShown = text;
    return [this.thinking({ text, kind })];
  }

  /** One finished item of an `item_completed` event (0.17x). */
  private item(item: Json, raw: string): BridgeItem[] {
    const id = str(item.id) ?? '';
    const texts = (v: unknown) => (Array.isArray(v) ? v.map((c) => (isObject(c) ? (str(c.text) ?? '') : String(c))).join('') : '');
    switch (item.type) {
      case 'UserMessage':
        return this.text(texts(item.content), 'prompt');
      case 'Reasoning':
        return this.text(texts(item.summary_text), 'reasoning');
      case 'AgentMessage': {
        const text = texts(item.content);
        if (text) this.lastMessage = text;
        return this.text(text, 'message');
      }
      case 'CommandExecution': {
        this.shown.add(id);
        const parsed = Array.isArray(item.parsed_cmd) && isObject(item.parsed_cmd[0]) ? str(item.parsed_cmd[0].cmd) : undefined;
        const exitCode = typeof item.exit_code === 'number' ? item.exit_code : undefined;
        const status = item.status === 'completed' && exitCode !== undefined && exitCode !== 0 ? 'failed' : (str(item.status) ?? 'completed');
        return [this.event('terminal', { command: item.parsed_cmd && Array.isArray(item.parsed_cmd) && item.parsed_cmd.length === 1 && parsed ? parsed : unwrapShell(item.command), output: str(item.aggregated_output) ?? '', error: '', ...(exitCode !== undefined ? { exitCode } : {}), status, toolCallId: id })];
      }
      case 'FileChange': {
        this.shown.add(id);
        const changes = isObject(item.changes) ? Object.entries(item.changes) : [];
        const failed = item.status !== undefined && item.status !== 'completed';
        const files = changes.map(([file, change]) => {
          const c = isObject(change) ? change : {};
          const action = c.type === 'add' ? 'create' : c.type === 'delete' ? 'delete' : 'write';
          const path = relativeTo(this.cwd, file);
          const diff = str(c.unified_diff) ?? (action === 'create' && str(c.content) !== undefined ? diffOfStrings(path, '', str(c.content)!).diff : undefined);
          return { path, action, ...(diff ? { diff, ...countDiff(diff) } : {}) };
        });
        if (files.length === 1) return [this.event('file_change', { ...files[0], ...(failed ? { status: 'failed' } : {}), toolCallId: id })];
        // Several files: one event each, so every change keeps its diff.
        return files.map((f) => this.event('file_change', { ...f, ...(failed ? { status: 'failed' } : {}), toolCallId: id }));
      }
      default:
        return typeof item.type === 'string' ? [this.thinking({ text: `${item.type}${str(item.name) ? ` ${str(item.name)}` : ''}`, toolsUsed: [String(item.type)], toolCallId: id })] : this.unknown(raw, 'an item without a type');
    }
  }

  private output(p: Json): BridgeItem[] {
    const id = str(p.call_id) ?? '';
    const call = this.calls.get(id);
    this.calls.delete(id);
    if (this.shown.delete(id)) return [];
    let output = str(p.output) ?? '';
    let exitCode: number | undefined;
    try {
      const parsed: unknown = JSON.parse(output);
      if (isObject(parsed)) {
        output = str(parsed.output) ?? output;
        if (isObject(parsed.metadata) && typeof parsed.metadata.exit_code === 'number') exitCode = parsed.metadata.exit_code;
      }
    } catch {
      // Plain text (0.17x): "…Process exited with code 3…Output:\n<output>", or "Exit code: 0…Output:\n…".
      const code = /(?:Process exited with code|Exit code:)\s*(-?\d+)/.exec(output);
      if (code) exitCode = Number(code[1]);
      const body = /\nOutput:\n([\s\S]*)$/.exec(output);
      if (body) output = body[1]!;
    }
    if (call?.name === 'exec_command') return [this.event('terminal', { command: str(call.args.cmd) ?? unwrapShell(call.args.command), output, error: '', ...(exitCode !== undefined ? { exitCode, status: exitCode === 0 ? 'completed' : 'failed' } : { status: 'completed' }), toolCallId: id })];
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
