// `session-stream doctor` as a user runs it: agent CLIs found on PATH (here stand-ins that answer
// --version as the real ones do), their session folders, the project, the sign-in and the
// migrations — each problem with what to do, and the exit code.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliToEnd } from '../support/cli';
import { signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';

describe('session-stream doctor', function () {
  this.timeout(60_000);
  let user: TestUser;
  let home: string;
  let bin: string;

  before(async () => {
    user = await signUp();
    home = mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
    bin = path.join(home, 'bin');
    mkdirSync(bin);
    // A Claude Code of a version we test, and a Codex CLI of one we do not; no Gemini CLI.
    writeFileSync(path.join(bin, 'claude'), '#!/bin/sh\necho "2.1.197 (Claude Code)"\n');
    writeFileSync(path.join(bin, 'codex'), '#!/bin/sh\necho "codex-cli 9.9.9"\n');
    for (const f of ['claude', 'codex']) chmodSync(path.join(bin, f), 0o755);
    mkdirSync(path.join(home, '.claude/projects/-work'), { recursive: true });
    writeFileSync(path.join(home, '.claude/projects/-work/a.jsonl'), '{}\n');
  });

  const env = (extra: NodeJS.ProcessEnv = {}) => ({ HOME: home, PATH: `${bin}:/usr/bin:/bin`, XDG_CONFIG_HOME: path.join(home, '.config'), SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SESSION_STREAM_EMAIL: user.email, SESSION_STREAM_PASSWORD: user.password, ...extra });

  it('names each agent with its version, says which versions we test, and finds their session files; the project answers and the user is signed in', async () => {
    const r = await runCliToEnd(['doctor', '--json'], env());
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const report = JSON.parse(r.stdout) as { ok: boolean; agents: Array<{ what: string; level: string; detail: string; next?: string }>; project: Array<{ what: string; level: string; detail: string }> };
    const [claude, codex, gemini] = report.agents;
    assert.equal(claude!.level, 'ok');
    assert.match(claude!.detail, /^2\.1\.197 at .*\/bin\/claude; a version we test; session files in .*\.claude\/projects \(1\)$/);
    assert.equal(codex!.level, 'warn');
    assert.match(codex!.detail, /9\.9\.9 .*not a version we test \(we test 0\.171\.0\)/);
    assert.equal(gemini!.level, 'warn');
    assert.match(gemini!.next!, /npm install -g @google\/gemini-cli@0\.61\.0/);
    assert.deepEqual(report.project.map((c) => c.level), ['ok', 'ok', 'ok']);
    assert.match(report.project[1]!.detail, new RegExp(user.email));
  });

  it('a dead server and a wrong password each say what to do, and exit 1', async () => {
    const dead = await runCliToEnd(['doctor'], env({ SUPABASE_URL: 'http://127.0.0.1:9' }));
    assert.equal(dead.code, 1);
    assert.match(dead.stdout, /✗ Supabase: http:\/\/127\.0\.0\.1:9 does not answer/);
    assert.match(dead.stdout, /→ is the project up\?/);
    const wrong = await runCliToEnd(['doctor'], env({ SESSION_STREAM_PASSWORD: 'not it' }));
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /✗ Sign-in: .*\n\s+→ session-stream login --email/);
  });
});
