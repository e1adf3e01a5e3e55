// Gemini CLI: its stream-json output (`gemini -p … --output-format stream-json`) and its session
// files (~/.gemini/tmp/<project>/chats/session-*.jsonl, the project's folder in <project>/.project_root).
import path from 'node:path';
import { defineAgent } from '../agent';
import { GeminiMapper } from '../gemini';
import { GeminiSessionMapper } from '../geminiSession';

export const gemini = defineAgent({
  kind: 'gemini',
  label: 'Gemini CLI',
  productName: 'Gemini CLI',
  icon: 'star-empty',
  command: 'gemini',
  npmPackage: '@google/gemini-cli',
  testedVersions: ['0.61.0'],
  versionFrom: 'package',
  formats: [
    {
      name: 'gemini-session',
      kind: 'file',
      detectRank: 20,
      detect: (json) => typeof json.sessionId === 'string' && 'projectHash' in json,
      createMapper: (o) => new GeminiSessionMapper(o),
    },
    {
      name: 'gemini',
      kind: 'stream',
      detectRank: 60,
      detect: (json, type) => type === 'init' || type === 'tool_use' || type === 'tool_result' || (type === 'message' && 'role' in json) || (type === 'result' && 'stats' in json),
      createMapper: (o) => new GeminiMapper(o),
    },
  ],
  runFormat: 'gemini',
  sessionFiles: {
    format: 'gemini-session',
    dir: (home) => path.join(home, '.gemini', 'tmp'),
    isSessionFile: (name, parent) => name.endsWith('.jsonl') && name.startsWith('session-') && parent === 'chats',
    projectRootFile: (sessionFile) => path.join(path.dirname(path.dirname(sessionFile)), '.project_root'),
    shown: (home) => `${path.join(home, '.gemini', 'tmp')}/*/chats`,
  },
  run: {
    outputAdvice: (args) => (/stream-json/.test(args) ? undefined : 'gemini prints plain text without --output-format stream-json; add it.'),
    noInputReason: 'Gemini CLI takes no input while it runs (non-interactive mode); stop it and start it again with the new instructions',
    commandFor: (task) => ['gemini', '-p', task, '--output-format', 'stream-json'],
  },
  // Gemini CLI's settings (JSONC) in ~/.gemini (or $GEMINI_CLI_HOME/.gemini), or the project's
  // .gemini/settings.json; hook timeouts in milliseconds. A hook can refuse a tool but not allow one,
  // so a permission it asks for is answered in its terminal only. Hooks do not run in a folder Gemini
  // CLI does not trust.
  hooks: {
    configFile: (scope, p) => (scope === 'user' ? path.join(geminiDir(p), 'settings.json') : path.join(p.cwd, '.gemini', 'settings.json')),
    sessionsDir: (p) => path.join(geminiDir(p), 'tmp'),
    events: [{ name: 'SessionStart' }, { name: 'BeforeAgent' }, { name: 'BeforeTool', matcher: '.*' }, { name: 'AfterAgent' }, { name: 'SessionEnd' }],
    timeoutUnit: 'ms',
    entry: { name: 'session-stream' },
    endEvent: 'SessionEnd',
    answer: (a) => ({ decision: a.allow ? 'allow' : 'deny', reason: a.message ?? '' }),
    stop: (reason) => ({ '*': { continue: false, stopReason: reason } }),
    requestTitle: (tool, input) => `${tool}(${JSON.stringify(input)})`.slice(0, 300),
    can: {
      approve: 'Gemini CLI lets a hook refuse a tool but never allow one: answer it in its terminal',
      stop: true,
      message: 'Gemini CLI started in a terminal takes messages only there; type it in its terminal',
      pause: 'Gemini CLI started in a terminal cannot be paused from here; stop it, or answer it in its terminal',
    },
  },
});

function geminiDir(p: { home: string; env: Readonly<Record<string, string | undefined>> }): string {
  return path.join(p.env.GEMINI_CLI_HOME || p.home, '.gemini');
}
