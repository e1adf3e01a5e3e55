// Claude Code: its stream-json output (`claude -p --output-format stream-json --verbose`) and its
// transcripts (~/.claude/projects/<project>/<session>.jsonl).
import path from 'node:path';
import { defineAgent } from '../agent';
import { ClaudeStreamMapper, ClaudeTranscriptMapper } from '../claude';

export const claude = defineAgent({
  kind: 'claude',
  label: 'Claude Code',
  productName: 'Claude Code',
  icon: 'sparkle',
  command: 'claude',
  npmPackage: '@anthropic-ai/claude-code',
  testedVersions: ['2.1.197'],
  versionFrom: 'output',
  formats: [
    {
      name: 'claude-transcript',
      kind: 'file',
      detectRank: 40,
      detect: (json, type) => 'parentUuid' in json || 'isSidechain' in json || type === 'summary' || type === 'file-history-snapshot' || type === 'queue-operation',
      createMapper: (o) => new ClaudeTranscriptMapper(o),
    },
    {
      name: 'claude',
      kind: 'stream',
      detectRank: 50,
      detect: (json, type) =>
        type === 'control_request' || type === 'control_response' || (type === 'system' && 'subtype' in json) || ((type === 'assistant' || type === 'user' || type === 'result') && ('session_id' in json || 'parent_tool_use_id' in json || 'subtype' in json)),
      createMapper: (o) => new ClaudeStreamMapper(o),
    },
  ],
  runFormat: 'claude',
  sessionFiles: {
    format: 'claude-transcript',
    dir: (home) => path.join(home, '.claude', 'projects'),
    isSessionFile: (name) => name.endsWith('.jsonl'),
  },
  run: {
    outputAdvice: (args) => (/stream-json/.test(args) ? undefined : 'claude prints plain text without --output-format stream-json --verbose; add them (with -p).'),
    noInputReason: 'Claude Code takes messages while it runs only when started with --input-format stream-json (session-stream run -- claude -p --input-format stream-json --output-format stream-json --verbose "…")',
    commandFor: (task) => ['claude', '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', task],
  },
});
