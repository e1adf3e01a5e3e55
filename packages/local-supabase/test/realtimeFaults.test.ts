import assert from 'node:assert/strict';
import { adminClient, client, Collector, createSession, emit, sessionChannel, signUp, stack, type Status, statusUntil, type TestUser, until } from '../testing';

type Row = Record<string, unknown>;

describe('local stack: Realtime through token changes and restarts', function () {
  this.timeout(40_000);
  let alice: TestUser;
  let session: string;

  before(async () => {
    alice = await signUp();
    session = await createSession(alice.id);
  });
  afterEach(() => alice.client.removeAllChannels());

  it('keeps the channel when supabase-js pushes a refreshed token', async () => {
    const got = new Collector<Row>();
    const statuses: Status[] = [];
    sessionChannel(alice.client, session, got.push).subscribe((s) => statuses.push(s as Status));
    await statusUntil(statuses, 'SUBSCRIBED');
    const refreshed = await client().auth.refreshSession({ refresh_token: alice.session.refresh_token });
    assert.equal(refreshed.error, null);
    alice.session = refreshed.data.session!;
    await alice.client.realtime.setAuth(alice.session.access_token);
    await emit(session);
    await got.waitFor(1);
    assert.deepEqual(statuses, ['SUBSCRIBED']);
  });

  it('closes the channel when the access token expires, as real Realtime does (CLOSED, no auto-rejoin)', async () => {
    const shortLived = await stack().keys.sign({ role: 'authenticated', sub: alice.id, aud: 'authenticated' }, 2);
    const c = client();
    await c.realtime.setAuth(shortLived);
    const statuses: Status[] = [];
    const system = new Collector<Record<string, unknown>>();
    c.channel(`session:${session}`)
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'session_events', filter: `session_id=eq.${session}` }, () => undefined)
      .on('system', {}, (payload: Record<string, unknown>) => system.push(payload))
      .subscribe((s) => statuses.push(s as Status));
    await statusUntil(statuses, 'SUBSCRIBED');
    await statusUntil(statuses, 'CLOSED', 10_000);
    assert.ok(system.items.some((m) => m.status === 'error' && /expired/i.test(String(m.message))), JSON.stringify(system.items));
    await c.removeAllChannels();
  });

  it('refuses to join with an already expired token (CHANNEL_ERROR with the reason)', async () => {
    const expired = await stack().keys.sign({ role: 'authenticated', sub: alice.id }, -1);
    const c = client();
    await c.realtime.setAuth(expired);
    const statuses: Status[] = [];
    let message = '';
    c.channel(`session:${session}`).subscribe((s, error) => {
      statuses.push(s as Status);
      message = error?.message ?? message;
    });
    await statusUntil(statuses, 'CHANNEL_ERROR');
    assert.match(message, /expired/i);
    await c.removeAllChannels();
  });

  it('after a gateway restart, supabase-js reconnects by itself and receives new inserts', async () => {
    const got = new Collector<Row>();
    const statuses: Status[] = [];
    sessionChannel(alice.client, session, got.push).subscribe((s) => statuses.push(s as Status));
    await statusUntil(statuses, 'SUBSCRIBED');
    await stack().restartGateway();
    // The socket dropped; supabase-js rejoins on its own schedule (≈1 s).
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 15_000;
      const poll = () => {
        if (statuses.filter((s) => s === 'SUBSCRIBED').length >= 2) resolve();
        else if (Date.now() > deadline) reject(new Error(`no second SUBSCRIBED: ${statuses.join(', ')}`));
        else setTimeout(poll, 20);
      };
      poll();
    });
    const row = await emit(session);
    const rows = await got.waitFor(1);
    assert.equal(rows.at(-1)!.id, row.id);
  });

  it('after a PostgreSQL restart, the gateway resumes CDC from its slot and delivers new inserts', async () => {
    const got = new Collector<Row>();
    const statuses: Status[] = [];
    sessionChannel(alice.client, session, got.push).subscribe((s) => statuses.push(s as Status));
    await statusUntil(statuses, 'SUBSCRIBED');
    await stack().db.stopServer();
    // Raw fetch: supabase-js itself retries a 503 GET for ≈7 s, which would only slow the test.
    const down = await fetch(`${stack().env.API_URL}/rest/v1/coding_sessions`, {
      headers: { apikey: stack().env.ANON_KEY, authorization: `Bearer ${alice.session.access_token}` },
    });
    assert.equal(down.status, 503, 'REST says the database is unavailable');
    assert.match(((await down.json()) as { message: string }).message, /Database unavailable/);
    await stack().db.startAgain();
    const row = await emit(session);
    const rows = await got.waitFor(1, 15_000);
    assert.equal(rows[0]!.id, row.id);
    const health = (await (await fetch(`${stack().env.API_URL}/health`)).json()) as { replication: string };
    assert.equal(health.replication, 'connected');
  });

  it('a change it cannot check against RLS is not dropped: the channel errors, and supabase-js rejoins (so a stream backfills)', async () => {
    const admin = await adminClient();
    try {
      // A table whose policy fails (an error, not a "no") the first time it is asked: a sequence
      // counts the calls, and it is not rolled back with the failed check.
      await admin.query(`create table if not exists public.route_probe (id uuid primary key default gen_random_uuid(), owner uuid not null);
        create sequence if not exists public.route_probe_calls;
        alter table public.route_probe enable row level security;
        alter table public.route_probe replica identity full;
        create or replace function public.route_probe_check(p_owner uuid) returns boolean language plpgsql security definer set search_path = '' as $$
        begin
          if nextval('public.route_probe_calls') = 1 then raise exception 'the policy failed'; end if;
          return p_owner = (select auth.uid());
        end $$;
        drop policy if exists "flaky" on public.route_probe;
        create policy "flaky" on public.route_probe for select to authenticated using (public.route_probe_check(owner));
        grant select on public.route_probe to authenticated;`);
      await admin.query("do $$ begin alter publication supabase_realtime add table public.route_probe; exception when duplicate_object then null; end $$");
      const statuses: Status[] = [];
      alice.client
        .channel('route-probe')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'route_probe' }, () => undefined)
        .subscribe((s) => statuses.push(s as Status));
      await statusUntil(statuses, 'SUBSCRIBED');
      await admin.query('insert into public.route_probe (owner) values ($1)', [alice.id]);
      await statusUntil(statuses, 'CHANNEL_ERROR', 10_000);
      await until('both channels subscribed', () => statuses.filter((s) => s === 'SUBSCRIBED').length === 2);
      assert.deepEqual(statuses.slice(0, 3), ['SUBSCRIBED', 'CHANNEL_ERROR', 'SUBSCRIBED']);
      const stats = (await (await fetch(`${stack().env.API_URL}/stats`)).json()) as { routingFailures: number };
      assert.ok(stats.routingFailures >= 1);
    } finally {
      await admin.query('alter publication supabase_realtime drop table public.route_probe').catch(() => undefined);
      await admin.end();
    }
  });

  it('a row deleted right after it was inserted is no channel error: its INSERT is not sent (nothing is left to check), the DELETE is', async () => {
    type Change = { eventType: string; new: { id?: string; title?: string }; old: { id?: string } };
    const changes = new Collector<Change>();
    const statuses: Status[] = [];
    alice.client
      .channel(`sessions:${alice.id}`)
      .on('postgres_changes', { event: '*', schema: 'public', table: 'coding_sessions', filter: `user_id=eq.${alice.id}` }, (p) => changes.push(p as unknown as Change))
      .subscribe((s) => statuses.push(s as Status));
    await statusUntil(statuses, 'SUBSCRIBED');
    const admin = await adminClient();
    try {
      const insert = async (title: string) => (await admin.query<{ id: string }>('insert into public.coding_sessions (user_id, title) values ($1, $2) returning id', [alice.id, title])).rows[0]!.id;
      // In one transaction: the change arrives with its row already gone.
      await admin.query('begin');
      const sameTransaction = await insert('gone in the same transaction');
      await admin.query('delete from public.coding_sessions where id = $1', [sameTransaction]);
      await admin.query('commit');
      // In two, as when someone adds something and takes it back at once.
      const twoTransactions = await insert('gone right after');
      await admin.query('delete from public.coding_sessions where id = $1', [twoTransactions]);
      // Changes are delivered in commit order: once this one is here, the ones before are decided.
      const kept = await insert('kept');
      await until('the session inserted afterwards', () => changes.items.some((c) => c.eventType === 'INSERT' && c.new.id === kept), 10_000);
      assert.deepEqual(statuses, ['SUBSCRIBED'], 'the channel was never errored');
      const deleted = changes.items.filter((c) => c.eventType === 'DELETE').map((c) => c.old.id);
      assert.deepEqual(deleted, [sameTransaction, twoTransactions]);
      assert.ok(!changes.items.some((c) => c.eventType === 'INSERT' && c.new.id === sameTransaction), 'a row that never was visible is not sent');
      const stats = (await (await fetch(`${stack().env.API_URL}/stats`)).json()) as { rlsGone: number };
      assert.ok(stats.rlsGone >= 1, JSON.stringify(stats));
    } finally {
      await admin.end();
    }
  });
});
