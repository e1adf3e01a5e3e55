// Contracts 2 and 4 (docs/architecture.md): `npm run emit` and `npm run demo` as a user runs them.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCliToEnd } from '../support/cli';
import { adminClient, createSession, signUp, stack } from '@agent-session-stream/local-supabase/testing';

const env = () => ({ SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SUPABASE_SERVICE_ROLE_KEY: stack().env.SERVICE_ROLE_KEY });

async function eventsOf(session: string) {
  const admin = await adminClient();
  try {
    return (await admin.query<{ event_type: string; event_data: Record<string, unknown> }>('select event_type, event_data from public.session_events where session_id = $1 order by seq', [session])).rows;
  } finally {
    await admin.end();
  }
}

describe('npm run emit / npm run demo (contracts 2 and 4)', function () {
  this.timeout(90_000);
  let dir: string;
  let session: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cli-worker-'));
    session = await createSession((await signUp()).id);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('emit prints the stored event as one JSON line (data as JSON, @FILE or stdin)', async () => {
    const inline = await runCliToEnd(['emit', '--session', session, '--type', 'thinking', '--data', '{"iteration":1,"toolsUsed":["bash"]}'], env());
    assert.equal(inline.code, 0, inline.stderr);
    const event = JSON.parse(inline.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(event), ['id', 'sessionId', 'seq', 'type', 'data', 'createdAt']);
    assert.equal(event.sessionId, session);
    assert.deepEqual(event.data, { iteration: 1, toolsUsed: ['bash'] });
    await writeFile(path.join(dir, 'data.json'), '{"command":"ls","exitCode":0}');
    const file = await runCliToEnd(['emit', '--session', session, '--type', 'terminal', '--data', `@${path.join(dir, 'data.json')}`], env());
    assert.equal(file.code, 0, file.stderr);
    const stdin = await runCliToEnd(['emit', '--session', session, '--type', 'file_change', '--data', '-'], env(), '{"path":"src/a.ts"}');
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.deepEqual((await eventsOf(session)).map((e) => e.event_type), ['thinking', 'terminal', 'file_change']);
  });

  it('emit exits 2 with a message that says what is wrong for bad input, and stores nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--session', 'abc', '--type', 'thinking', '--data', '{}'], /--session must be a session id \(a UUID\), got "abc"/],
      [['--session', session, '--type', 'teleport', '--data', '{}'], /--type must be one of thinking, .* got "teleport"/],
      [['--session', session, '--type', 'thinking', '--data', '{nope'], /--data is not valid JSON/],
      [['--session', session, '--type', 'thinking', '--data', '{"iteration":"x"}'], /Invalid event: thinking\.iteration/],
      [['--session', session, '--type', 'thinking'], /--data is required .* e\.g\. --data '\{"iteration":1/],
      [['--session', session, '--type', 'thinking', '--data', '@/nonexistent.json'], /Cannot read --data file \/nonexistent\.json: no such file/],
      [['--session', '00000000-0000-4000-8000-000000000000', '--type', 'thinking', '--data', '{"iteration":1}'], /There is no session 00000000-0000-4000-8000-000000000000/],
    ];
    const before = (await eventsOf(session)).length;
    for (const [args, message] of cases) {
      const r = await runCliToEnd(['emit', ...args], env());
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const wrongKey = await runCliToEnd(['emit', '--session', session, '--type', 'thinking', '--data', '{"iteration":1}'], { ...env(), SUPABASE_SERVICE_ROLE_KEY: stack().env.ANON_KEY });
    assert.equal(wrongKey.code, 2, wrongKey.stderr);
    assert.match(wrongKey.stderr, /Use the service-role key/);
    assert.equal((await eventsOf(session)).length, before);
  });

  it('emit exits 1 with "Cannot reach Supabase" when the server is dead', async () => {
    const r = await runCliToEnd(['emit', '--session', session, '--type', 'thinking', '--data', '{"iteration":1}', '--timeout', '1'], { ...env(), SUPABASE_URL: 'http://127.0.0.1:9' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot reach Supabase at http:\/\/127\.0\.0\.1:9/);
  });

  it('demo runs a full session: every event type, real files written and deleted, completed', async () => {
    const workspace = path.join(dir, 'ws');
    const r = await runCliToEnd(['demo', '--speed', '50', '--workspace', workspace], { ...env(), SESSION_STREAM_EMAIL: `demo-${Date.now()}@example.test` });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const id = /SESSION_ID=(\S+)/.exec(r.stdout)?.[1];
    assert.ok(id, r.stdout);
    assert.match(r.stdout, /npm run tail -- --session/);
    const events = await eventsOf(id);
    assert.deepEqual([...new Set(events.map((e) => e.event_type))].sort(), ['completion', 'file_change', 'files_changed', 'state_changed', 'terminal', 'thinking']);
    assert.ok(events.some((e) => e.event_type === 'terminal' && e.event_data.exitCode === 1), 'a failing command');
    assert.ok(events.some((e) => e.event_type === 'file_change' && e.event_data.action === 'delete'));
    assert.deepEqual(events.at(-1), { event_type: 'state_changed', event_data: { from: 'running', to: 'completed', reason: (events.at(-1)!.event_data as { reason: string }).reason } });
    assert.deepEqual((await readdir(path.join(workspace, 'src'))).sort(), ['format.test.ts', 'format.ts', 'greeting.test.ts', 'greeting.ts', 'index.ts']);
    assert.match(await readFile(path.join(workspace, 'src/greeting.ts'), 'utf8'), /Hello, \$\{name\}!/);
  });

  it('demo --fail ends in ERROR and state failed', async () => {
    const r = await runCliToEnd(['demo', '--speed', '50', '--fail', '--workspace', path.join(dir, 'ws2')], { ...env(), SESSION_STREAM_EMAIL: `demo-fail-${Date.now()}@example.test` });
    assert.equal(r.code, 0, r.stderr);
    const id = /SESSION_ID=(\S+)/.exec(r.stdout)![1]!;
    const types = (await eventsOf(id)).map((e) => e.event_type);
    assert.deepEqual(types.slice(-2), ['error', 'state_changed']);
  });
});
