// Bounded fuzzing of the gateway (fixed seed, a few seconds, local address only): random Phoenix
// frames and random REST requests. Afterwards the gateway must be healthy, must never have
// answered with a 5xx, and a normal supabase-js subscriber must still get its events.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Collector, createSession, emit, pick, seededRandom, sessionChannel, signUp, stack, subscribe } from '../testing';

const SEED = Number(process.env.FUZZ_SEED ?? 1907);
const BUDGET_MS = 3000;
const MAX_CASES = 2000;

describe(`local stack: bounded fuzz (seed ${SEED}, ≤ ${BUDGET_MS} ms)`, function () {
  this.timeout(30_000);

  it('survives random frames and requests, never answers 5xx, and keeps serving a normal client', async () => {
    const random = seededRandom(SEED);
    const user = await signUp();
    const session = await createSession(user.id);
    const got = new Collector<Record<string, unknown>>();
    assert.equal((await subscribe(sessionChannel(user.client, session, got.push))).status, 'SUBSCRIBED');

    const { API_URL, ANON_KEY, SERVICE_ROLE_KEY } = stack().env;
    const keys = [ANON_KEY, SERVICE_ROLE_KEY, user.session.access_token, 'garbage', ''];
    const topics = ['phoenix', 'realtime:x', `realtime:session:${session}`, '', '\u0000'];
    const events = ['phx_join', 'phx_leave', 'heartbeat', 'broadcast', 'presence', 'access_token', 'postgres_changes', 'nope'];
    const values = (): unknown => pick(random, [null, 1, -1, 'x', '', true, [], {}, { config: { postgres_changes: [{ event: pick(random, ['INSERT', '*', 'X']), schema: pick(random, ['public', 'auth', '']), table: pick(random, ['session_events', 'coding_sessions', 'x']), filter: pick(random, [undefined, 'session_id=eq.1', 'seq=gt.x', '=']) }] }, access_token: pick(random, keys) }, { event: 'track', payload: { a: 1 } }, { access_token: pick(random, keys) }]);
    const frame = (): string | Buffer => {
      switch (Math.floor(random() * 4)) {
        case 0:
          return JSON.stringify([pick(random, [null, '1', 2]), pick(random, [null, '3']), pick(random, topics), pick(random, events), values()]);
        case 1:
          return Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)));
        case 2:
          return JSON.stringify(values());
        default:
          return String.fromCharCode(...Array.from({ length: Math.floor(random() * 32) }, () => Math.floor(random() * 0x7f)));
      }
    };
    const paths = ['/rest/v1/session_events', '/rest/v1/coding_sessions', '/rest/v1/rpc/x', '/rest/v1/', '/auth/v1/token', '/auth/v1/signup', '/auth/v1/user', '/auth/v1/logout', '/nope', '/rest/v1/session_events/extra'];
    const queries = ['', '?select=*', '?select=(', '?seq=gt.', '?order=seq.sideways', '?limit=-1', '?id=in.(a,"b', '?event_type=eq.%00', '?grant_type=password', '?or=(a.eq.1)'];

    const sockets: WebSocket[] = [];
    let statuses5xx: string[] = [];
    let cases = 0;
    const started = Date.now();
    while (Date.now() - started < BUDGET_MS && cases < MAX_CASES) {
      cases++;
      if (random() < 0.5) {
        if (sockets.length < 8 || random() < 0.05) {
          const ws = new WebSocket(`${API_URL.replace('http', 'ws')}/realtime/v1/websocket?apikey=${encodeURIComponent(pick(random, keys))}&vsn=${pick(random, ['1.0.0', '2.0.0', '3'])}`);
          ws.on('error', () => undefined);
          ws.on('unexpected-response', (_req, res) => {
            if ((res.statusCode ?? 0) >= 500) statuses5xx.push(`ws ${res.statusCode}`);
            res.resume();
          });
          sockets.push(ws);
        }
        const ws = pick(random, sockets);
        if (ws.readyState === ws.OPEN) ws.send(frame());
        await new Promise((resolve) => setImmediate(resolve));
      } else {
        const method = pick(random, ['GET', 'POST', 'PATCH', 'DELETE', 'HEAD', 'PUT']);
        const path = pick(random, paths) + pick(random, queries);
        const key = pick(random, keys);
        const res = await fetch(API_URL + path, {
          method,
          headers: { apikey: key, authorization: `Bearer ${pick(random, keys)}`, 'content-type': 'application/json', prefer: pick(random, ['', 'return=representation', 'count=exact', 'resolution=merge-duplicates']) },
          body: method === 'GET' || method === 'HEAD' ? undefined : pick(random, ['{', '[]', '{}', 'null', '[{"session_id":1}]', JSON.stringify({ email: 'x@y.z', password: 'p' }), '"str"']),
        });
        await res.arrayBuffer();
        if (res.status >= 500) statuses5xx.push(`${method} ${path} → ${res.status}`);
      }
    }
    for (const ws of sockets) ws.terminate();

    const health = await fetch(`${API_URL}/health`);
    assert.equal(health.status, 200);
    statuses5xx = [...new Set(statuses5xx)];
    assert.deepEqual(statuses5xx, [], `5xx answers (seed ${SEED})`);
    const row = await emit(session);
    const rows = await got.waitFor(1);
    assert.equal(rows.at(-1)!.id, row.id);
    assert.ok(cases > 100, `only ${cases} cases ran`);
    await user.client.removeAllChannels();
  });
});
