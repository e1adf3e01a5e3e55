import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { adminClient, client, Collector, createSession, emit, serviceClient, sessionChannel, signUp, stack, subscribe, type TestUser } from '../testing';

/** A raw Phoenix socket (no supabase-js), to send what a well-behaved client never would. */
function rawSocket(vsn = '2.0.0', apikey = stack().env.ANON_KEY): Promise<WebSocket> {
  const url = `${stack().env.API_URL.replace('http', 'ws')}/realtime/v1/websocket?apikey=${apikey}&vsn=${vsn}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, match: (m: unknown) => boolean = () => true): Promise<unknown> {
  return new Promise((resolve) => {
    const on = (data: Buffer) => {
      const m = JSON.parse(data.toString()) as unknown;
      if (match(m)) {
        ws.off('message', on);
        resolve(m);
      }
    };
    ws.on('message', on);
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

describe('local stack: bad input gets the real service’s kind of error, and everyone else is served', () => {
  let alice: TestUser;
  let session: string;
  const live = new Collector<Record<string, unknown>>();

  before(async () => {
    alice = await signUp();
    session = await createSession(alice.id);
    // A well-behaved subscriber that must keep working through everything below.
    assert.equal((await subscribe(sessionChannel(alice.client, session, live.push))).status, 'SUBSCRIBED');
  });
  after(() => alice.client.removeAllChannels());
  afterEach(async () => {
    const before = live.items.length;
    await emit(session);
    await live.waitFor(before + 1);
  });

  it('refuses a WebSocket without a valid apikey (401) and an unknown vsn', async () => {
    await assert.rejects(rawSocket('2.0.0', 'wrong'), /HTTP 401/);
    await assert.rejects(rawSocket('9.9.9'), /HTTP 400/);
  });

  it('closes a socket that sends a malformed frame with 1007', async () => {
    for (const frame of ['not json', '{"an":"object"}', '[1,2,3]', '["1","1","t","e","not an object"]']) {
      const ws = await rawSocket();
      const code = closed(ws);
      ws.send(frame);
      assert.equal(await code, 1007, frame);
    }
  });

  it('closes a socket that sends an oversize frame with 1009', async () => {
    const ws = await rawSocket();
    const code = closed(ws);
    ws.send(JSON.stringify([null, '1', 'realtime:x', 'broadcast', { blob: 'x'.repeat(2 * 1024 * 1024) }]));
    assert.equal(await code, 1009);
  });

  it('bounds what one socket can make the gateway do: bindings per join, channels per socket, and work left when it closes', async () => {
    const binding = { event: 'INSERT', schema: 'public', table: 'session_events', filter: `session_id=eq.${session}` };
    const join = (ws: WebSocket, ref: string, topic: string, count: number) => ws.send(JSON.stringify([ref, ref, `realtime:${topic}`, 'phx_join', { config: { postgres_changes: Array.from({ length: count }, () => binding) }, access_token: alice.session.access_token }]));
    const ws = await rawSocket();
    const tooMany = nextMessage(ws, (m) => Array.isArray(m) && m[1] === '1');
    join(ws, '1', 'wide', 101);
    assert.match(JSON.stringify(await tooMany), /Too many postgres_changes bindings \(101; at most 100 per channel\)/);
    for (let i = 0; i < 100; i++) join(ws, String(100 + i), `t${i}`, 1);
    const refused = nextMessage(ws, (m) => Array.isArray(m) && m[1] === '999');
    join(ws, '999', 'one-too-many', 1);
    assert.match(JSON.stringify(await refused), /Too many channels on this socket \(at most 100\)/);
    ws.close();
    // A flood of joins, then the socket closes at once: what it asked for is dropped, not done.
    const stats = async () => ((await (await fetch(`${stack().env.API_URL}/stats`)).json()) as { changeSubscribers: number; connections: number });
    const baseline = (await stats()).changeSubscribers;
    const flood = await rawSocket();
    for (let i = 0; i < 40; i++) join(flood, String(i + 1), `flood${i}`, 100);
    flood.terminate();
    const end = Date.now() + 10_000;
    while ((await stats()).changeSubscribers > baseline && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await stats()).changeSubscribers <= baseline, 'no subscriber is left behind for a closed socket');
  });

  it('answers an event on a topic that was never joined with "unmatched topic"', async () => {
    const ws = await rawSocket();
    const reply = nextMessage(ws);
    ws.send(JSON.stringify([null, '7', 'realtime:nowhere', 'broadcast', { event: 'x', payload: {} }]));
    assert.deepEqual(await reply, [null, '7', 'realtime:nowhere', 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } }]);
    ws.close();
  });

  it('speaks vsn 1.0.0 JSON objects too', async () => {
    const ws = await rawSocket('1.0.0');
    const reply = nextMessage(ws, (m) => (m as { event: string }).event === 'phx_reply');
    ws.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1', join_ref: null }));
    assert.deepEqual(await reply, { join_ref: null, ref: '1', topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } });
    const joined = nextMessage(ws, (m) => (m as { event: string }).event === 'phx_reply');
    const change = nextMessage(ws, (m) => (m as { event: string }).event === 'postgres_changes');
    ws.send(JSON.stringify({
      topic: 'realtime:v1', event: 'phx_join', ref: '2', join_ref: '2',
      payload: { config: { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'session_events', filter: `session_id=eq.${session}` }] }, access_token: alice.session.access_token },
    }));
    assert.equal(((await joined) as { payload: { status: string } }).payload.status, 'ok');
    const row = await emit(session);
    const data = ((await change) as { payload: { data: { record: { id: string } } } }).payload.data;
    assert.equal(data.record.id, row.id);
    ws.close();
  });

  it('reports bad postgres_changes bindings as CHANNEL_ERROR with the reason', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ event: 'INSERT', schema: 'public', table: 'no_such_table' }, /Unable to subscribe/],
      [{ event: 'INSERT', schema: 'public', table: 'session_events', filter: 'session_id=like.x' }, /operator "like"/],
      [{ event: 'INSERT', schema: 'public', table: 'session_events', filter: 'garbage' }, /invalid filter/],
      [{ event: 'INSERT', schema: 'public', table: 'session_events', filter: 'nope=eq.1' }, /column "nope" does not exist/],
    ];
    for (const [binding, reason] of cases) {
      const channel = alice.client.channel(`bad:${JSON.stringify(binding)}`).on('postgres_changes', binding as never, () => undefined);
      const result = await subscribe(channel);
      assert.equal(result.status, 'CHANNEL_ERROR', JSON.stringify(binding));
      assert.match(result.error ?? '', reason);
      await alice.client.removeChannel(channel);
    }
  });

  it('refuses a join with a forged access token', async () => {
    const c = client();
    await c.realtime.setAuth(`${alice.session.access_token.slice(0, -3)}xyz`);
    const result = await subscribe(c.channel('forged'));
    assert.equal(result.status, 'CHANNEL_ERROR');
    assert.match(result.error ?? '', /Invalid JWT/);
    await c.removeAllChannels();
  });

  it('REST: invalid JSON, oversize bodies, unknown operators, unfiltered UPDATE/DELETE and injection attempts get 4xx, and nothing changes', async () => {
    const base = `${stack().env.API_URL}/rest/v1`;
    const headers = { apikey: stack().env.SERVICE_ROLE_KEY, authorization: `Bearer ${stack().env.SERVICE_ROLE_KEY}`, 'content-type': 'application/json' };
    const invalid = await fetch(`${base}/session_events`, { method: 'POST', headers, body: '{"session_id":' });
    assert.equal(invalid.status, 400);
    assert.equal(((await invalid.json()) as { code: string }).code, 'PGRST102');
    const huge = await fetch(`${base}/session_events`, { method: 'POST', headers, body: JSON.stringify({ x: 'y'.repeat(2 * 1024 * 1024) }) });
    assert.equal(huge.status, 413);
    const op = await fetch(`${base}/session_events?seq=between.1`, { headers });
    assert.equal(op.status, 400);
    assert.equal(((await op.json()) as { code: string }).code, 'PGRST100');
    for (const method of ['DELETE', 'PATCH']) {
      const unfiltered = await fetch(`${base}/coding_sessions`, { method, headers, body: method === 'PATCH' ? '{"title":"x"}' : undefined });
      assert.equal(unfiltered.status, 400, `${method} without a filter`);
      assert.equal(((await unfiltered.json()) as { code: string }).code, '21000');
    }
    const injectColumn = await fetch(`${base}/session_events?select=id;drop table public.session_events`, { headers });
    assert.equal(injectColumn.status, 400);
    const injectValue = await serviceClient().from('session_events').select('id').eq('event_type', "x'; drop table public.session_events; --");
    assert.deepEqual(injectValue.data, []);
    const admin = await adminClient();
    try {
      const { rows } = await admin.query("select to_regclass('public.session_events') is not null as present");
      assert.equal(rows[0].present, true);
    } finally {
      await admin.end();
    }
  });
});
