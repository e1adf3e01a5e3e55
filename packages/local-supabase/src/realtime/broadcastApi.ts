// The REST broadcast API (`/realtime/v1/api/…`), as supabase-js uses it to send without joining.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { HttpError, parseJson, readBody, sendJson } from '../http';
import type { Keys } from '../keys';
import { requestClaims } from '../requestAuth';
import { writeAuthorization } from './authorization';

export interface BroadcastApiOptions {
  keys: Keys;
  pool: pg.Pool;
  /** Sends to every channel joined on `topic` with that privacy. */
  send(topic: string, isPrivate: boolean, event: string, payload: unknown): void;
}

/**
 * The REST broadcast API (`/realtime/v1/api/…`), as supabase-js uses it to send without joining:
 * `POST broadcast` with `{messages: [{topic, event, payload, private}]}` (202; a private message the
 * caller may not send is dropped, as Realtime does), and `POST broadcast/<topic>/events/<event>`
 * with the payload as body and `?private=true` (202, or 403 when not allowed).
 */
export async function handleBroadcastApi(req: IncomingMessage, res: ServerResponse, url: URL, rest: string, o: BroadcastApiOptions): Promise<void> {
  if (req.method !== 'POST') throw new HttpError(405, { message: `${req.method} is not supported here; use POST` });
  const claims = await requestClaims(o.keys, req, url);
  if (rest === 'broadcast') {
    const body = parseJson(await readBody(req, 1024 * 1024)) as { messages?: unknown };
    if (!Array.isArray(body?.messages)) throw new HttpError(422, { message: 'The body must be {"messages": [{"topic", "event", "payload", "private"}]}' });
    for (const raw of body.messages as Array<Record<string, unknown>>) {
      if (typeof raw?.topic !== 'string' || typeof raw.event !== 'string') throw new HttpError(422, { message: 'Each message needs a topic and an event (strings)' });
      const isPrivate = raw.private === true;
      if (isPrivate && !(await writeAuthorization(o.pool, claims, raw.topic, 'broadcast'))) continue;
      o.send(raw.topic, isPrivate, raw.event, raw.payload ?? {});
    }
    sendJson(res, 202, {});
    return;
  }
  const single = /^broadcast\/([^/]+)\/events\/([^/]+)$/.exec(rest);
  if (!single) throw new HttpError(404, { message: `No route for POST /realtime/v1/api/${rest}` });
  const [topic, event] = [decodeURIComponent(single[1]!), decodeURIComponent(single[2]!)];
  const isPrivate = url.searchParams.get('private') === 'true';
  if (isPrivate && !(await writeAuthorization(o.pool, claims, topic, 'broadcast'))) throw new HttpError(403, { message: 'Unauthorized' });
  o.send(topic, isPrivate, event, parseJson(await readBody(req, 1024 * 1024)));
  sendJson(res, 202, {});
}
