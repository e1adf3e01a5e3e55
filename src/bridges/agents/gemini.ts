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
});
