import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveInWorkspace } from '../../src/core/pathGuard';

describe('path guard for FILE_CHANGE paths', () => {
  let root: string;
  let outside: string;
  before(async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'guard-'));
    root = path.join(base, 'ws');
    outside = path.join(base, 'secret');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(root, 'src/app.ts'), '');
    await writeFile(path.join(outside, 'key.pem'), '');
    await symlink(outside, path.join(root, 'escape'));
    await symlink(path.join(outside, 'key.pem'), path.join(root, 'key-link.pem'));
    await symlink(path.join(root, 'src'), path.join(root, 'src-link'));
  });
  after(async () => rm(path.dirname(root), { recursive: true, force: true }));

  it('accepts files inside the folder, existing or not yet written', async () => {
    assert.deepEqual(await resolveInWorkspace(root, 'src/app.ts'), { ok: true, absolute: path.join(root, 'src/app.ts'), relative: 'src/app.ts', exists: true });
    const missing = await resolveInWorkspace(root, 'src/new/file.ts');
    assert.equal(missing.ok && missing.exists, false);
    assert.equal(missing.ok, true);
    assert.equal((await resolveInWorkspace(root, './src/./app.ts')).ok, true);
    assert.equal((await resolveInWorkspace(root, 'src-link/app.ts')).ok, true, 'a symlink that stays inside is fine');
    assert.equal((await resolveInWorkspace(root, '%2e%2e/%2e%2e/etc/passwd')).ok, true, 'percent-encoding is a literal file name, not a climb');
  });

  const hostile: Array<[string, unknown, RegExp]> = [
    ['absolute POSIX', '/etc/passwd', /absolute paths are not accepted/],
    ['dot-dot', '../secret/key.pem', /climbs out/],
    ['dot-dot inside', 'src/../../secret/key.pem', /climbs out/],
    ['Windows dot-dot', '..\\..\\Windows\\system.ini', /climbs out/],
    ['Windows drive', 'C:\\Users\\me\\.ssh\\id_rsa', /absolute paths/],
    ['Windows drive, forward slashes', 'c:/x', /absolute paths/],
    ['UNC', '\\\\server\\share\\x', /absolute paths/],
    ['symlinked folder out', 'escape/key.pem', /symbolic link that leads outside/],
    ['symlinked file out', 'key-link.pem', /symbolic link that leads outside/],
    ['NUL byte', 'src/app.ts\u0000.png', /NUL byte/],
    ['very long', `${'a/'.repeat(3000)}x`, /characters long \(limit 4096\)/],
    ['empty', '', /empty/],
    ['not a string', 42, /empty/],
  ];
  for (const [name, candidate, reason] of hostile) {
    it(`refuses ${name}`, async () => {
      const result = await resolveInWorkspace(root, candidate);
      assert.equal(result.ok, false);
      assert.match((result as { reason: string }).reason, reason);
    });
  }

  it('opens the real file a link inside the folder points to, not the link (a link swapped in later is not followed)', async () => {
    const viaLink = await resolveInWorkspace(root, 'src-link/app.ts');
    assert.equal(viaLink.ok && viaLink.absolute, path.join(root, 'src/app.ts'));
  });

  it('accepts names that merely start with two dots', async () => {
    await writeFile(path.join(root, '..env.example'), '');
    const dots = await resolveInWorkspace(root, '..env.example');
    assert.deepEqual(dots, { ok: true, absolute: path.join(root, '..env.example'), relative: '..env.example', exists: true });
    assert.equal((await resolveInWorkspace(root, 'src/..hidden/x.ts')).ok, true);
    assert.equal((await resolveInWorkspace(root, '../ws/src/app.ts')).ok, false, 'a real .. still climbs out');
  });
});
