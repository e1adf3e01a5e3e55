// The local stack's one HTTP server on 127.0.0.1: /auth/v1 (GoTrue), /rest/v1 (PostgREST),
// /realtime/v1/websocket (Realtime), /health and /stats. Each part keeps serving when another
// request fails: every error becomes a response in the shape the real service uses.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createAuthHandler } from './auth';
import { CORS_HEADERS, HttpError, sendJson } from './http';
import type { Keys } from './keys';
import type { Logger } from './log';
import { ChangeFeed } from './realtime/cdc';
import { RealtimeServer } from './realtime/realtimeServer';
import { Catalog } from './rest/catalog';
import { isConnectionError } from './rest/pgErrors';
import { createRestHandler } from './rest/restHandler';

export interface GatewayOptions {
  /** The API's login (`authenticator`): it switches to anon, authenticated or service_role per request. */
  dbUrl: string;
  /** A login with the REPLICATION attribute, for change data capture (default: dbUrl). */
  replicationUrl?: string;
  keys: Keys;
  log: Logger;
  port: number;
  /** Access-token lifetime for sign-ins (seconds). */
  jwtExpiry: number;
  /** Realtime: close a silent socket after this long (ms). */
  idleTimeoutMs?: number;
  /** Realtime: permessage-deflate (default false). */
  compression?: boolean;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly changeFeed: ChangeFeed;
  readonly realtime: RealtimeServer;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, path: string) => Promise<void>;

/**
 * The request's URL, or undefined when its target is not a path this server can read. A target
 * such as `//` or `//x:y` parses as a URL of ANOTHER host (protocol-relative), and `new URL` throws
 * on some: either way it is refused with 400 instead of taking the process down.
 */
function requestUrl(target: string | undefined, base: string): URL | undefined {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    const parsed = new URL(target, base);
    return parsed.origin === new URL(base).origin ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { log, keys } = options;
  const pool = new pg.Pool({ connectionString: options.dbUrl, max: 16, application_name: 'session-stream-gateway' });
  pool.on('error', (error) => log.warn('database connection error', { error: error.message }));
  // Auth's tables, as GoTrue reaches them: the same login, in the role that owns that bookkeeping.
  const authPool = new pg.Pool({ connectionString: options.dbUrl, max: 4, application_name: 'session-stream-auth', options: '-c role=supabase_auth_admin' });
  authPool.on('error', (error) => log.warn('database connection error', { error: error.message }));
  const catalog = new Catalog(['public']);
  await catalog.load(pool as unknown as pg.ClientBase);

  const server: Server = createServer();
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });
  const url = `http://127.0.0.1:${address.port}`;

  const realtime = new RealtimeServer({ keys, pool, log, idleTimeoutMs: options.idleTimeoutMs, compression: options.compression });
  // Table changes for postgres_changes, and realtime.messages for Broadcast from Database.
  const changeFeed = new ChangeFeed(options.replicationUrl ?? options.dbUrl, log, 'supabase_realtime,supabase_realtime_messages_publication');
  changeFeed.on('transaction', (changes) => realtime.onTransaction(changes));
  changeFeed.on('connected', () => log.info('replication connected', { slot: changeFeed.slotName }));
  try {
    await changeFeed.start();
  } catch (error) {
    server.close();
    await pool.end();
    await authPool.end();
    throw error;
  }

  const routes: Array<[string, Handler]> = [
    ['/auth/v1/', createAuthHandler({ pool: authPool, keys, issuer: `${url}/auth/v1`, jwtExpiry: options.jwtExpiry })],
    ['/rest/v1/', createRestHandler({ pool, catalog, keys })],
    ['/realtime/v1/api/', (req, res, reqUrl, rest) => realtime.handleApi(req, res, reqUrl, rest)],
  ];

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const reqUrl = requestUrl(req.url, url);
    if (!reqUrl) {
      sendJson(res, 400, { message: 'Bad request: the path is not a valid URL path.', hint: 'Paths start with a single /, e.g. /rest/v1/coding_sessions.' });
      return;
    }
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
    const done = () => log.debug('request', { method: req.method, path: reqUrl.pathname, status: res.statusCode, ms: Date.now() - started });
    res.once('finish', done);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (reqUrl.pathname === '/health') {
      sendJson(res, 200, { status: 'ok', replication: changeFeed.connected ? 'connected' : 'reconnecting' });
      return;
    }
    if (reqUrl.pathname === '/stats') {
      sendJson(res, 200, { ...realtime.stats(), pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } });
      return;
    }
    const route = routes.find(([prefix]) => reqUrl.pathname.startsWith(prefix));
    if (!route) {
      sendJson(res, 404, { message: `No route for ${req.method} ${reqUrl.pathname}`, hint: 'The local stack serves /auth/v1, /rest/v1 and /realtime/v1.' });
      return;
    }
    route[1](req, res, reqUrl, reqUrl.pathname.slice(route[0].length)).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendJson(res, error.status, error.body);
        return;
      }
      if (isConnectionError(error)) {
        sendJson(res, 503, { code: 'PGRST000', message: `Database unavailable: ${(error as Error).message}`, details: null, hint: 'Is PostgreSQL running?' });
        return;
      }
      log.error('request failed', { path: reqUrl.pathname, error: String(error) });
      sendJson(res, 500, { message: `Internal error: ${(error as Error).message}` });
    });
  });

  server.on('upgrade', (req, socket, head) => {
    const reqUrl = requestUrl(req.url, url);
    if (!reqUrl) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    if (reqUrl.pathname !== '/realtime/v1/websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    realtime.handleUpgrade(req, socket, head, reqUrl).catch((error: unknown) => {
      log.error('websocket upgrade failed', { error: String(error) });
      socket.destroy();
    });
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      realtime.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await changeFeed.stop();
      await pool.end();
      await authPool.end();
    })());

  log.info('gateway listening', { url });
  return { url, port: address.port, changeFeed, realtime, close };
}
