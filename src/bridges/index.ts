// The bridges' entry: a mapper for a format, and the format of an output when it was not given
// (from its first JSON lines).
import { isObject, str, UnknownFormatMapper } from './base';
import { ClaudeStreamMapper, ClaudeTranscriptMapper } from './claude';
import { CodexMapper } from './codex';
import { CodexRolloutMapper } from './codexRollout';
import { GeminiMapper } from './gemini';
import { GeminiSessionMapper } from './geminiSession';
import { AGENT_FORMATS, type AgentFormat, type AgentMapper } from './types';

export * from './types';

export function createMapper(format: AgentFormat | undefined, options: { cwd?: string } = {}): AgentMapper {
  switch (format) {
    case undefined:
      return new UnknownFormatMapper();
    case 'codex':
      return new CodexMapper(options);
    case 'claude':
      return new ClaudeStreamMapper(options);
    case 'claude-transcript':
      return new ClaudeTranscriptMapper(options);
    case 'gemini':
      return new GeminiMapper(options);
    case 'codex-rollout':
      return new CodexRolloutMapper();
    case 'gemini-session':
      return new GeminiSessionMapper(options);
  }
}

export function isAgentFormat(value: string): value is AgentFormat {
  return (AGENT_FORMATS as readonly string[]).includes(value);
}

/** The format one line shows, or undefined when it does not tell (not JSON, or shared by several). */
export function detectFormat(line: string): AgentFormat | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(json)) return undefined;
  const type = str(json.type) ?? '';
  if (/^(thread|turn|item)\./.test(type) || type === 'session.created') return 'codex';
  if (typeof json.sessionId === 'string' && 'projectHash' in json) return 'gemini-session';
  if (type === 'session_meta' || type === 'response_item' || type === 'event_msg' || type === 'turn_context') return 'codex-rollout';
  if ('parentUuid' in json || 'isSidechain' in json || type === 'summary' || type === 'file-history-snapshot' || type === 'queue-operation') return 'claude-transcript';
  if (type === 'control_request' || type === 'control_response' || (type === 'system' && 'subtype' in json) || ((type === 'assistant' || type === 'user' || type === 'result') && ('session_id' in json || 'parent_tool_use_id' in json || 'subtype' in json))) return 'claude';
  if (type === 'init' || type === 'tool_use' || type === 'tool_result' || (type === 'message' && 'role' in json) || (type === 'result' && 'stats' in json)) return 'gemini';
  return undefined;
}
