// OpenAI Codex CLI `codex exec --json` (JSONL; one object per line, `type` the discriminator), and
// its older shapes: `--experimental-json` (`session.created`, `item_type`, `assistant_message`).
// Shapes: codex-rs/exec/src/exec_events.rs; mapping table: docs/agent-bridges.md.
import { BaseMapper, isObject, num, str, type Json } from './base';
import { countDiff, headline, relativeTo, unwrapShell } from './text';
import type { BridgeItem } from './types';

const ACTIONS: Record<string, string> = { add: 'create', update: 'write', delete: 'delete' };

export class CodexMapper extends BaseMapper {
  readonly format = 'codex' as const;
  private readonly open = new Map<string, Json>();
  private cwd: string | undefined;
  private lastMessage = '';
  private turnCompleted = false;
  private lastError = '';
  private lastPlan = '';

  constructor(options: { cwd?: string } = {}) {
    super();
    this.cwd = options.cwd;
  }

  protected map(line: Json, raw: string): BridgeItem[] {
    const type = str(line.type);
    switch (type) {
      case 'thread.started':
      case 'session.created': {
        const id = str(line.thread_id) ?? str(line.session_id);
        return [{ kind: 'start', reason: `Codex started thread ${id ?? '(no id)'}`, info: { agentSessionId: id, cwd: this.cwd } }];
      }
      case 'turn.started':
        this.stats.iterations++;
        this.turnCompleted = false;
        return [];
      case 'turn.completed': {
        const usage = isObject(line.usage) ? line.usage : {};
        // input_tokens already counts the cached ones (cached_input_tokens is a part of it).
        this.stats.inputTokens += num(usage.input_tokens);
        this.stats.outputTokens += num(usage.output_tokens);
        this.turnCompleted = true;
        return [];
      }
      case 'turn.failed': {
        const message = str(isObject(line.error) ? line.error.message : undefined) ?? 'The turn failed.';
        return [this.end('failed', message)];
      }
      case 'error': {
        // Also used for retry notices ("Reconnecting... 2/5"): not fatal by itself.
        this.lastError = str(line.message) ?? 'error';
        return [this.thinking({ text: this.lastError, warning: true })];
      }
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        return isObject(line.item) ? this.item(type, normalizeItem(line.item), raw) : this.unknown(raw, `a ${type} line without an item`);
      case 'item.plan.delta':
        return this.skip();
      default:
        return this.unknown(raw, `a Codex line of type "${type ?? '(none)'}"`);
    }
  }

  private item(phase: string, item: Json, raw: string): BridgeItem[] {
    const id = str(item.id) ?? '';
    const type = str(item.type);
    switch (type) {
      case 'command_execution':
        if (phase !== 'item.completed') {
          this.open.set(id, item);
          return [];
        }
        this.open.delete(id);
        this.stats.toolCalls++;
        return [this.terminal(item)];
      case 'agent_message':
        if (phase !== 'item.completed') return [];
        this.lastMessage = str(item.text) ?? '';
        return [this.thinking({ text: this.lastMessage, kind: 'message' })];
      case 'reasoning':
        return phase === 'item.completed' && str(item.text) ? [this.thinking({ text: str(item.text), kind: 'reasoning' })] : [];
      case 'file_change':
        return phase === 'item.completed' ? this.fileChange(item) : [];
      case 'mcp_tool_call':
      case 'web_search':
      case 'collab_tool_call':
        if (phase !== 'item.completed') return [];
        this.stats.toolCalls++;
        return [this.toolCall(type, item)];
      case 'todo_list': {
        const plan = (Array.isArray(item.items) ? item.items : []).filter(isObject).map((t) => `${t.completed ? '☑' : '☐'} ${str(t.text) ?? ''}`).join('\n');
        if (!plan || plan === this.lastPlan) return [];
        this.lastPlan = plan;
        return [this.thinking({ text: plan, kind: 'plan', toolsUsed: ['todo_list'] })];
      }
      case 'plan':
        return phase === 'item.completed' ? [this.thinking({ text: str(item.text) ?? '', kind: 'plan' })] : [];
      case 'error':
        // An error item is a warning (config, deprecation, model reroute); the run goes on.
        return [this.thinking({ text: str(item.message) ?? 'warning', warning: true })];
      default:
        return this.unknown(raw, `a Codex item of type "${type ?? '(none)'}"`);
    }
  }

  private terminal(item: Json): BridgeItem {
    const exit = item.exit_code;
    return this.event('terminal', {
      command: unwrapShell(item.command),
      output: str(item.aggregated_output) ?? '',
      error: '',
      ...(typeof exit === 'number' ? { exitCode: exit } : {}),
      status: str(item.status) ?? (typeof exit === 'number' ? (exit === 0 ? 'completed' : 'failed') : 'completed'),
      toolCallId: str(item.id),
    });
  }

  private fileChange(item: Json): BridgeItem[] {
    this.stats.toolCalls++;
    const failed = item.status === 'failed';
    const files = (Array.isArray(item.changes) ? item.changes : []).filter(isObject).map((c) => {
      const diff = str(c.diff);
      return {
        path: relativeTo(this.cwd, str(c.path) ?? '(unknown path)'),
        action: ACTIONS[str(c.kind) ?? ''] ?? 'write',
        ...(diff ? { diff, ...countDiff(diff) } : {}),
      };
    });
    if (files.length === 0) return [];
    const extra = { ...(failed ? { status: 'failed' } : {}), toolCallId: str(item.id) };
    return files.length === 1 ? [this.event('file_change', { ...files[0], ...extra })] : [this.event('files_changed', { files, ...extra })];
  }

  private toolCall(type: string, item: Json): BridgeItem {
    const error = isObject(item.error) ? str(item.error.message) : undefined;
    if (type === 'web_search') return this.thinking({ text: `Searched the web: ${str(item.query) ?? ''}`, toolsUsed: ['web_search'], toolCallId: str(item.id) });
    const name = type === 'mcp_tool_call' ? `${str(item.server) ?? 'mcp'}.${str(item.tool) ?? 'tool'}` : str(item.tool) ?? type;
    const args = item.arguments === undefined ? '' : headline(JSON.stringify(item.arguments), 200);
    return this.thinking({ text: `${name}(${args})${error ? ` failed: ${error}` : ''}`, toolsUsed: [name], toolCallId: str(item.id), ...(error ? { warning: true } : {}) });
  }

  protected override close(): BridgeItem[] {
    // Commands still running when the output ended: shown as such, with what they printed.
    const items = [...this.open.values()].map((item) => this.event('terminal', { command: unwrapShell(item.command), output: str(item.aggregated_output) ?? '', error: '', status: 'interrupted', toolCallId: str(item.id) }));
    this.open.clear();
    return items;
  }

  protected naturalEnd(): { outcome: 'completed' | 'failed'; message: string } {
    if (this.turnCompleted) return { outcome: 'completed', message: this.lastMessage || 'Codex finished the turn.' };
    return { outcome: 'failed', message: this.lastError || 'The Codex output ended before the turn did (interrupted).' };
  }
}

/** Older field names to the current ones: `item_type` → `type`, `assistant_message` → `agent_message`. */
function normalizeItem(item: Json): Json {
  const type = str(item.type) ?? str(item.item_type);
  return { ...item, type: type === 'assistant_message' ? 'agent_message' : type };
}
