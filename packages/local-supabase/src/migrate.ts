// Applies the local platform bootstrap (bootstrap.sql, beside this file and in the bundle's folder),
// then the project's Supabase migrations (recorded in
// supabase_migrations.schema_migrations as the CLI does, so a persistent data dir only gets new
// ones), then seed.sql on a database that had none applied before. Migrations and the seed run as
// `postgres`, which is no superuser, as `supabase db reset` and hosted Supabase apply them: what
// would fail there fails here first.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { parseMigrations, pendingMigrations } from './migrations';

export interface ApplyResult {
  migrations: string[];
  seeded: boolean;
  /** The role they ran as: `postgres`, or the superuser in a data dir made by an older version. */
  asRole: 'postgres' | 'superuser';
}

export async function applyDatabase(url: string, supabaseDir: string): Promise<ApplyResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(await readFile(path.join(__dirname, 'bootstrap.sql'), 'utf8'));
    const applied = new Set(
      (await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    const dir = path.join(supabaseDir, 'migrations');
    const pending = pendingMigrations(parseMigrations(await readdir(dir)), applied);
    const superuser = (await client.query<{ rolsuper: boolean }>("select rolsuper from pg_roles where rolname = 'postgres'")).rows[0]?.rolsuper ?? true;
    const asPostgres = superuser ? '' : 'set local role postgres';
    for (const migration of pending) {
      const sql = await readFile(path.join(dir, migration.fileName), 'utf8');
      await client.query('begin');
      try {
        if (asPostgres) await client.query(asPostgres);
        await client.query(sql);
        await client.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
          [migration.version, migration.name, [sql]],
        );
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`Migration ${migration.fileName} failed: ${(error as Error).message}`);
      }
    }
    const seeded = applied.size === 0 && pending.length > 0;
    if (seeded) {
      await client.query('begin');
      if (asPostgres) await client.query(asPostgres);
      await client.query(await readFile(path.join(supabaseDir, 'seed.sql'), 'utf8'));
      await client.query('commit');
    }
    return { migrations: pending.map((m) => m.fileName), seeded, asRole: superuser ? 'superuser' : 'postgres' };
  } finally {
    await client.end();
  }
}
