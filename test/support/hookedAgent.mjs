#!/usr/bin/env node
// A stand-in for Claude Code started the ordinary way (no `run`), for the integration tier: it runs
// the hooks of $CLAUDE_CONFIG_DIR or $HOME/.claude/settings.json as Claude Code does (each matching
// command through `sh -c`, the event's JSON on stdin, its stdout read as JSON) and keeps a transcript
// in Claude Code's format under projects/. The real CLI is tested in the agents tier; this one makes
// every branch (approve, deny, no answer, stop) quick and certain.
//
// STANDIN_STEPS, comma-separated: `ask:CMD` (a PermissionRequest for Bash CMD, then the command if
// allowed), `tool:CMD` (PreToolUse, the command, PostToolUse), `wait:FILE` (until FILE exists),
// `local:CMD` (the PermissionRequest hook runs while the user answers Yes in the terminal: once
// $STANDIN_GATE exists the command runs, then PostToolUse; the hook's output is printed when it ends).
// It prints one line per decision it got: `decision: allow|deny|none|stopped`.
import { execSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const home = process.env.HOME;
const dir = process.env.CLAUDE_CONFIG_DIR || path.join(home, '.claude');
const settings = existsSync(path.join(dir, 'settings.json')) ? JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')) : {};
const sessionId = process.env.STANDIN_SESSION_ID || randomUUID();
const cwd = process.cwd();
const transcript = path.join(dir, 'projects', cwd.replace(/[/.]/g, '-'), `${sessionId}.jsonl`);
mkdirSync(path.dirname(transcript), { recursive: true });
let parent = null;

function line(entry) {
  const uuid = randomUUID();
  appendFileSync(transcript, `${JSON.stringify({ parentUuid: parent, isSidechain: false, uuid, timestamp: new Date().toISOString(), cwd, sessionId, version: '2.1.197', ...entry })}\n`);
  parent = uuid;
}

/** Runs the hooks of `event` (matching `tool`), in order; returns their parsed outputs. */
function hooks(event, extra = {}, tool) {
  const outputs = [];
  for (const group of settings.hooks?.[event] ?? []) {
    if (tool && group.matcher && group.matcher !== '*' && !new RegExp(`^(${group.matcher})$`).test(tool)) continue;
    for (const h of group.hooks ?? []) {
      const input = JSON.stringify({ session_id: sessionId, transcript_path: transcript, cwd, hook_event_name: event, permission_mode: 'default', ...extra });
      const r = spawnSync('sh', ['-c', h.command], { input, encoding: 'utf8', timeout: (h.timeout ?? 60) * 1000 });
      try {
        if (r.stdout.trim()) outputs.push(JSON.parse(r.stdout));
      } catch {
        // Not JSON: ignored, as Claude Code shows it only in verbose mode.
      }
    }
  }
  return outputs;
}

const stopped = (outs) => outs.find((o) => o.continue === false);

hooks('SessionStart', { source: 'startup' });
line({ type: 'user', message: { role: 'user', content: 'do the work' } });
hooks('UserPromptSubmit', { prompt: 'do the work' });
let n = 0;
for (const step of (process.env.STANDIN_STEPS ?? '').split(',').filter(Boolean)) {
  const [kind, ...rest] = step.split(':');
  const arg = rest.join(':');
  if (kind === 'wait') {
    while (!existsSync(arg)) execSync('sleep 0.05');
    continue;
  }
  const id = `toolu_${++n}`;
  const input = { command: arg, description: `step ${n}` };
  line({ type: 'assistant', message: { id: `msg_${n}`, role: 'assistant', model: 'claude-standin', content: [{ type: 'tool_use', id, name: 'Bash', input }], usage: { input_tokens: 10, output_tokens: 5 } } });
  const pre = hooks('PreToolUse', { tool_name: 'Bash', tool_input: input, tool_use_id: id }, 'Bash');
  if (stopped(pre)) {
    console.log(`decision: stopped (${stopped(pre).stopReason})`);
    break;
  }
  if (kind === 'local') {
    const [group] = settings.hooks?.PermissionRequest ?? [];
    const hook = spawn('sh', ['-c', group.hooks[0].command], { stdio: ['pipe', 'pipe', 'ignore'] });
    let printed = '';
    hook.stdout.on('data', (d) => (printed += d));
    const ended = new Promise((resolve) => hook.on('exit', resolve));
    hook.stdin.end(JSON.stringify({ session_id: sessionId, transcript_path: transcript, cwd, hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: input }));
    // Waiting without blocking: the hook's stdin is written by the event loop.
    while (!existsSync(process.env.STANDIN_GATE)) await new Promise((resolve) => setTimeout(resolve, 50));
    const r = spawnSync('sh', ['-c', arg], { encoding: 'utf8' });
    line({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: r.stdout, is_error: r.status !== 0 }] }, toolUseResult: { stdout: r.stdout, stderr: r.stderr, interrupted: false } });
    hooks('PostToolUse', { tool_name: 'Bash', tool_input: input, tool_use_id: id, tool_response: { stdout: r.stdout } }, 'Bash');
    await ended;
    console.log(`hook ended: "${printed.trim()}"`);
    continue;
  }
  if (kind === 'ask') {
    const outs = hooks('PermissionRequest', { tool_name: 'Bash', tool_input: input }, 'Bash');
    const decision = outs.map((o) => o.hookSpecificOutput?.decision).find(Boolean);
    console.log(`decision: ${decision?.behavior ?? 'none'}${decision?.message ? ` (${decision.message})` : ''}`);
    if (decision?.interrupt) break;
    if (decision?.behavior !== 'allow') {
      line({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'Permission denied', is_error: true }] } });
      continue;
    }
  }
  const r = spawnSync('sh', ['-c', arg], { encoding: 'utf8' });
  line({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: r.stdout, is_error: r.status !== 0 }] }, toolUseResult: { stdout: r.stdout, stderr: r.stderr, interrupted: false } });
  hooks('PostToolUse', { tool_name: 'Bash', tool_input: input, tool_use_id: id, tool_response: { stdout: r.stdout } }, 'Bash');
}
line({ type: 'assistant', message: { id: 'msg_end', role: 'assistant', model: 'claude-standin', content: [{ type: 'text', text: 'All done.' }], usage: { input_tokens: 10, output_tokens: 5 } } });
hooks('Stop', { stop_hook_active: false });
hooks('SessionEnd', { reason: 'other' });
