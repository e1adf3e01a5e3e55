// The local Supabase-compatible stack: real PostgreSQL (embedded, in its own process) plus the
// gateway. Used by `npm run stack`, `npm start`, and the tests as a library.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startGateway, type Gateway } from './gateway';
import { Keys, loadOrCreateSecret } from './keys';
import { startPostgres, type LocalPostgres } from './localPostgres';
import { createLogger, type LogLevel, type Logger } from './log';
import { maintainPartitions } from './realtime/authorization';
import pg from 'pg';

export interface StackOptions {
  /** Gateway port on 127.0.0.1; 0 picks a free one. Default 54321 (as `supabase start`). */
  port?: number;
  /** Persistent data dir (database + JWT secret); temporary when omitted. */
  dataDir?: string;
  /** Access-token lifetime for sign-ins, seconds (default 3600). */
  jwtExpiry?: number;
  logLevel?: LogLevel | 'silent';
  /** Realtime idle timeout (ms). */
  idleTimeoutMs?: number;
  /** Realtime permessage-deflate (default false). */
  compression?: boolean;
}

export interface StackEnv {
  API_URL: string;
  ANON_KEY: string;
  SERVICE_ROLE_KEY: string;
  JWT_SECRET: string;
  DB_URL: string;
}

export interface Stack {
  readonly env: StackEnv;
  readonly db: LocalPostgres;
  readonly gateway: Gateway;
  readonly keys: Keys;
  /** Stops the gateway and starts a new one on the same port (clients see a server restart). */
  restartGateway(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = createLogger('stack', options.logLevel);
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const db = await startPostgres({
    dataDir: dataDir ? path.join(dataDir, 'db') : undefined,
    onLog: (line) => log.debug('postgres', { line }),
  });
  let partitionTimer: NodeJS.Timeout | undefined;
  try {
    await keepPartitions(db.url, log);
    partitionTimer = setInterval(() => void keepPartitions(db.url, log), 60 * 60 * 1000);
    partitionTimer.unref();
    const keys = await Keys.create(await loadOrCreateSecret(dataDir));
    const gatewayOptions = {
      dbUrl: db.apiUrl,
      replicationUrl: db.replicationUrl,
      keys,
      log: createLogger('gateway', options.logLevel),
      port: options.port ?? 54321,
      jwtExpiry: options.jwtExpiry ?? 3600,
      idleTimeoutMs: options.idleTimeoutMs,
      compression: options.compression,
    };
    let gateway = await startGateway(gatewayOptions);
    gatewayOptions.port = gateway.port;
    const env: StackEnv = {
      API_URL: gateway.url,
      ANON_KEY: keys.anonKey,
      SERVICE_ROLE_KEY: keys.serviceRoleKey,
      JWT_SECRET: keys.secret,
      DB_URL: db.url,
    };
    const stack: Stack = {
      env,
      db,
      keys,
      get gateway() {
        return gateway;
      },
      async restartGateway() {
        await gateway.close();
        gateway = await startGateway(gatewayOptions);
      },
      async stop() {
        clearInterval(partitionTimer);
        await gateway.close().catch((error: unknown) => log.warn('gateway close failed', { error: String(error) }));
        await db.stop();
      },
    };
    return stack;
  } catch (error) {
    clearInterval(partitionTimer);
    await db.stop();
    throw error;
  }
}

/** realtime.messages' daily partitions (Broadcast from Database stores nothing without them). */
async function keepPartitions(url: string, log: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await maintainPartitions(client);
  } catch (error) {
    log.warn('could not create realtime.messages partitions', { error: String(error) });
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function envLines(env: StackEnv): string {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

/** Writes the env file atomically (write a temp file, then rename), readable by the owner only. */
export async function writeEnvFile(file: string, env: StackEnv): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, envLines(env), { mode: 0o600 });
  await rename(temp, file);
}
