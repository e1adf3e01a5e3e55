// Real agents in, as a user runs the command line: `import` of recorded runs, `run` of a stand-in
// agent that replays a recording with its own timing (to the end, killed midway, failing),
// `watch` of a transcript that grows while watched and across a restart, and `login`/`logout` —
// all writing as the signed-in user (no service-role key in their environment), read back with
// `tail --json` and straight from the database.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMapper } from '../../src/bridges';
import { runCli, runCliToEnd } from '../support/cli';
import { query } from '../support/sql';
import { until } from '../support/wait';
import { signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';

const FIXTURES = path.resolve(__dirname, '../fixtures/agents');
const REPLAY = path.resolve(__dirname, '../support/replayAgent.mjs');

interface Row {
  id: string;
  event_type: string;
  event_data: Record<string, unknown>;
}


const eventsOf = (session: string) => query<Row>('select id, event_type, event_data from public.session_events where session_id = $1 order by seq', [session]);
const sessionOf = (session: string) => query<{ state: string; source: string; cwd: string | null; agent_session_id: string | null; user_id: string; stats: Record<string, unknown> | null }>('select state, source, cwd, agent_session_id, user_id, stats from public.coding_sessions where id = $1', [session]).then((r) => r[0]!);

describe('real agents in: import, run, watch, login (as the user, no service key)', function () {
  this.timeout(120_000);
  let user: TestUser;
  let dir: string;
  /** A user's environment: the project and who they are; deliberately no SUPABASE_SERVICE_ROLE_KEY. */
  let env: NodeJS.ProcessEnv;

  before(async () => {
    user = await signUp();
    dir = await mkdtemp(path.join(os.tmpdir(), 'agents-'));
    env = { SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SUPABASE_SERVICE_ROLE_KEY: '', SESSION_STREAM_EMAIL: user.email, SESSION_STREAM_PASSWORD: user.password, SESSION_STREAM_CONFIG_DIR: path.join(dir, 'config') };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const sessionIdOf = (stdout: string) => {
    const first = stdout.split('\n')[0] ?? '';
    assert.match(first, /^SESSION_ID=[0-9a-f-]{36}$/, `the first line is the session id: ${stdout.slice(0, 300)}`);
    return first.slice('SESSION_ID='.length);
  };

  for (const [format, file] of [
    ['codex', 'codex/exec-0.46-5.jsonl'],
    ['claude', 'claude/stream-2.1.3-bash-ls.jsonl'],
    ['claude-transcript', 'claude-transcript/full-session-two.jsonl'],
    ['gemini', 'gemini/stream-0.11-replace.jsonl'],
    ['codex-rollout', 'codex-rollout/rollout-2025-09-24T20-12-23-01997ea4-a70d-7da3-8c20-c736db82a7c5.jsonl'],
  ] as const) {
    it(`import of a recorded ${format} run: owned by the user, and tail --json shows the same events in the same order`, async () => {
      const r = await runCliToEnd(['import', '--quiet', path.join(FIXTURES, file)], env);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const id = sessionIdOf(r.stdout);
      const session = await sessionOf(id);
      assert.equal(session.user_id, user.id);
      assert.equal(session.source, format.startsWith('codex') ? 'codex' : format.startsWith('claude') ? 'claude' : 'gemini');
      assert.equal(session.state, 'completed');
      const stored = await eventsOf(id);
      assert.deepEqual(stored.slice(-2).map((e) => e.event_type), ['completion', 'state_changed']);
      assert.match(r.stdout, new RegExp(`→ ${stored.length - 3} events`), 'the summary counts the mapped events (besides the start, completion and end)');
      const tail = await runCliToEnd(['tail', '--session', id, '--json', '--exit-when-done'], env);
      assert.equal(tail.code, 0, tail.stderr);
      const tailed = tail.stdout.split('\n').map((l) => JSON.parse(l) as { kind: string; event?: { id: string } }).filter((l) => l.kind === 'event').map((l) => l.event!.id);
      assert.deepEqual(tailed, stored.map((e) => e.id));
    });
  }

  it('import of the same file twice makes two sessions; garbage lines are kept as events and counted', async () => {
    const file = path.join(dir, 'mixed.jsonl');
    const real = await readFile(path.join(FIXTURES, 'codex/exec-0.46-2.jsonl'), 'utf8');
    await writeFile(file, `${real.split('\n').slice(0, 3).join('\n')}\nthis is not JSON\n{"type":"item.completed","item":{"id":"x","type":"hologram"}}\n${real.split('\n').slice(3).join('\n')}`);
    const r = await runCliToEnd(['import', '--quiet', file], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 of unknown kinds and 1 not JSON, kept as events/);
    const kept = (await eventsOf(sessionIdOf(r.stdout))).filter((e) => e.event_data.unrecognised === true);
    assert.deepEqual(kept.map((e) => e.event_data.raw), ['this is not JSON', '{"type":"item.completed","item":{"id":"x","type":"hologram"}}']);
  });

  it('import says what is wrong: no file, a wrong format, nobody signed in', async () => {
    const missing = await runCliToEnd(['import', path.join(dir, 'nope.jsonl')], env);
    assert.deepEqual([missing.code, /There is no file/.test(missing.stderr)], [2, true]);
    const format = await runCliToEnd(['import', '--format', 'aider', path.join(FIXTURES, 'codex/exec-0.46-1.jsonl')], env);
    assert.deepEqual([format.code, /--format must be/.test(format.stderr)], [2, true]);
    const anonymous = await runCliToEnd(['import', path.join(FIXTURES, 'codex/exec-0.46-1.jsonl')], { ...env, SESSION_STREAM_EMAIL: '', SESSION_STREAM_PASSWORD: '' });
    assert.equal(anonymous.code, 2, anonymous.stderr);
    assert.match(anonymous.stderr, /Sign in first: session-stream login/);
  });

  it('run with nobody signed in: the agent it started at once is stopped, and it says who to sign in as', async () => {
    const marker = `unsigned-${randomUUID()}`;
    const r = await runCliToEnd(['run', '--format', 'claude', '--', 'node', path.resolve(__dirname, '../support/steerableAgent.mjs'), '-p', marker], { ...env, SESSION_STREAM_EMAIL: '', SESSION_STREAM_PASSWORD: '' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Sign in first: session-stream login/);
    assert.doesNotMatch(r.stdout, /SESSION_ID=/);
    // run waits for the agent to be gone before it exits.
    const alive = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).some((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
    assert.equal(alive, false, 'the agent is gone');
  });

  it('run: a stand-in agent replaying a Gemini run with its own timing streams live; SESSION_ID first; exit code kept', async () => {
    const watcher = runCli(['run', '--format', 'gemini', '--', process.execPath, REPLAY, path.join(FIXTURES, 'gemini/stream-0.11-read-file.jsonl')], { ...env, REPLAY_SPEED: '8' });
    const id = (await watcher.waitForLine(/^SESSION_ID=/)).slice('SESSION_ID='.length);
    // Live: the session is running and has events before the agent is done.
    await watcher.waitForLine(/read_file/);
    assert.equal((await sessionOf(id)).state, 'running');
    assert.equal(await watcher.exited, 0, watcher.stderr());
    const session = await sessionOf(id);
    assert.deepEqual([session.state, session.source, session.cwd], ['completed', 'gemini', path.resolve(__dirname, '../..')]);
    assert.equal((await eventsOf(id)).find((e) => e.event_type === 'completion')?.event_data.message, 'The file /private/tmp/gemini-test/sample.txt contains the following:\ntest content from gemini research');
  });

  it('run: an agent exiting non-zero fails the session with what it said on stderr, and run exits with its code', async () => {
    const r = await runCliToEnd(['run', '--quiet', '--format', 'codex', '--', process.execPath, REPLAY, path.join(FIXTURES, 'codex/exec-0.46-interrupted.jsonl')], { ...env, REPLAY_EXIT: '3', REPLAY_STDERR: 'Error: model overloaded' });
    assert.equal(r.code, 3);
    const id = sessionIdOf(r.stdout);
    assert.equal((await sessionOf(id)).state, 'failed');
    const error = (await eventsOf(id)).find((e) => e.event_type === 'error');
    assert.equal(error?.event_data.message, 'The agent exited with code 3: Error: model overloaded.');
  });

  it('run: stopped midway (Ctrl-C) — the agent is stopped, the session cancelled, every line it printed stored', async () => {
    const transcript = path.join(FIXTURES, 'claude-transcript/full-session.jsonl');
    const p = runCli(['run', '--format', 'claude', '--', process.execPath, REPLAY, transcript], { ...env, REPLAY_GAP_MS: '150', REPLAY_SPEED: '1000' });
    const id = (await p.waitForLine(/^SESSION_ID=/)).slice('SESSION_ID='.length);
    await p.waitForLine(/terminal {2}\$ ls -la/);
    p.child.kill('SIGINT');
    assert.equal(await p.exited, 130, p.stderr());
    const session = await sessionOf(id);
    assert.equal(session.state, 'cancelled');
    const stored = await eventsOf(id);
    assert.equal(stored.at(-1)!.event_type, 'state_changed');
    assert.equal(stored.at(-1)!.event_data.to, 'cancelled');
    // Everything printed as mapped before the stop is in the database, once.
    const printed = p.lines.filter((l) => /^(thinking|terminal|file|warning) /.test(l)).length;
    assert.equal(stored.filter((e) => e.event_type !== 'state_changed').length, printed);
    assert.equal(new Set(stored.map((e) => e.id)).size, stored.length);
  });

  it('watch: a transcript that grows while watched, and across a restart of watch, is stored once, in order', async () => {
    const root = path.join(dir, 'projects');
    const file = path.join(root, '-work-demo', 'cfa1e878.jsonl');
    const lines = (await readFile(path.join(FIXTURES, 'claude-transcript/full-session.jsonl'), 'utf8')).split('\n').filter(Boolean);
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(file), { recursive: true }));
    await writeFile(file, `${lines.slice(0, 10).join('\n')}\n`);
    const state = path.join(dir, 'watch-state.json');
    const start = () => runCli(['watch', '--format', 'claude-transcript', root, '--interval-ms', '100', '--state', state, '--quiet'], env);
    let watch = start();
    const created = await watch.waitForLine(/→ session /);
    const id = /session ([0-9a-f-]{36})/.exec(created)![1]!;
    // It grows while watched: a partial last line waits for its newline.
    await appendFile(file, `${lines.slice(10, 20).join('\n')}\n${lines[20]!.slice(0, 50)}`);
    await until('20 lines saved', async () => (await savedLines(state, file)) === 20, 30_000);
    watch.child.kill('SIGINT');
    assert.equal(await watch.exited, 0, watch.stderr());
    // More lines while nobody watches, then a restart.
    await appendFile(file, `${lines[20]!.slice(50)}\n${lines.slice(21).join('\n')}\n`);
    watch = start();
    await until('every line saved', async () => (await savedLines(state, file)) === lines.length, 30_000);
    watch.child.kill('SIGINT');
    await watch.exited;
    // What the whole file maps to, read in one go (the session is not ended: no end events).
    const mapper = createMapper('claude-transcript');
    const mapped = lines.flatMap((l) => mapper.line(l)).filter((i) => i.kind === 'event').length;
    const stored = await eventsOf(id);
    assert.equal(stored[0]!.event_type, 'state_changed');
    assert.equal(stored.length - 1, mapped, 'every line once, nothing missed');
    assert.equal((await sessionOf(id)).state, 'running', 'still running: the transcript may grow again');
  });

  it('login keeps the sign-in in a file only the user can read; run uses it; logout forgets it', async () => {
    const config = path.join(dir, 'login-config');
    const base = { SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SESSION_STREAM_CONFIG_DIR: config };
    const login = await runCliToEnd(['login', '--email', user.email], { ...base, SESSION_STREAM_PASSWORD: user.password });
    assert.equal(login.code, 0, login.stderr);
    const saved = path.join(config, 'login.json');
    assert.equal((await stat(saved)).mode & 0o777, 0o600);
    const before = JSON.parse(await readFile(saved, 'utf8')) as { refreshToken: string };
    // Without SUPABASE_URL either: the saved login names the project.
    const r = await runCliToEnd(['import', '--quiet', path.join(FIXTURES, 'codex/exec-0.46-1.jsonl')], { SESSION_STREAM_CONFIG_DIR: config, SESSION_STREAM_ENV_FILE: path.join(dir, 'none.env') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await sessionOf(sessionIdOf(r.stdout))).user_id, user.id);
    const after = JSON.parse(await readFile(saved, 'utf8')) as { refreshToken: string };
    assert.notEqual(after.refreshToken, before.refreshToken, 'the rotated refresh token is kept');
    const logout = await runCliToEnd(['logout'], { SESSION_STREAM_CONFIG_DIR: config });
    assert.equal(logout.code, 0, logout.stderr);
    await assert.rejects(stat(saved));
    const wrong = await runCliToEnd(['login', '--email', user.email], { ...base, SESSION_STREAM_PASSWORD: 'wrong password' });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /Could not sign in as .*: Invalid login credentials/);
  });
});

async function savedLines(state: string, file: string): Promise<number> {
  try {
    return (JSON.parse(await readFile(state, 'utf8')) as { files: Record<string, { lines: number }> }).files[file]?.lines ?? 0;
  } catch {
    return 0;
  }
}

