// The agent is not the user: what another user, or the agent we watch, can no longer do to a
// session through the real stack with unmodified supabase-js and the real command line (each case
// reproduced an attack on the code before its change; docs/reliability.md, "Hardening review").
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { SessionLifecycleManager } from '../../src/worker/sessionLifecycleManager';
import { runCli, type CliProcess } from '../support/cli';
import { query } from '../support/sql';
import { signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';

const REPLAY = path.resolve(__dirname, '../support/replayAgent.mjs');
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
      const run = runCli(['run', '--quiet', '--format', 'claude', '--', process.execPath, REPLAY, FIXTURE], { ...env, REPLAY_WAIT_FOR: gate, REPLAY_GAP_MS: '5' });
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
      assert.deepEqual(stored.slice(-2).map((e) => e.event_type), ['completion', 'state_changed']);
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
});
