// The agent is not the user: what another user, or the agent we watch, can no longer do to a
// session through the real stack with unmodified supabase-js and the real command line (each case
// reproduced an attack on the code before its change; docs/reliability.md, "Hardening review").
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { SessionLifecycleManager } from '../../src/worker/sessionLifecycleManager';
import { sendCommand } from '../../src/core/commands';
import { inputHash } from '../../src/shared/approval';
import { MAX_EVENT_DATA_BYTES } from '../../src/shared/events';
import { parseWaitingFor, type SessionCommand } from '../../src/shared/commands';
import { runCli, runCliToEnd, type CliProcess } from '../support/cli';
import { until } from '../support/wait';
import { query } from '../support/sql';
import { client, signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';

const REPLAY = path.resolve(__dirname, '../support/replayAgent.mjs');
const AGENT = path.resolve(__dirname, '../support/steerableAgent.mjs');
const REQUEST = path.resolve(__dirname, '../fixtures/agents/claude/control-request-can-use-tool-edit.jsonl');
const FIXTURE = path.resolve(__dirname, '../fixtures/agents/claude-transcript/full-session-two.jsonl');

describe('the agent is not the user: another user, or the agent, cannot act as the user', function () {
  this.timeout(120_000);
  let ada: TestUser;
  let mallory: TestUser;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const running: CliProcess[] = [];

  before(async () => {
    [ada, mallory] = await Promise.all([signUp(), signUp()]);
    dir = await mkdtemp(path.join(os.tmpdir(), 'trust-'));
    env = { SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SUPABASE_SERVICE_ROLE_KEY: '', SESSION_STREAM_EMAIL: ada.email, SESSION_STREAM_PASSWORD: ada.password, SESSION_STREAM_CONFIG_DIR: path.join(dir, 'config') };
  });
  afterEach(() => {
    for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function ownSession(user: TestUser, title = 'own session'): Promise<string> {
    const { data, error } = await user.client.from('coding_sessions').insert({ user_id: user.id, title }).select('id').single();
    if (error) throw new Error(error.message);
    return (data as { id: string }).id;
  }

  describe('event ids', () => {
    it('knowing a session id is not enough to stall it: rows stored elsewhere under the ids its events would have had change nothing', async () => {
      const gate = path.join(dir, `gate-${randomUUID()}`);
      const run = runCli(['run', '--quiet', '--format', 'claude', '--', process.execPath, REPLAY, FIXTURE], { ...env, REPLAY_WAIT_FOR: gate, REPLAY_GAP_MS: '5', REPLAY_SPEED: '100000' });
      running.push(run);
      const sessionId = (await run.waitForLine(/^SESSION_ID=/)).slice('SESSION_ID='.length);
      // Mallory knows the session id (it is in every link to an event) and stores, in her own
      // session, rows with the ids the bridge used to derive from it: line N, item i, part 0.
      const hers = await ownSession(mallory);
      const rows = [];
      for (let line = 1; line <= 100; line++) for (let item = 1; item <= 4; item++) rows.push({ id: uuidv5(`line ${line}/${item}/0`, sessionId), session_id: hers, event_type: 'thinking', event_data: { iteration: 0, toolsUsed: [], text: 'squatting' } });
      const squat = await mallory.client.from('session_events').insert(rows);
      assert.equal(squat.error, null, squat.error?.message);
      await writeFile(gate, '');
      // Before, ada's run hung here for minutes (each such event retried for ≈ 13 minutes).
      assert.equal(await run.exited, 0, run.stderr());
      const stored = await query<{ id: string; event_type: string }>('select id, event_type from public.session_events where session_id = $1 order by session_seq', [sessionId]);
      assert.ok(stored.length > 20, `the run's events are stored (${stored.length})`);
      const squatted = new Set(rows.map((r) => r.id));
      assert.equal(stored.filter((e) => squatted.has(e.id)).length, 0);
      assert.equal(stored.at(-1)!.event_type, 'state_changed', 'the session ended');
    });

    it('an id another session already uses is an error at once, never "stored", and later events go on', async () => {
      const hers = await ownSession(mallory);
      const taken = randomUUID();
      const squat = await mallory.client.from('session_events').insert({ id: taken, session_id: hers, event_type: 'thinking', event_data: { iteration: 0, toolsUsed: [] } });
      assert.equal(squat.error, null, squat.error?.message);
      const mine = await ownSession(ada);
      const manager = new SessionLifecycleManager(ada.client, { maxAttempts: 30 });
      try {
        const outcome = await manager.emitEvent(mine, 'thinking', { iteration: 1, toolsUsed: [] }, { id: taken });
        assert.equal(outcome.status, 'failed', JSON.stringify(outcome));
        assert.match((outcome as { error: string }).error, /already used by another session/);
        const next = await manager.emitEvent(mine, 'thinking', { iteration: 2, toolsUsed: [] });
        assert.equal(next.status, 'stored');
        // The same event sent twice to its own session is still stored once.
        const again = randomUUID();
        assert.equal((await manager.emitEvent(mine, 'thinking', { iteration: 3, toolsUsed: [] }, { id: again })).status, 'stored');
        const twice = await manager.emitEvent(mine, 'thinking', { iteration: 3, toolsUsed: [] }, { id: again });
        assert.equal(twice.status, 'stored');
        assert.equal((await query('select 1 from public.session_events where id = $1', [again])).length, 1);
      } finally {
        manager.dispose();
      }
    });
  });

  describe('the agent inherits nothing that steers it', () => {
    const commandOf = (id: string) => query<{ outcome: string | null; reason: string | null }>('select outcome, reason from public.session_commands where id = $1', [id]).then((r) => r[0]!);
    const handled = (id: string) => until(`command ${id} handled`, async () => (await commandOf(id)).outcome !== null, 30_000).then(() => commandOf(id));

    it('no credential in its environment; an approval sent with the sign-in the runner uses (its saved login) is refused; a viewer’s is done', async () => {
      const config = path.join(dir, `login-${randomUUID()}`);
      const login = await runCliToEnd(['login', '--email', ada.email], { SUPABASE_URL: env.SUPABASE_URL, SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY, SESSION_STREAM_CONFIG_DIR: config, SESSION_STREAM_PASSWORD: ada.password });
      assert.equal(login.code, 0, login.stderr);
      const envFile = path.join(dir, `env-${randomUUID()}.json`);
      // The runner signs in with the saved login; the service key and a password sit in its environment too.
      const run = runCli(['run', '--format', 'claude', '--', process.execPath, AGENT, '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', '--permission-prompt-tool', 'stdio', 'ask'], {
        SUPABASE_URL: env.SUPABASE_URL,
        SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
        SESSION_STREAM_CONFIG_DIR: config,
        SUPABASE_SERVICE_ROLE_KEY: stack().env.SERVICE_ROLE_KEY,
        SESSION_STREAM_PASSWORD: ada.password,
        SUPABASE_ACCESS_TOKEN: '',
        STANDIN_REQUEST: REQUEST,
        STANDIN_ENV_FILE: envFile,
      });
      running.push(run);
      const sessionId = (await run.waitForLine(/^SESSION_ID=/)).slice('SESSION_ID='.length);
      await until('the agent waits', async () => (await query<{ state: string }>('select state from public.coding_sessions where id = $1', [sessionId]))[0]?.state === 'waiting', 30_000);
      const inherited = JSON.parse(await readFile(envFile, 'utf8')) as Record<string, string>;
      for (const name of ['SUPABASE_SERVICE_ROLE_KEY', 'SESSION_STREAM_PASSWORD', 'SESSION_STREAM_CONFIG_DIR', 'SUPABASE_ACCESS_TOKEN']) assert.equal(inherited[name], undefined, `${name} reached the agent`);
      assert.equal(inherited.SUPABASE_URL, env.SUPABASE_URL, 'the project address is no secret');
      assert.match(run.stderr(), /Not passed to the agent \(credentials\): .*SUPABASE_SERVICE_ROLE_KEY/);

      const [row] = await query<{ waiting_for: unknown }>('select waiting_for from public.coding_sessions where id = $1', [sessionId]);
      const request = parseWaitingFor(row!.waiting_for)[0]!;
      const hash = await inputHash(request.detail!);
      assert.equal(hash, request.inputHash, 'the whole input is shown, and its hash published');
      // The agent runs as the same OS user: it finds the saved login and approves its own request with it.
      const saved = JSON.parse(await readFile(path.join(config, 'login.json'), 'utf8')) as { refreshToken: string };
      const stolen = client();
      const refreshed = await stolen.auth.refreshSession({ refresh_token: saved.refreshToken });
      assert.equal(refreshed.error, null, refreshed.error?.message);
      const self = await sendCommand(stolen, sessionId, 'approve', { agentRequestId: request.id, inputHash: hash });
      const selfOutcome = await handled(self.id);
      assert.equal(selfOutcome.outcome, 'refused', JSON.stringify(selfOutcome));
      assert.match(selfOutcome.reason!, /sign-in this runner uses/);
      // A viewer (VS Code: a sign-in of its own) approving something else than what is asked: refused.
      const wrong = await sendCommand(ada.client, sessionId, 'approve', { agentRequestId: request.id, inputHash: await inputHash(`${request.detail!} `) });
      assert.match((await handled(wrong.id)).reason!, /not what the agent asks/);
      // The viewer approving exactly what is shown: the agent goes on.
      const ok: SessionCommand = await sendCommand(ada.client, sessionId, 'approve', { agentRequestId: request.id, inputHash: hash });
      assert.equal((await handled(ok.id)).outcome, 'done');
      await run.waitForLine(/allow/);
    });

    it('login --token takes the token from standard input or SUPABASE_ACCESS_TOKEN, never from the command line', async () => {
      const config = path.join(dir, `token-${randomUUID()}`);
      const base = { SUPABASE_URL: env.SUPABASE_URL, SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY, SESSION_STREAM_CONFIG_DIR: config };
      const token = ada.session.access_token;
      const inArgv = await runCliToEnd(['login', '--token', token], base);
      assert.equal(inArgv.code, 2);
      assert.match(inArgv.stderr, /not on the command line/);
      assert.ok(!inArgv.stderr.includes(token), 'the token is not repeated back');
      const piped = await runCliToEnd(['login', '--token'], base, token);
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal((JSON.parse(await readFile(path.join(config, 'login.json'), 'utf8')) as { accessToken: string }).accessToken, token);
      const fromEnv = await runCliToEnd(['login', '--token'], { ...base, SUPABASE_ACCESS_TOKEN: token });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
    });
  });

  describe('watch with hostile files', () => {
    const saved = async (state: string, file: string) => {
      try {
        return (JSON.parse(await readFile(state, 'utf8')) as { files: Record<string, { lines: number }> }).files[file]?.lines ?? 0;
      } catch {
        return 0;
      }
    };
    const peakRssMiB = async (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

    it('a 600 MB line is shown as one "too long" event and the rest is read; the other files are followed; memory stays bounded', async () => {
      const root = path.join(dir, `projects-${randomUUID()}`);
      const lines = (await readFile(path.resolve(__dirname, '../fixtures/agents/claude-transcript/full-session.jsonl'), 'utf8')).split('\n').filter(Boolean);
      const huge = path.join(root, '-work-a', 'a-huge.jsonl');
      const fine = path.join(root, '-work-b', 'b-fine.jsonl');
      await mkdir(path.dirname(huge), { recursive: true });
      await mkdir(path.dirname(fine), { recursive: true });
      // A sparse file: 600 MB of one line costs no disk.
      await writeFile(huge, `${lines.slice(0, 3).join('\n')}\n{"type":"user","x":"`);
      const size = 600 * 1024 * 1024;
      await truncate(huge, size);
      await appendFile(huge, `"}\n${lines.slice(3, 5).join('\n')}\n`);
      const others = (await readFile(path.resolve(__dirname, '../fixtures/agents/claude-transcript/full-session-two.jsonl'), 'utf8')).split('\n').filter(Boolean);
      await writeFile(fine, `${others.slice(0, 5).join('\n')}\n`);
      const state = path.join(dir, `watch-${randomUUID()}.json`);
      const watch = runCli(['watch', '--format', 'claude-transcript', root, '--interval-ms', '50', '--state', state, '--quiet'], env);
      running.push(watch);
      await until('both files read to their end', async () => (await saved(state, huge)) === 6 && (await saved(state, fine)) === 5, 90_000);
      const peak = process.platform === 'linux' ? await peakRssMiB(watch.child.pid!) : 0;
      watch.child.kill('SIGINT');
      assert.equal(await watch.exited, 0, watch.stderr());
      assert.ok(peak < 400, `watch peaked at ${peak.toFixed(0)} MiB reading a 600 MB line`);
      const sessions = await query<{ id: string }>("select id from public.coding_sessions where user_id = $1 and source = 'claude' and title like 'Claude Code in %'", [ada.id]);
      const texts = await Promise.all(sessions.map((x) => query<{ text: string | null }>("select event_data->>'text' as text from public.session_events where session_id = $1 order by session_seq", [x.id])));
      const withLong = texts.filter((t) => t.some((e) => /is 600\.0 MiB, longer than the 8\.0 MiB a line may be/.test(e.text ?? '')));
      assert.equal(withLong.length, 1, `the long line is shown once, as such: ${JSON.stringify(texts.map((t) => t.map((e) => (e.text ?? '').slice(0, 80))))}`);
      assert.equal(withLong[0]!.filter((e) => /longer than the/.test(e.text ?? '')).length, 1);
      assert.ok(texts.length >= 2 && texts.every((t) => t.length > 1), 'the other file was followed too');
    });

    it('a followed file swapped for a link to a secret is not read', async () => {
      const root = path.join(dir, `projects-${randomUUID()}`);
      const file = path.join(root, '-work-c', 'c.jsonl');
      const other = path.join(root, '-work-d', 'd.jsonl');
      await mkdir(path.dirname(file), { recursive: true });
      await mkdir(path.dirname(other), { recursive: true });
      const lines = (await readFile(path.resolve(__dirname, '../fixtures/agents/claude-transcript/full-session.jsonl'), 'utf8')).split('\n').filter(Boolean);
      const others = (await readFile(path.resolve(__dirname, '../fixtures/agents/claude-transcript/full-session-two.jsonl'), 'utf8')).split('\n').filter(Boolean);
      await writeFile(file, `${lines.slice(0, 3).join('\n')}\n`);
      await writeFile(other, `${others.slice(0, 3).join('\n')}\n`);
      const secret = path.join(dir, `id_rsa-${randomUUID()}`);
      await writeFile(secret, `${lines.slice(0, 3).join('\n')}\n-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n`);
      const state = path.join(dir, `watch-${randomUUID()}.json`);
      const watch = runCli(['watch', '--format', 'claude-transcript', root, '--interval-ms', '50', '--state', state], env);
      running.push(watch);
      await until('both files are read', async () => (await saved(state, file)) === 3 && (await saved(state, other)) === 3, 30_000);
      await rm(file);
      await symlink(secret, file);
      // Looks go one after another: once the other file's growth is read, the link was seen too.
      await appendFile(other, `${others.slice(3, 5).join('\n')}\n`);
      await until('the other file grew', async () => (await saved(state, other)) === 5, 30_000);
      watch.child.kill('SIGINT');
      await watch.exited;
      const leaked = await query<{ n: string }>("select count(*) as n from public.session_events e join public.coding_sessions s on s.id = e.session_id where s.user_id = $1 and e.event_data::text like '%PRIVATE KEY%'", [ada.id]);
      assert.equal(Number(leaked[0]!.n), 0);
    });
  });

  describe('the lifecycle is the database’s', () => {
    it('nobody writes a state_changed event but the database: not the user, not the worker', async () => {
      const mine = await ownSession(ada);
      const forged = { session_id: mine, event_type: 'state_changed', event_data: { from: 'running', to: 'completed', reason: 'forged' } };
      const byUser = await ada.client.from('session_events').insert(forged);
      assert.equal(byUser.error?.code, '42501', JSON.stringify(byUser.error));
      const svc = client(stack().env.SERVICE_ROLE_KEY);
      const byWorker = await svc.from('session_events').insert(forged);
      assert.match(byWorker.error?.message ?? '', /written by the database when a session changes state/);
      // The manager says so before sending.
      const manager = new SessionLifecycleManager(ada.client);
      const outcome = await manager.emitEvent(mine, 'state_changed', { from: 'running', to: 'completed' });
      assert.equal(outcome.status, 'refused');
      manager.dispose();
      const moved = await ada.client.from('coding_sessions').update({ state: 'running', state_reason: 'go' }).eq('id', mine);
      assert.equal(moved.error, null, moved.error?.message);
      const events = await query<{ event_data: { to: string } }>("select event_data from public.session_events where session_id = $1 and event_type = 'state_changed'", [mine]);
      assert.deepEqual(events.map((e) => e.event_data.to), ['running'], 'one, from the state change');
      const emitted = await runCliToEnd(['emit', '--session', mine, '--type', 'state_changed', '--data', '{"from":"running","to":"completed"}'], { SUPABASE_URL: env.SUPABASE_URL, SUPABASE_SERVICE_ROLE_KEY: stack().env.SERVICE_ROLE_KEY });
      assert.equal(emitted.code, 2);
      assert.match(emitted.stderr, /change the session's state instead/);
    });

    it('tail --exit-when-done ends when the session is over, not when an event says so', async () => {
      const mine = await ownSession(ada);
      await ada.client.from('coding_sessions').update({ state: 'running' }).eq('id', mine);
      const tail = runCli(['tail', '--session', mine, '--json', '--exit-when-done'], { SUPABASE_URL: env.SUPABASE_URL, SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY, SESSION_STREAM_EMAIL: ada.email, SESSION_STREAM_PASSWORD: ada.password });
      running.push(tail);
      await tail.waitForLine(/"state":"joined"/);
      // A row written past every check (a project without this version's migrations, or its admin).
      await query("insert into public.session_events (session_id, event_type, event_data) values ($1, 'state_changed', '{\"from\":\"running\",\"to\":\"completed\",\"reason\":\"forged\"}')", [mine]);
      await until('tail says it follows on', async () => /but the session is running; following on/.test(tail.stderr()), 20_000);
      assert.equal(tail.child.exitCode, null, 'still following');
      const done = await ada.client.from('coding_sessions').update({ state: 'completed' }).eq('id', mine);
      assert.equal(done.error, null);
      assert.equal(await tail.exited, 0);
    });

    it('nobody but the service role chooses a session id: a deleted session’s id is not taken again', async () => {
      const mine = await ownSession(ada);
      const chosen = await ada.client.from('coding_sessions').insert({ id: randomUUID(), user_id: ada.id, title: 'my id' });
      assert.equal(chosen.error?.code, '42501', JSON.stringify(chosen.error));
      assert.equal((await ada.client.from('coding_sessions').delete().eq('id', mine)).error, null);
      const again = await ada.client.from('coding_sessions').insert({ id: mine, user_id: ada.id, title: 'same id' });
      assert.ok(again.error, 'refused');
    });
  });

  describe('limits as hosted Supabase has them', () => {
    it('a title or stats of 900 KB are refused; the role limits requests in time as hosted does (anon 3 s, authenticated 8 s)', async () => {
      const big = 'x'.repeat(900 * 1024);
      const title = await ada.client.from('coding_sessions').insert({ user_id: ada.id, title: big });
      assert.match(title.error?.message ?? '', /coding_sessions_title_size/);
      const mine = await ownSession(ada);
      const stats = await ada.client.from('coding_sessions').update({ stats: { note: big } }).eq('id', mine);
      assert.match(stats.error?.message ?? '', /coding_sessions_stats_size/);
      await query("create or replace function public.test_statement_timeout() returns text language sql stable as $$ select current_setting('statement_timeout') $$", []);
      await query('grant execute on function public.test_statement_timeout() to anon, authenticated', []);
      assert.equal((await ada.client.rpc('test_statement_timeout')).data, '8s');
      assert.equal((await client().rpc('test_statement_timeout')).data, '3s');
      await query('drop function public.test_statement_timeout()', []);
    });

    it("the largest event's broadcast fits what hosted Realtime delivers on the Free plan (256,500 bytes)", async () => {
      const mine = await ownSession(ada);
      // event_data of exactly the cap, as the database measures it (jsonb text); the longest type name.
      const data = { x: 'x'.repeat(MAX_EVENT_DATA_BYTES - '{"x": ""}'.length) };
      const [row] = await query<{ bytes: number }>("insert into public.session_events (session_id, event_type, event_data) values ($1, 'files_changed', $2) returning octet_length(event_data::text) as bytes", [mine, data]);
      assert.equal(row!.bytes, MAX_EVENT_DATA_BYTES);
      await assert.rejects(query("insert into public.session_events (session_id, event_type, event_data) values ($1, 'files_changed', $2)", [mine, { x: `${data.x}x` }]), /event_data_size_check/);
      const [message] = await query<{ bytes: number; id: string }>("select octet_length(payload::text) as bytes, payload->>'id' as id from realtime.messages where topic = $1 order by inserted_at desc limit 1", [`session:${mine}`]);
      // What a subscriber receives: the message's payload in Realtime's envelope.
      const envelope = Buffer.byteLength(JSON.stringify({ type: 'broadcast', event: 'INSERT', payload: 0, meta: { id: message!.id } })) - 1;
      const broadcast = message!.bytes + envelope;
      assert.ok(broadcast <= 256_500, `the broadcast is ${broadcast} bytes`);
    });

    it('a user who writes faster than the budget is slowed down (53400, retried), not lost', async () => {
      const mine = await ownSession(ada);
      await ada.client.from('coding_sessions').update({ state: 'running' }).eq('id', mine);
      // Spend the burst at once: 20,000 rows in 100 statements of 200.
      const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ session_id: mine, event_type: 'thinking', event_data: { iteration: i, toolsUsed: [] } }));
      let refused: { code?: string; message: string } | undefined;
      for (let i = 0; i < 110 && !refused; i++) {
        const r = await ada.client.from('session_events').insert(rows(200));
        if (r.error) refused = r.error;
      }
      assert.equal(refused?.code, '53400', JSON.stringify(refused));
      assert.match(refused!.message, /Write budget used up/);
      // The worker takes it as a pause: the event is stored once the budget has refilled a little.
      const manager = new SessionLifecycleManager(ada.client, { retryInitialMs: 200, retryMaxMs: 1000 });
      try {
        const outcome = await manager.emitEvent(mine, 'thinking', { iteration: 1, toolsUsed: [], text: 'after the burst' });
        const settled = outcome.status === 'queued' ? await manager.whenSettled(outcome.id) : outcome;
        assert.equal(settled.status, 'stored', JSON.stringify(settled));
      } finally {
        manager.dispose();
      }
      // Others are not slowed down by it.
      const theirs = await ownSession(mallory);
      await mallory.client.from('coding_sessions').update({ state: 'running' }).eq('id', theirs);
      assert.equal((await mallory.client.from('session_events').insert(rows(1).map((r) => ({ ...r, session_id: theirs })))).error, null);
    });
  });
});
