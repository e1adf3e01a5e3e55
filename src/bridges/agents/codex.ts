// Codex CLI: its JSON events (`codex exec --json`) and its rollout files (~/.codex/sessions/…/rollout-*.jsonl).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { defineAgent } from '../agent';
import { CodexMapper } from '../codex';
import { CodexRolloutMapper } from '../codexRollout';
import { headline } from '../text';

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
  // Codex CLI reads hooks from $CODEX_HOME/hooks.json (only `hooks` and `description` at its top) and
  // runs one only once it is trusted: a hash of it kept in config.toml under [hooks.state] (below).
  hooks: {
    configFile: (scope, p) => (scope === 'user' ? path.join(codexHome(p), 'hooks.json') : undefined),
    sessionsDir: (p) => path.join(codexHome(p), 'sessions'),
    events: [
      { name: 'SessionStart', matcher: '*' },
      { name: 'UserPromptSubmit' },
      { name: 'PreToolUse', matcher: '*' },
      { name: 'PermissionRequest', matcher: '*', ask: true },
      { name: 'Stop' },
      // Codex caps a SessionEnd hook at 3 s.
      { name: 'SessionEnd', timeoutSeconds: 3 },
    ],
    timeoutUnit: 's',
    endEvent: 'SessionEnd',
    settledBy: { turn: ['Stop', 'UserPromptSubmit', 'SessionEnd'] },
    callEvent: 'PreToolUse',
    trust: {
      file: (p) => path.join(codexHome(p), 'config.toml'),
      records: (hooksFile, json, ours) => {
        const out: Array<{ table: readonly string[]; key: string; value: string }> = [];
        const hooks = (json.hooks ?? {}) as Record<string, unknown>;
        for (const [event, groups] of Object.entries(hooks)) {
          if (!Array.isArray(groups)) continue;
          groups.forEach((group: { matcher?: unknown; hooks?: unknown }, g) => {
            if (!Array.isArray(group?.hooks)) return;
            group.hooks.forEach((handler: Record<string, unknown>, h) => {
              if (ours(handler?.command)) out.push({ table: ['hooks', 'state', `${hooksFile}:${snake(event)}:${g}:${h}`], key: 'trusted_hash', value: codexTrustHash(event, group, handler) });
            });
          });
        }
        return out;
      },
    },
    answer: (a) => ({ hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: a.allow ? { behavior: 'allow' } : { behavior: 'deny', message: a.message ?? 'Denied.' } } }),
    // Codex has no "stop now" for hooks: each further command is refused, and its next prompt ends the turn.
    stop: (reason) => ({
      PreToolUse: { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } },
      PermissionRequest: { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: reason } } },
      UserPromptSubmit: { continue: false, stopReason: reason },
    }),
    requestTitle: (tool, input) => headline(tool === 'Bash' && typeof input.command === 'string' ? `Bash: ${input.command}` : tool === 'apply_patch' ? 'apply_patch (a change to files)' : `${tool}(${JSON.stringify(input)})`, 300),
    can: {
      approve: true,
      stop: true,
      message: 'Codex started in a terminal takes messages only there; type it in its terminal',
      pause: 'Codex started in a terminal cannot be paused from here; stop it, or answer it in its terminal',
    },
  },
});

function codexHome(p: { home: string; env: Readonly<Record<string, string | undefined>> }): string {
  return p.env.CODEX_HOME || path.join(p.home, '.codex');
}

/** PreToolUse → pre_tool_use: how Codex names events in its trust keys. */
function snake(event: string): string {
  return event.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Events whose matcher Codex keeps in a hook's identity (for the others it is dropped). */
const KEEPS_MATCHER = new Set(['PreToolUse', 'PermissionRequest', 'PostToolUse', 'PreCompact', 'PostCompact', 'SessionStart', 'SessionEnd', 'SubagentStart', 'SubagentStop']);

/** JSON with every object's keys sorted, compact (how Codex fingerprints a hook). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The hash Codex CLI trusts one command hook by (`trusted_hash` in [hooks.state]): SHA-256 of the
 * sorted compact JSON of the event's name, the matcher (where the event keeps one) and that one
 * handler with its defaults filled in (async false, the effective timeout).
 */
export function codexTrustHash(event: string, group: { matcher?: unknown }, handler: Record<string, unknown>): string {
  const capped = event === 'SessionEnd' || event === 'Interrupt';
  const given = typeof handler.timeout === 'number' ? handler.timeout : capped ? 1 : 600;
  const timeout = capped ? Math.min(3, Math.max(1, given)) : Math.max(1, given);
  const normal = { async: handler.async === true, command: handler.command, timeout, type: 'command', statusMessage: handler.statusMessage };
  const identity = { event_name: snake(event), hooks: [normal], matcher: KEEPS_MATCHER.has(event) && typeof group.matcher === 'string' ? group.matcher : undefined };
  return `sha256:${createHash('sha256').update(sortedJson(identity)).digest('hex')}`;
}
