// Claude Code: its stream-json output (`claude -p --output-format stream-json --verbose`) and its
// transcripts (~/.claude/projects/<project>/<session>.jsonl).
import path from 'node:path';
import { defineAgent } from '../agent';
import { claudeRequestTitle, ClaudeStreamMapper, ClaudeTranscriptMapper } from '../claude';

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
  // Claude Code's settings files: ~/.claude (or CLAUDE_CONFIG_DIR)/settings.json; a project's
  // .claude/settings.local.json (the one not meant to be committed: the hook's path is this machine's).
  hooks: {
    configFile: (scope, p) => (scope === 'user' ? path.join(claudeDir(p), 'settings.json') : path.join(p.cwd, '.claude', 'settings.local.json')),
    sessionsDir: (p) => path.join(claudeDir(p), 'projects'),
    // Every hook is waited for: Claude Code's background ("async") hooks did not get their input
    // closed in 2.1.197 (ours waited on it until the agent exited, and the event was lost).
    events: [
      { name: 'SessionStart' },
      { name: 'UserPromptSubmit' },
      { name: 'PreToolUse', matcher: '*' },
      { name: 'PermissionRequest', matcher: '*', ask: true },
      { name: 'Stop' },
      { name: 'SessionEnd' },
    ],
    timeoutUnit: 's',
    endEvent: 'SessionEnd',
    // The terminal's own dialog is shown while our hook waits: an answer there shows as the call's
    // result in the transcript, the next call announced, or the turn's end. (No PostToolUse hook:
    // the transcript has every result, and each hook call costs the agent a few milliseconds.)
    settledBy: { turn: ['Stop', 'UserPromptSubmit', 'SessionEnd'] },
    callEvent: 'PreToolUse',
    answer: (a) => ({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: a.allow ? { behavior: 'allow' } : { behavior: 'deny', message: a.message ?? 'Denied.', ...(a.interrupt ? { interrupt: true } : {}) } } }),
    stop: (reason) => ({ '*': { continue: false, stopReason: reason } }),
    requestTitle: (tool, input, cwd) => claudeRequestTitle(tool, input, cwd),
    can: {
      approve: true,
      stop: true,
      message: 'Claude Code started in a terminal takes messages only there; type it in its terminal (or start it with session-stream run to message it from here)',
      pause: 'Claude Code started in a terminal cannot be paused from here; stop it, or answer it in its terminal',
    },
  },
});

function claudeDir(p: { home: string; env: Readonly<Record<string, string | undefined>> }): string {
  return p.env.CLAUDE_CONFIG_DIR || path.join(p.home, '.claude');
}
