// Contract 3 (docs/architecture.md): `npm run tail` as a user runs it, through a network cut.
import assert from 'node:assert/strict';
import { addAnnotation, deleteAnnotation, editAnnotation } from '../../src/core/annotations';
import { createSupabaseClient } from '../../src/core/supabaseClient';
import { SessionLifecycleManager } from '../../src/worker/sessionLifecycleManager';
import { runCli, runCliToEnd } from '../support/cli';
import { FaultProxy } from '../support/faultProxy';
import { sleep } from '../support/wait';
import { adminClient, createSession, signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';


describe('npm run tail (contract 3)', function () {
  this.timeout(90_000);
  let user: TestUser;
  let proxy: FaultProxy;
  let worker: SessionLifecycleManager;
  const env = () => ({ SUPABASE_URL: proxy.url, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SESSION_STREAM_EMAIL: user.email, SESSION_STREAM_PASSWORD: user.password });

  before(async () => {
    user = await signUp();
    worker = new SessionLifecycleManager(createSupabaseClient(stack().env.API_URL, stack().env.SERVICE_ROLE_KEY));
    proxy = new FaultProxy(Number(new URL(stack().env.API_URL).port));
    await proxy.start();
  });
  after(async () => proxy.close());

  it('--json prints history then live events, each exactly once in seq order, across a connection cut', async () => {
    const session = await createSession(user.id);
    for (let i = 0; i < 3; i++) await worker.emitEvent(session, 'thinking', { iteration: i });
    const tail = runCli(['tail', '--session', session, '--json'], env());
    try {
      await tail.waitForLine((l) => l.includes('"state":"joined"'));
      for (let i = 3; i < 40; i++) {
        await worker.emitEvent(session, 'thinking', { iteration: i });
        if (i === 10) proxy.cut();
        if (i === 20) proxy.restore();
        await sleep(40);
      }
      const admin = await adminClient();
      const expected = (await admin.query<{ id: string; seq: string }>('select id, seq from public.session_events where session_id = $1 order by seq', [session])).rows;
      await admin.end();
      await tail.waitForLine((l) => l.includes(expected.at(-1)!.id), 20_000);
      const lines = tail.lines.map((l) => JSON.parse(l) as { kind: string; state?: string; event?: { id: string; seq: number; sessionId: string } });
      const events = lines.filter((l) => l.kind === 'event').map((l) => l.event!);
      assert.deepEqual(events.map((e) => e.id), expected.map((r) => r.id), 'exactly once, in order, nothing missing');
      assert.ok(events.every((e) => e.sessionId === session));
      const states = lines.filter((l) => l.kind === 'status').map((l) => l.state);
      assert.equal(states[0], 'joining');
      assert.ok(states.includes('reconnecting'), `saw ${states.join(', ')}`);
      assert.equal(states.at(-1), 'joined');
    } finally {
      tail.child.kill('SIGTERM');
    }
    assert.equal(await tail.exited, 0);
  });

  it('prints readable lines, shows control characters instead of obeying them, and --exit-when-done stops at the end', async () => {
    const session = await createSession(user.id);
    await worker.transition(session, 'running', 'go');
    await worker.emitEvent(session, 'terminal', { command: 'echo <b>hi</b>', output: 'ok\u001b]0;evil title\u0007\n', exitCode: 2 });
    await worker.completeSession(session, { iterations: 1, inputTokens: 2, outputTokens: 3, toolCalls: 4 }, 'Done.');
    const r = await runCliToEnd(['tail', '--session', session, '--exit-when-done'], env(), undefined, 30_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /state\s+pending → running/);
    assert.match(r.stdout, /terminal\s+\$ echo <b>hi<\/b>\s+exit 2/);
    assert.match(r.stdout, /ok\\x1b\]0;evil title\\x07/);
    assert.match(r.stdout, /completed Done\.\s+1 steps · 4 tool calls · 2\/3 tokens/);
    assert.ok(!r.stdout.includes(String.fromCharCode(7)), "no raw BEL reaches the terminal");
  });

  it('--comments follows the comments on events too: loaded, added, edited, deleted (JSON and readable)', async () => {
    const session = await createSession(user.id);
    const stored = await worker.emitEvent(session, 'thinking', { iteration: 1 });
    const eventId = (stored as { event: { id: string } }).event.id;
    const first = await addAnnotation(user.client, session, eventId, 'Already here');
    const tail = runCli(['tail', '--session', session, '--json', '--comments'], env());
    const readable = runCli(['tail', '--session', session, '--comments'], env());
    try {
      await tail.waitForLine((l) => l.includes('Already here'));
      await tail.waitForLine((l) => l.includes('"state":"joined"'));
      await readable.waitForLine(/comment .* on #\d+: Already here/);
      const live = await addAnnotation(user.client, session, eventId, 'Live <b>one</b>\nsecond line');
      // Seen before it goes: a comment added and deleted at once may never be sent (see the local
      // Realtime's visibility check), as on hosted Realtime.
      await tail.waitForLine((l) => l.includes('Live <b>one</b>'));
      await editAnnotation(user.client, first.id, 'Already here, edited');
      await deleteAnnotation(user.client, live.id);
      await tail.waitForLine((l) => l.includes('"change":"removed"'));
      const comments = tail.lines.map((l) => JSON.parse(l) as { kind: string; change?: string; annotation?: { id: string; body: string; authorName: string }; id?: string }).filter((l) => l.kind === 'comment');
      assert.deepEqual(comments.map((c) => [c.change, c.annotation?.body ?? c.id]), [['upserted', 'Already here'], ['upserted', 'Live <b>one</b>\nsecond line'], ['upserted', 'Already here, edited'], ['removed', live.id]]);
      assert.equal(comments[0]!.annotation!.authorName, user.email);
      await readable.waitForLine(/deleted/);
      assert.ok(readable.lines.some((l) => /comment .* on #\d+: Live <b>one<\/b> … \(1 more line\)/.test(l)), readable.lines.join('\n'));
      assert.ok(readable.lines.some((l) => /on #\d+ \(edited\): Already here, edited/.test(l)));
    } finally {
      tail.child.kill('SIGTERM');
      readable.child.kill('SIGTERM');
    }
    assert.equal(await tail.exited, 0);
  });

  it('refuses bad input with exit 2 and says what to do', async () => {
    const noSession = await runCliToEnd(['tail'], env());
    assert.equal(noSession.code, 2);
    assert.match(noSession.stderr, /--session must be a session id/);
    const wrong = await runCliToEnd(['tail', '--session', '00000000-0000-4000-8000-000000000000'], { ...env(), SESSION_STREAM_PASSWORD: 'wrong password' });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /Could not sign in .*: Invalid login credentials/);
    const delivery = await runCliToEnd(['tail', '--session', '00000000-0000-4000-8000-000000000000', '--delivery', 'carrier-pigeon'], env());
    assert.equal(delivery.code, 2);
    assert.match(delivery.stderr, /--delivery must be broadcast or postgres_changes, got "carrier-pigeon"/);
    const nobody = await runCliToEnd(['tail', '--session', '00000000-0000-4000-8000-000000000000'], { ...env(), SESSION_STREAM_EMAIL: '', SESSION_STREAM_PASSWORD: '' });
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /Who is watching\?/);
  });
});
