/** Migration files as the Supabase CLI names them: `<14-digit timestamp>_<name>.sql`. */
export interface MigrationFile {
  version: string;
  name: string;
  fileName: string;
}

const MIGRATION_NAME = /^(\d{14})_([A-Za-z0-9_-]+)\.sql$/;

/**
 * Parses and orders migration file names. Anything that is not a migration is ignored, as the
 * Supabase CLI does, but two files with one version are an error (the CLI would refuse them too).
 */
export function parseMigrations(fileNames: readonly string[]): MigrationFile[] {
  const migrations: MigrationFile[] = [];
  const seen = new Map<string, string>();
  for (const fileName of fileNames) {
    const match = MIGRATION_NAME.exec(fileName);
    if (!match) continue;
    const [, version, name] = match as unknown as [string, string, string];
    const other = seen.get(version);
    if (other) throw new Error(`Migrations ${other} and ${fileName} share version ${version}; rename one.`);
    seen.set(version, fileName);
    migrations.push({ version, name, fileName });
  }
  return migrations.sort((a, b) => a.version.localeCompare(b.version));
}

/**
 * The migrations still to apply. A recorded version that no file has any more means the database
 * is ahead of (or diverged from) this checkout: refuse, rather than guess.
 */
export function pendingMigrations(all: readonly MigrationFile[], applied: ReadonlySet<string>): MigrationFile[] {
  const known = new Set(all.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v)).sort();
  if (unknown.length > 0) {
    throw new Error(
      `The database has migrations this checkout does not (${unknown.join(', ')}). ` +
        'Use a fresh data dir (delete .session-stream/) or check out the matching revision.',
    );
  }
  return all.filter((m) => !applied.has(m.version));
}
