// The hooks installer on real files in a temporary HOME, and the hook script itself (run by sh as
// an agent runs it): what it hands over, how it waits for an answer and how it gives up.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { codexTrustHash } from '../../src/bridges/agents/codex';
import { AGENTS } from '../../src/bridges';
import { HOOK_FILES, SPOOL_END } from '../../src/worker/hooks/hookScript';
import { readSpoolRecord, spoolNames } from '../../src/worker/hooks/spool';
import { collectorCopyPath, placeCollectorCopy } from '../../src/worker/hooks/collectorCopy';
import { hookCommand, hookStatus, installHooks, isOurCommand, uninstallHooks } from '../../src/worker/hooks/install';
import { machineHookStatus } from '../../src/worker/hooks/machine';
import { until } from '../support/wait';

const HOOKED = AGENTS.filter((a) => a.hooks).map((a) => a.kind);

function place(env: Record<string, string> = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hooks-home-'));
  const cwd = path.join(home, 'project');
  mkdirSync(cwd);
  const dir = path.join(home, '.config/session-stream/hooks');
  return { home, cwd, env, dir, scope: 'user' as const, agents: HOOKED, answerTimeoutMs: 400, collector: ['/bin/true'], collectorEnv: {} };
}

const claudeSettings = (home: string) => path.join(home, '.claude/settings.json');

describe('hooks install and uninstall', () => {
  it('adds our hooks to settings that did not exist, and uninstall leaves no file behind', () => {
    const p = place();
    const states = installHooks(p);
    for (const s of states) assert.equal(s.problem, undefined, s.problem);
    const file = claudeSettings(p.home);
    const json = parse(readFileSync(file, 'utf8')) as { hooks: Record<string, Array<{ matcher?: string; hooks: Array<{ command: string; timeout: number }> }>> };
    assert.deepEqual(Object.keys(json.hooks).sort(), ['PermissionRequest', 'PreToolUse', 'SessionEnd', 'SessionStart', 'Stop', 'UserPromptSubmit']);
    assert.equal(json.hooks.PermissionRequest![0]!.hooks[0]!.command, hookCommand(p.dir, 'claude', 'PermissionRequest', true));
    assert.ok(json.hooks.PermissionRequest![0]!.hooks[0]!.timeout > 1, 'the agent waits longer for the hook than the hook waits for an answer');
    assert.ok(existsSync(path.join(p.dir, HOOK_FILES.script)));
    const again = uninstallHooks(p);
    assert.ok(again.every((s) => s.change === 'restored' || s.change === 'none'), JSON.stringify(again));
    assert.ok(!existsSync(file), 'the settings file we made is gone');
    assert.ok(!existsSync(`${file}.session-stream-backup`));
  });

  it('keeps the user’s settings, comments and hooks, is idempotent, and uninstall restores the exact bytes', () => {
    const p = place();
    const file = claudeSettings(p.home);
    mkdirSync(path.dirname(file), { recursive: true });
    const mine = '{\n    // my model\n    "model": "opus",\n    "hooks": {\n        "PreToolUse": [{ "matcher": "Bash", "hooks": [{ "type": "command", "command": "echo mine" }] }]\n    },\n}\n';
    writeFileSync(file, mine);
    installHooks(p);
    const once = readFileSync(file, 'utf8');
    assert.match(once, /\/\/ my model/);
    assert.match(once, /echo mine/);
    assert.match(once, /\n {8}"PermissionRequest"/, 'our entries are indented as the file is');
    const second = installHooks(p).find((s) => s.agent === 'claude')!;
    assert.equal(second.change, 'unchanged');
    assert.equal(readFileSync(file, 'utf8'), once, 'a second install changes nothing');
    assert.deepEqual(hookStatus(p).find((s) => s.agent === 'claude')!.events.length, 6);
    uninstallHooks(p);
    assert.equal(readFileSync(file, 'utf8'), mine, 'byte for byte as it was');
  });

  it('an edit made since install is kept at uninstall; only our entries go', () => {
    const p = place();
    const file = claudeSettings(p.home);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"theme": "dark"}\n');
    installHooks(p);
    const edited = readFileSync(file, 'utf8').replace('"theme": "dark"', '"theme": "light"');
    writeFileSync(file, edited);
    const state = uninstallHooks(p).find((s) => s.agent === 'claude')!;
    assert.equal(state.change, 'removed');
    const json = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(json, { theme: 'light' });
    assert.ok(state.backup && existsSync(state.backup), 'the original stays beside it');
  });

  it('leaves a settings file that is not JSON alone, and says what to do', () => {
    const p = place();
    const file = claudeSettings(p.home);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"model": ');
    const state = installHooks(p).find((s) => s.agent === 'claude')!;
    assert.match(state.problem ?? '', /not valid JSON .* line 1.*fix it.*Nothing was changed/);
    assert.equal(readFileSync(file, 'utf8'), '{"model": ');
  });

  it('honours the agents’ own config folders (CLAUDE_CONFIG_DIR) and the project scope', () => {
    const p = place();
    const claudeDir = path.join(p.home, 'elsewhere');
    installHooks({ ...p, env: { CLAUDE_CONFIG_DIR: claudeDir }, agents: ['claude'] });
    assert.ok(existsSync(path.join(claudeDir, 'settings.json')));
    assert.ok(!existsSync(claudeSettings(p.home)));
    installHooks({ ...p, scope: 'project', agents: ['claude'] });
    assert.ok(existsSync(path.join(p.cwd, '.claude/settings.local.json')), 'a project gets the settings file that is not committed');
  });

  it('Codex CLI: hooks.json with only `hooks`, each of our hooks trusted in config.toml by the hash Codex computes; uninstall restores config.toml exactly', () => {
    // The worked example, checked against Codex CLI 0.171's own `hooks/list`.
    assert.equal(codexTrustHash('PreToolUse', { matcher: '*' }, { type: 'command', command: '/tmp/x/hook.sh codex PreToolUse', timeout: 30 }), 'sha256:bf0b5f410800d6f8b6f87d74fb77fab2ccdb74b6796275c0d5a9090ffb4d8fad');
    const p = place();
    const codexHome = path.join(p.home, '.codex');
    mkdirSync(codexHome);
    const config = path.join(codexHome, 'config.toml');
    const mine = 'model = "gpt-5.5"  # mine\n\n[hooks.state."/elsewhere/hooks.json:stop:0:0"]\ntrusted_hash = "sha256:00"\n';
    writeFileSync(config, mine);
    const state = installHooks({ ...p, agents: ['codex'] })[0]!;
    assert.equal(state.problem, undefined, state.problem);
    const hooks = JSON.parse(readFileSync(path.join(codexHome, 'hooks.json'), 'utf8')) as { hooks: Record<string, Array<{ matcher?: string; hooks: Array<Record<string, unknown>> }>> };
    assert.deepEqual(Object.keys(hooks), ['hooks'], 'Codex refuses a hooks.json with other keys at its top');
    const toml = parseToml(readFileSync(config, 'utf8')) as { model: string; hooks: { state: Record<string, { trusted_hash: string }> } };
    assert.equal(toml.model, 'gpt-5.5');
    assert.equal(toml.hooks.state['/elsewhere/hooks.json:stop:0:0']!.trusted_hash, 'sha256:00', 'the user’s own records stay');
    const real = path.join(codexHome, 'hooks.json');
    for (const [event, groups] of Object.entries(hooks.hooks)) {
      const snake = event.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
      assert.equal(toml.hooks.state[`${real}:${snake}:0:0`]?.trusted_hash, codexTrustHash(event, groups[0]!, groups[0]!.hooks[0]!), event);
    }
    assert.equal(hooks.hooks.SessionEnd![0]!.hooks[0]!.timeout, 3, 'Codex caps SessionEnd hooks at 3 s');
    uninstallHooks({ ...p, agents: ['codex'] });
    assert.equal(readFileSync(config, 'utf8'), mine);
    assert.ok(!existsSync(path.join(codexHome, 'hooks.json')));
  });

  it('Gemini CLI: timeouts in milliseconds, our hooks named, GEMINI_CLI_HOME honoured', () => {
    const p = place();
    const at = path.join(p.home, 'gemini-home');
    installHooks({ ...p, env: { GEMINI_CLI_HOME: at }, agents: ['gemini'] });
    const json = parse(readFileSync(path.join(at, '.gemini/settings.json'), 'utf8')) as { hooks: Record<string, Array<{ hooks: Array<{ name: string; timeout: number }> }>> };
    assert.equal(json.hooks.BeforeTool![0]!.hooks[0]!.timeout, 15_000);
    assert.equal(json.hooks.BeforeTool![0]!.hooks[0]!.name, 'session-stream');
    assert.equal(json.hooks.PermissionRequest, undefined, 'Gemini CLI has no hook that can allow a tool');
  });

  it('installed again, takes out ours for events no longer hooked (an earlier version’s), and nobody else’s', () => {
    const p = place();
    const file = claudeSettings(p.home);
    mkdirSync(path.dirname(file), { recursive: true });
    const theirs = { matcher: 'Bash', hooks: [{ type: 'command', command: 'my-linter' }] };
    writeFileSync(file, JSON.stringify({ hooks: { PostToolUse: [theirs, { matcher: '*', hooks: [{ type: 'command', command: hookCommand(p.dir, 'claude', 'PostToolUse'), timeout: 15 }] }], PostToolUseFailure: [{ matcher: '*', hooks: [{ type: 'command', command: hookCommand(p.dir, 'claude', 'PostToolUseFailure'), timeout: 15 }] }] } }, null, 2));
    installHooks({ ...p, agents: ['claude'] });
    const json = parse(readFileSync(file, 'utf8')) as { hooks: Record<string, unknown> };
    assert.deepEqual(json.hooks.PostToolUse, [theirs]);
    assert.equal(json.hooks.PostToolUseFailure, undefined);
    assert.ok(json.hooks.PreToolUse);
  });

  it('knows its own entries only', () => {
    assert.ok(isOurCommand(hookCommand('/home/u/.config/session-stream/hooks', 'claude', 'Stop')));
    assert.ok(isOurCommand(hookCommand('/tmp/x y/hooks', 'gemini', 'BeforeTool', true)));
    assert.ok(!isOurCommand('/home/u/bin/hook.sh claude Stop'));
    assert.ok(!isOurCommand('echo mine'));
  });
});

/** Runs the installed hook as an agent does: the event on stdin, its stdout and how long it took. */
function runHook(script: string, args: string[], input: string, env: Record<string, string> = {}): Promise<{ out: string; code: number | null; ms: number; pid: number }> {
  const started = Date.now();
  const child = spawn('sh', ['-c', `${script} ${args.join(' ')}`], { env: { PATH: process.env.PATH, ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ out, code, ms: Date.now() - started, pid: child.pid! })));
}

describe('the collector a hook starts', () => {
  it('is a copy that outlives what installed it: placed once, replaced only by other bytes, and status says when its command is gone', () => {
    const p = place();
    const bundled = path.join(p.home, 'extension-1.0.0', 'cli.js');
    mkdirSync(path.dirname(bundled), { recursive: true });
    writeFileSync(bundled, 'console.log("v1")\n');
    const first = placeCollectorCopy(p.dir, bundled);
    assert.deepEqual(first, { file: collectorCopyPath(p.dir), changed: true });
    assert.equal(placeCollectorCopy(p.dir, bundled).changed, false, 'the same bytes are not written again');
    writeFileSync(bundled, 'console.log("v2")\n');
    assert.equal(placeCollectorCopy(p.dir, bundled).changed, true);
    assert.equal(readFileSync(first.file, 'utf8'), 'console.log("v2")\n');
    assert.throws(() => placeCollectorCopy(p.dir, path.join(p.home, 'gone.js')), /missing .*reinstall the extension/);

    const node = path.join(p.home, 'runtime', 'node');
    mkdirSync(path.dirname(node), { recursive: true });
    writeFileSync(node, '');
    installHooks({ ...p, agents: ['claude'], collector: [node, first.file, 'hooks', 'collect'] });
    const ok = machineHookStatus({ ...p, agents: ['claude'] }, 'install again');
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.agents.map((a) => [a.agent, a.events.length > 0]), [['claude', true]]);
    assert.equal(ok.collector.running, false);
    // The runtime the hook starts the collector with moved away (an update of VS Code, a new Node):
    rmSync(node);
    const gone = machineHookStatus({ ...p, agents: ['claude'] }, 'install again');
    assert.equal(gone.problems.length, 1);
    assert.match(gone.problems[0]!, /the collector cannot start: ~\/runtime\/node is gone .*install again/);
  });
});

describe('the spool', () => {
  const dir = () => mkdtempSync(path.join(os.tmpdir(), 'spool-'));
  const record = (json: string) => `v1 claude PreToolUse 42\n${json}`;

  it('a record is taken once whole (its end mark); while its hook still writes it, it waits; a hook killed mid-write leaves what parses', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'p100-0'), `${record('{"session_id":"s1"}')}${SPOOL_END}`);
    writeFileSync(path.join(d, 'p101-0'), record('{"session_id":"s2"'));
    writeFileSync(path.join(d, 'p102-0'), record('{"session_id":"s3"}'));
    writeFileSync(path.join(d, 'p103-0'), 'v2 who knows');
    const alive = (pid: number) => pid === 101;
    const whole = await readSpoolRecord(d, 'p100-0', alive);
    assert.equal(whole.kind, 'record');
    assert.deepEqual(whole.kind === 'record' && { ...whole.record }, { name: 'p100-0', agent: 'claude', event: 'PreToolUse', ppid: 42, hookPid: 100, payload: { session_id: 's1' } });
    assert.deepEqual(await readSpoolRecord(d, 'p101-0', alive), { kind: 'partial' });
    assert.equal((await readSpoolRecord(d, 'p101-0', () => false)).kind, 'unreadable', 'cut JSON from a dead hook');
    assert.equal((await readSpoolRecord(d, 'p102-0', alive)).kind, 'record', 'whole JSON from a dead hook, mark or not');
    assert.equal((await readSpoolRecord(d, 'p103-0', alive)).kind, 'unreadable');
  });

  it('in the order the records were written, whatever their names', async () => {
    const d = dir();
    const names = ['p9-0', 'p10-0', '1700000000000000000-7', 'p3-0-gave-up'];
    names.forEach((n, i) => {
      writeFileSync(path.join(d, n), '');
      utimesSync(path.join(d, n), 1000 + i, 1000 + i);
    });
    writeFileSync(path.join(d, '.p5-0'), '');
    assert.deepEqual(await spoolNames(d), names);
  });
});

describe('the hook script', function () {
  this.timeout(30_000);
  let p: ReturnType<typeof place>;
  let script: string;
  const spool = () => readdirSync(path.join(p.dir, HOOK_FILES.spool)).filter((n) => !n.startsWith('.'));
  const event = JSON.stringify({ session_id: 'abc-123', transcript_path: '/t.jsonl', hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'ls' } });

  beforeEach(() => {
    p = place();
    installHooks({ ...p, agents: ['claude'] });
    // A live process as the collector, so the script starts none.
    writeFileSync(path.join(p.dir, HOOK_FILES.pid), `${process.pid}\n`);
    script = `'${path.join(p.dir, HOOK_FILES.script)}'`;
  });

  it('hands an event to the spool whole: the agent, the event, its parent process, the JSON as given', async () => {
    const r = await runHook(script, ['claude', 'PreToolUse'], event);
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
    const [name] = spool();
    assert.match(name!, /^p\d+-0$/);
    const [head, body] = readFileSync(path.join(p.dir, HOOK_FILES.spool, name!), 'utf8').split('\n');
    assert.match(head!, /^v1 claude PreToolUse \d+$/);
    assert.equal(body, event);
  });

  it('a permission request prints the answer the collector leaves, once it claimed it', async () => {
    const hook = runHook(script, ['claude', 'PermissionRequest', 'ask'], event, { SESSION_STREAM_HOOK_ANSWER_TIMEOUT_MS: '20000' });
    await until('the request is in the spool', () => spool().length === 1);
    const id = spool()[0]!;
    const answer = path.join(p.dir, HOOK_FILES.answers, id);
    writeFileSync(`${answer}.seen`, '');
    writeFileSync(`${answer}.claim`, '');
    writeFileSync(answer, '{"decision":"allow"}\n');
    const r = await hook;
    assert.equal(r.out, '{"decision":"allow"}\n');
    assert.deepEqual(readdirSync(path.join(p.dir, HOOK_FILES.answers)), [], 'it cleans up after itself');
  });

  it('with no answer in time it decides nothing, claims the request (a late answer is refused) and says it gave up', async () => {
    const r = await runHook(script, ['claude', 'PermissionRequest', 'ask'], event, { SESSION_STREAM_HOOK_ANSWER_TIMEOUT_MS: '300' });
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
    const names = spool();
    const id = names.find((n) => !n.endsWith('-gave-up'))!;
    assert.ok(names.includes(`${id}-gave-up`), names.join());
    assert.ok(existsSync(path.join(p.dir, HOOK_FILES.answers, `${id}.claim`)), 'claimed by the hook');
    assert.match(readFileSync(path.join(p.dir, HOOK_FILES.spool, `${id}-gave-up`), 'utf8'), new RegExp(`^v1 claude gave-up \\d+\\n\\{"id":"${id}","waitedMs":300\\}`));
  });

  it('a request nobody takes (no collector answers) does not hold the agent past the answer time', async () => {
    const r = await runHook(script, ['claude', 'PermissionRequest', 'ask'], event, { SESSION_STREAM_HOOK_ANSWER_TIMEOUT_MS: '1000' });
    assert.equal(r.out, '');
    assert.ok(r.ms < 15_000, `${r.ms} ms`);
  });

  it('prints what the collector left to stop this session, and only this one', async () => {
    writeFileSync(path.join(p.dir, HOOK_FILES.stop, 'abc-123'), '{"continue":false,"stopReason":"Stopped by ada"}');
    const stopped = await runHook(script, ['claude', 'PreToolUse'], event);
    assert.equal(stopped.out, '{"continue":false,"stopReason":"Stopped by ada"}');
    const other = await runHook(script, ['claude', 'PreToolUse'], event.replace('abc-123', 'other-1'));
    assert.equal(other.out, '');
    assert.equal(spool().length, 2, 'both events are handed over');
  });

  it('stays out of an agent that `session-stream run` started (its session streams already)', async () => {
    const r = await runHook(script, ['claude', 'PermissionRequest', 'ask'], event, { SESSION_STREAM_RUN: '1' });
    assert.equal(r.out, '');
    assert.deepEqual(spool(), []);
  });

  it('never fails the agent: a missing spool folder, and it exits 0 printing nothing', async () => {
    const { rmSync } = await import('node:fs');
    rmSync(path.join(p.dir, HOOK_FILES.spool), { recursive: true });
    const r = await runHook(script, ['claude', 'PreToolUse'], event);
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
  });
});
