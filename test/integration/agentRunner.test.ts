// The agent runner (src/worker/agentRunner.ts) on its own, as VS Code's Run Agent… and `run` use
// it: an agent that is done before the runner has signed in still has every line stored.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';
import { Journal } from '../../src/worker/journal';
import { runAgent, type RunnerUser } from '../../src/worker/agentRunner';
import { query } from '../support/sql';
import { until } from '../support/wait';

const RECORDING = path.resolve(__dirname, '../fixtures/agents/claude/stream-2.1.7-basic.jsonl');

describe('the agent runner', function () {
  this.timeout(60_000);
  let user: TestUser;
  let dir: string;

  before(async () => {
    user = await signUp();
    dir = await mkdtemp(path.join(os.tmpdir(), 'runner-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('an agent that ends before the sign-in does: its output waits, is stored in order, and the run ends with its code', async () => {
    // A stand-in Claude Code that prints a recorded run at once and leaves a mark when it has exited.
    const done = path.join(dir, 'exited');
    const agent = path.join(dir, 'claude');
    await writeFile(agent, `#!/usr/bin/env node\nprocess.on('exit', () => require('fs').writeFileSync(${JSON.stringify(done)}, ''));\nprocess.stdout.write(require('fs').readFileSync(${JSON.stringify(RECORDING)}, 'utf8'));\n`, { mode: 0o755 });
    const lines: string[] = [];
    const signIn = async (): Promise<RunnerUser> => {
      await until('the agent has exited', () => existsSync(done));
      return { client: user.client, userId: user.id, who: user.email, connection: { url: stack().env.API_URL }, authSession: async () => undefined, dispose() {} };
    };
    const code = await runAgent({
      argv: [agent, '-p', '--output-format', 'stream-json', '--verbose', 'answer'],
      format: 'claude',
      signIn,
      journal: () => new Journal(path.join(dir, 'journal')),
      out: { line: (t) => lines.push(t), event() {}, note() {}, agentStderr() {} },
    });
    assert.equal(code, 0);
    const sessionId = lines[0]!.replace('SESSION_ID=', '');
    const events = await query<{ event_type: string }>('select event_type from public.session_events where session_id = $1 order by session_seq', [sessionId]);
    assert.deepEqual(events.map((e) => e.event_type), ['state_changed', 'thinking', 'completion', 'state_changed']);
    assert.match(lines.at(-1)!, /^Session completed: 3 lines/);
  });
});
