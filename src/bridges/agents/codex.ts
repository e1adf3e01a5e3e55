// Codex CLI: its JSON events (`codex exec --json`) and its rollout files (~/.codex/sessions/…/rollout-*.jsonl).
import path from 'node:path';
import { defineAgent } from '../agent';
import { CodexMapper } from '../codex';
import { CodexRolloutMapper } from '../codexRollout';

export const codex = defineAgent({
  kind: 'codex',
  label: 'Codex',
  productName: 'Codex CLI',
  icon: 'terminal',
  command: 'codex',
  npmPackage: '@openai/codex',
  testedVersions: ['0.171.0'],
  versionFrom: 'package-or-ask',
  formats: [
    {
      name: 'codex',
      kind: 'stream',
      detectRank: 10,
      detect: (_json, type) => /^(thread|turn|item)\./.test(type) || type === 'session.created',
      createMapper: (o) => new CodexMapper(o),
    },
    {
      name: 'codex-rollout',
      kind: 'file',
      detectRank: 30,
      detect: (_json, type) => type === 'session_meta' || type === 'response_item' || type === 'event_msg' || type === 'turn_context',
      createMapper: () => new CodexRolloutMapper(),
    },
  ],
  runFormat: 'codex',
  sessionFiles: {
    format: 'codex-rollout',
    dir: (home) => path.join(home, '.codex', 'sessions'),
    isSessionFile: (name) => name.endsWith('.jsonl'),
  },
  run: {
    outputAdvice: (args) => (/--json|--experimental-json/.test(args) ? undefined : 'codex prints plain text without --json; add it: codex exec --json "…"'),
    noInputReason: 'codex exec takes no input while it runs; stop it and start it again with the new instructions',
    commandFor: (task) => ['codex', 'exec', '--json', task],
  },
});
