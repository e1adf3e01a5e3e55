import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { findSupabaseDir } from '../src/localPostgres';
import { parseMigrations, pendingMigrations } from '../src/migrations';

describe('migration files', () => {
  it('orders migrations by version and ignores other files', () => {
    const parsed = parseMigrations(['20260102000000_b.sql', 'README.md', '20260101000000_a.sql', 'x.sql']);
    assert.deepEqual(
      parsed.map((m) => m.fileName),
      ['20260101000000_a.sql', '20260102000000_b.sql'],
    );
    assert.equal(parsed[0]?.name, 'a');
  });

  it('refuses two files with one version', () => {
    assert.throws(() => parseMigrations(['20260101000000_a.sql', '20260101000000_b.sql']), /share version/);
  });

  it('returns only the migrations not yet applied', () => {
    const all = parseMigrations(['20260101000000_a.sql', '20260102000000_b.sql']);
    assert.deepEqual(
      pendingMigrations(all, new Set(['20260101000000'])).map((m) => m.version),
      ['20260102000000'],
    );
  });

  it('refuses a database that has migrations this checkout lacks', () => {
    const all = parseMigrations(['20260101000000_a.sql']);
    assert.throws(() => pendingMigrations(all, new Set(['20990101000000'])), /fresh data dir/);
  });

  it('every file in the project’s supabase/migrations follows the Supabase CLI naming', () => {
    const dir = path.join(findSupabaseDir(), 'migrations');
    const files = readdirSync(dir);
    assert.ok(files.length >= 4);
    assert.equal(parseMigrations(files).length, files.length, `misnamed files in ${dir}`);
  });
});
