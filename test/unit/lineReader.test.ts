import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FileRefused, readWholeLines } from '../../src/worker/lineReader';

describe('reading a growing file by whole lines, in bounded chunks', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lines-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('gives whole lines only (CRLF too); a last line without its newline waits', async () => {
    const file = path.join(dir, 'a.jsonl');
    await writeFile(file, 'one\r\ntwo\nthr');
    const r = await readWholeLines(file, 0, { chunkBytes: 2 });
    assert.deepEqual(r.lines.map((l) => (l.kind === 'line' ? l.text : '?')), ['one', 'two']);
    assert.equal(r.next, 9);
    await appendFile(file, 'ee\n');
    const more = await readWholeLines(file, r.next, { chunkBytes: 2 });
    assert.deepEqual(more.lines, [{ kind: 'line', text: 'three', end: 15 }]);
  });

  it('keeps a line over the limit as its size and start only, and reads on after it', async () => {
    const file = path.join(dir, 'long.jsonl');
    await writeFile(file, `first\n{"x":"${'y'.repeat(5000)}"}\nlast\n`);
    const r = await readWholeLines(file, 0, { maxLineBytes: 1000, chunkBytes: 256 });
    assert.equal(r.lines.length, 3);
    const long = r.lines[1]!;
    assert.equal(long.kind, 'long');
    assert.equal(long.kind === 'long' && long.bytes, 5008);
    assert.ok(long.kind === 'long' && long.head.startsWith('{"x":"yyy') && long.head.length === 200);
    assert.deepEqual(r.lines[2], { kind: 'line', text: 'last', end: 5020 });
  });

  it('a long line bigger than one read is skipped across reads, memory bounded by the budget', async () => {
    const file = path.join(dir, 'sparse.jsonl');
    // 64 MiB of one line (a sparse file: nothing is written), then more lines.
    await writeFile(file, 'a\n{');
    await truncate(file, 64 * 1024 * 1024);
    await appendFile(file, '}\nb\n');
    const seen: string[] = [];
    let from = 0;
    let skipping;
    for (let reads = 0; reads < 100; reads++) {
      const r = await readWholeLines(file, from, { budgetBytes: 4 * 1024 * 1024, maxLineBytes: 1024 * 1024, skipping });
      for (const l of r.lines) seen.push(l.kind === 'line' ? l.text : `long ${l.bytes}`);
      skipping = r.skipping;
      if (r.next === from && !skipping) break;
      from = r.next;
    }
    assert.deepEqual(seen, ['a', `long ${64 * 1024 * 1024 - 2 + 1}`, 'b']);
  });

  it('does not follow a file that became a symbolic link, nor one that leads out of its folder', async () => {
    const root = path.join(dir, 'root');
    await mkdir(root);
    const secret = path.join(dir, 'secret.txt');
    await writeFile(secret, 'PRIVATE KEY\n');
    await symlink(secret, path.join(root, 'swapped.jsonl'));
    await assert.rejects(readWholeLines(path.join(root, 'swapped.jsonl'), 0, { root }), FileRefused);
    if (process.platform === 'linux') {
      await mkdir(path.join(dir, 'elsewhere'));
      await writeFile(path.join(dir, 'elsewhere', 'x.jsonl'), 'PRIVATE\n');
      await symlink(path.join(dir, 'elsewhere'), path.join(root, 'linked-dir'));
      await assert.rejects(readWholeLines(path.join(root, 'linked-dir', 'x.jsonl'), 0, { root }), /leads out of/);
    }
  });
});
