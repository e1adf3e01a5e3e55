// Sessions of any length against the real stack, as the signed-in user: keyset pages by number and
// type from the start, the middle and the end of a 30,000-event session; its length and counts per
// type; server search (rare and common terms, types, the next batch, LIKE characters taken as text,
// a stranger refused); and the command line's `export` (JSON Lines and Markdown, the whole session
// in order) and `tail --since-seq` (everything after a number, then live).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fetchPage, searchSession, sessionLength, typeCounts } from '../../src/core/pages';
import { seqOf } from '../../src/shared/entries';
import { runCli, runCliToEnd } from '../support/cli';
import { fillSession } from '../support/longSession';
import { adminClient, createSession, emit, signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';

const N = 30_000;

describe('sessions of any length: pages, search, export, tail --since-seq', function () {
  this.timeout(180_000);
  let user: TestUser;
  let stranger: TestUser;
  let session: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    [user, stranger] = await Promise.all([signUp(), signUp()]);
    session = await createSession(user.id, 'a long run');
    const admin = await adminClient();
    try {
      await fillSession(admin, session, N);
    } finally {
      await admin.end();
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'long-'));
    env = { SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SUPABASE_SERVICE_ROLE_KEY: '', SESSION_STREAM_EMAIL: user.email, SESSION_STREAM_PASSWORD: user.password, SESSION_STREAM_CONFIG_DIR: path.join(dir, 'config') };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const seqs = (entries: Parameters<typeof seqOf>[0][]) => entries.map((e) => seqOf(e));

  it('pages before, after and around any number, with or without a type filter; the length and counts per type', async () => {
    assert.equal(await sessionLength(user.client, session), N);
    const start = await fetchPage(user.client, session, { direction: 'after', seq: 0, limit: 100 });
    assert.deepEqual(seqs(start.entries), Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal(start.reachedEnd, false);
    const end = await fetchPage(user.client, session, { direction: 'before', seq: Number.MAX_SAFE_INTEGER, limit: 100 });
    assert.deepEqual(seqs(end.entries), Array.from({ length: 100 }, (_, i) => N - 99 + i));
    const last = await fetchPage(user.client, session, { direction: 'after', seq: N - 10, limit: 100 });
    assert.equal(last.entries.length, 10);
    assert.equal(last.reachedEnd, true);
    const around = await fetchPage(user.client, session, { direction: 'around', seq: 15_000, limit: 10 });
    assert.deepEqual(seqs(around.entries), [14_995, 14_996, 14_997, 14_998, 14_999, 15_000, 15_001, 15_002, 15_003, 15_004]);
    const errors = await fetchPage(user.client, session, { direction: 'around', seq: 15_000, limit: 6, types: ['error'] });
    assert.deepEqual(seqs(errors.entries), [14_700, 14_800, 14_900, 15_000, 15_100, 15_200]);
    assert.ok(errors.entries.every((e) => e.kind === 'event' && e.event.type === 'error'));
    const counts = await typeCounts(user.client, session);
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), N);
    assert.equal(counts.error, N / 100);
    const none = await fetchPage(stranger.client, session, { direction: 'after', seq: 0, limit: 10 });
    assert.equal(none.entries.length, 0, 'a stranger reads nothing (RLS)');
  });

  it('searches the whole session: a rare term, a common one (counted to the cap), by type, the next batch; LIKE characters are text; a stranger is refused', async () => {
    // The generator plants the rare word in one event of 200,000 (event 72 here), in any case.
    const rare = await searchSession(user.client, session, 'ZebraCorn');
    assert.deepEqual([rare.total, rare.hits.map((h) => h.seq)], [1, [72]]);
    await emit(session, 'thinking', { iteration: 1, toolsUsed: [], text: 'A Quokka smiled at 100%_done' });
    const q = await searchSession(user.client, session, 'quokka');
    assert.deepEqual([q.total, q.hits.map((h) => h.seq)], [1, [N + 1]]);
    assert.match(q.hits[0]!.snippet, /a quokka smiled/);
    assert.equal((await searchSession(user.client, session, '100%_d')).total, 1, '% and _ are matched as text');
    assert.equal((await searchSession(user.client, session, '100x_d')).total, 0);
    const common = await searchSession(user.client, session, 'npm', { cap: 1000 });
    assert.equal(common.hits.length, 200);
    assert.deepEqual([common.total, common.capped], [1000, true]);
    const next = await searchSession(user.client, session, 'npm', { after: common.hits.at(-1)!.seq, count: false });
    assert.ok(next.hits[0]!.seq > common.hits.at(-1)!.seq);
    const onlyErrors = await searchSession(user.client, session, 'npm', { types: ['error'], cap: 100_000 });
    assert.equal(onlyErrors.total, N / 100);
    await assert.rejects(searchSession(stranger.client, session, 'npm'), /may not search/);
  });

  it('export: the whole session as JSON Lines, in order, and as Markdown with a header and fenced commands', async () => {
    const jsonl = path.join(dir, 'all.jsonl');
    const r = await runCliToEnd(['export', '--session', session, '--out', jsonl], env, undefined, 120_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Exported 30,001 events/);
    const lines = (await readFile(jsonl, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, N + 1);
    const numbers = lines.map((l) => (JSON.parse(l) as { seq: number }).seq);
    assert.ok(numbers.every((n, i) => n === i + 1), 'every event once, in order');
    const md = await runCliToEnd(['export', '--session', session, '--format', 'markdown', '--since-seq', String(N - 20)], env);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^## a long run\n\n\*\*State:\*\* pending/);
    assert.match(md.stdout, /```console\n\$ (npm test|git diff)/);
    assert.doesNotMatch(md.stdout, new RegExp(`#${N - 20}\\b`), 'only after --since-seq');
    assert.match(md.stdout, new RegExp(`#${N + 1} \\(\`read_file\`|#${N + 1}\\n`));
    const bad = await runCliToEnd(['export', '--session', session, '--format', 'pdf'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be jsonl or markdown/);
  });

  it('tail --since-seq: everything after the number, in order, then live', async () => {
    const tail = runCli(['tail', '--session', session, '--json', '--since-seq', String(N - 5)], env);
    try {
      await tail.waitForLine((l) => l.includes(`"seq":${N + 1},`), 60_000);
      const live = await emit(session, 'thinking', { iteration: 2, toolsUsed: [] });
      await tail.waitForLine((l) => l.includes(live.id), 30_000);
      const got = tail.lines.filter((l) => l.includes('"kind":"event"')).map((l) => (JSON.parse(l) as { event: { seq: number } }).event.seq);
      assert.deepEqual(got, [N - 4, N - 3, N - 2, N - 1, N, N + 1, N + 2]);
    } finally {
      tail.child.kill('SIGINT');
    }
  });
});
