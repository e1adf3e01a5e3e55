// Who may read or steer a session is decided in one place (migration 20261204000200): the sets
// readable_sessions() and steerable_sessions(), asked about one session by may_read_session(id)
// and may_steer_session(id). These tests read the catalog so that a policy or function that checks
// access on its own, inline, fails here, and check what the functions answer.
import assert from 'node:assert/strict';
import type pg from 'pg';
import { adminClient, asRole, createUser, insertSession } from '@agent-session-stream/local-supabase/testing';

/** Where access to a session is decided: a policy or function naming one of these asks it there. */
const SHARED = /\b(readable_sessions|steerable_sessions|may_read_session|may_steer_session)\(/;
/** The caller's own sessions: who runs a session (appends its events, handles its commands). Never shared. */
const OWNED = /\bowned_sessions\(/;

/** What each policy on a session's tables asks: the read rule, the steer rule, or ownership. */
const SESSION_POLICIES: Record<string, RegExp> = {
  'public.coding_sessions: Users can view their own sessions': /readable_sessions\(/,
  'public.session_events: Users can view their own session events': /readable_sessions\(/,
  'public.session_events: Users can append events to their own open sessions': /owned_sessions\(open_only => true\)/,
  'public.session_event_annotations: Viewers of a session read its annotations': /readable_sessions\(/,
  'public.session_event_annotations: Viewers of a session annotate it as themselves': /readable_sessions\(/,
  'public.session_read_markers: Users set their own markers on sessions they can see': /readable_sessions\(/,
  'public.session_commands: Session readers read its commands': /readable_sessions\(/,
  'public.session_commands: Session readers send commands to open sessions': /steerable_sessions\(/,
  'public.session_commands: Session owners handle its commands': OWNED,
  "public.session_shares: Owners see their sessions' shares, recipients their own": OWNED,
  "realtime.messages: Session readers read the session's private topic": /may_read_session\(/,
  "realtime.messages: Session readers show their presence on the session's private topic": /may_read_session\(/,
};

/** Policies about a row's own user (its author, its owner), not about access to a session. */
const OWN_ROW_POLICIES = [
  'public.coding_sessions: Users can create their own pending sessions',
  'public.coding_sessions: Users can move their own open sessions',
  'public.coding_sessions: Users can delete their own sessions',
  'public.session_event_annotations: Authors edit their own annotations',
  'public.session_event_annotations: Authors delete their own annotations',
  'public.session_read_markers: Users read their own markers',
  'public.session_read_markers: Users move their own markers',
  'public.session_read_markers: Users delete their own markers',
];

/** Policies of the user's own topic (`viewers:<user id>`, where their VS Code windows show they are online). */
const OWN_TOPIC_POLICIES = [
  'realtime.messages: Users see their own viewers online',
  'realtime.messages: Users show themselves online to their own viewers topic',
  'realtime.messages: Users read what is sent to their own viewers topic',
];

/** The functions that say who may do what; everything else asks them. */
const ACCESS_FUNCTIONS = ['readable_sessions', 'steerable_sessions', 'owned_sessions', 'may_read_session', 'may_steer_session'];

/**
 * Team management (migration 20261206000100): functions that take a team or a session id and decide
 * by the caller's role in the team (require_team_admin), or, for a session, by asking
 * owned_sessions() (require_session_owner) — never by comparing an owner themselves. What each must ask:
 */
const TEAM_FUNCTIONS: Record<string, RegExp> = {
  team_role_of: /public\.my_confirmed_email\(\)/,
  require_team_admin: /public\.team_role_of\(team\) is distinct from 'admin'/,
  require_session_owner: /public\.owned_sessions\(\)/,
  notify_access_changed: /realtime\.send\(/,
  invite_to_team: /public\.require_team_admin\(team, /,
  set_team_role: /public\.require_team_admin\(team, /,
  remove_from_team: /public\.team_role_of\(team\) is distinct from 'admin'/,
  set_session_team: /public\.require_session_owner\(session, /,
  share_session: /public\.require_session_owner\(session, /,
  unshare_session: /public\.require_session_owner\(session, /,
};

/** A policy's name as PostgreSQL keeps it: identifiers are cut at 63 bytes. */
const stored = (name: string) => {
  const [table, policy] = name.split(': ') as [string, string];
  return `${table}: ${Buffer.from(policy).subarray(0, 63).toString()}`;
};

interface Policy {
  name: string;
  text: string;
  sessionTable: boolean;
}

describe('session access is decided in one place', () => {
  let admin: pg.Client;
  let policies: Policy[];

  before(async () => {
    admin = await adminClient();
    const { rows } = await admin.query<{ name: string; qual: string; with_check: string; session_table: boolean }>(`
      select p.schemaname || '.' || p.tablename || ': ' || p.policyname as name, coalesce(p.qual, '') as qual, coalesce(p.with_check, '') as with_check,
             p.tablename = 'coding_sessions' or (p.schemaname, p.tablename) = ('realtime', 'messages')
               or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'session_id' and not a.attisdropped) as session_table
        from pg_policies p
        join pg_namespace n on n.nspname = p.schemaname
        join pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
       where c.relrowsecurity and (p.schemaname = 'public' or (p.schemaname, p.tablename) = ('realtime', 'messages'))`);
    policies = rows.map((r) => ({ name: r.name, text: `${r.qual}\n${r.with_check}`, sessionTable: r.session_table }));
  });
  after(() => admin.end());

  describe('policies', () => {
    it('every policy on a session’s tables asks the access functions, or is about its own row', () => {
      const session = policies.filter((p) => p.sessionTable);
      assert.ok(session.length >= Object.keys(SESSION_POLICIES).length + OWN_ROW_POLICIES.length);
      for (const p of session) {
        if ([...OWN_ROW_POLICIES, ...OWN_TOPIC_POLICIES].map(stored).includes(p.name)) continue;
        const expected = Object.entries(SESSION_POLICIES).find(([name]) => stored(name) === p.name)?.[1];
        assert.ok(expected, `${p.name} is neither an access policy nor an own-row policy (${p.text.trim()})`);
        assert.match(p.text, expected, p.name);
        assert.match(p.text, new RegExp(`${SHARED.source}|${OWNED.source}`), p.name);
      }
    });

    it('each policy named here exists (the lists do not go stale)', () => {
      const names = new Set(policies.map((p) => p.name));
      for (const name of [...Object.keys(SESSION_POLICIES), ...OWN_ROW_POLICIES, ...OWN_TOPIC_POLICIES]) assert.ok(names.has(stored(name)), `no policy ${name}`);
    });

    it('the policies of the user’s own viewers topic ask only whether the topic is theirs', () => {
      for (const name of OWN_TOPIC_POLICIES) {
        const p = policies.find((q) => q.name === name)!;
        assert.match(p.text, /extension = '(presence|broadcast)'::text\) AND \( SELECT is_own_viewers_topic\(\)/, `${name}: ${p.text}`);
        assert.doesNotMatch(p.text, new RegExp(`${SHARED.source}|${OWNED.source}`), name);
      }
    });

    it('the own-row policies check the row’s own user and ask nothing about sessions', () => {
      for (const name of OWN_ROW_POLICIES) {
        const p = policies.find((q) => q.name === name)!;
        assert.match(p.text, /user_id = \( SELECT auth\.uid\(\)/, name);
        assert.doesNotMatch(p.text, new RegExp(`${SHARED.source}|${OWNED.source}`), name);
      }
    });

    it('no policy reads coding_sessions itself', () => {
      for (const p of policies) assert.doesNotMatch(p.text, /coding_sessions/, p.name);
    });
  });

  describe('functions', () => {
    it('every definer function that takes a session id asks may_read_session', async () => {
      const { rows } = await admin.query<{ proname: string; prosrc: string }>(`
        select p.proname, p.prosrc from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'public' and p.prosecdef and 'uuid'::regtype::oid = any (p.proargtypes::oid[])
           and p.proname <> all ($1)`, [[...ACCESS_FUNCTIONS, ...Object.keys(TEAM_FUNCTIONS)]]);
      const names = rows.map((r) => r.proname).sort();
      for (const name of ['count_session_event_hits', 'search_session_events', 'session_event_type_counts']) assert.ok(names.includes(name), `${name} among ${names.join(', ')}`);
      for (const r of rows) {
        assert.match(r.prosrc, /public\.may_read_session\(p_session_id\)/, r.proname);
        assert.doesNotMatch(r.prosrc, /coding_sessions/, r.proname);
      }
    });

    it('the team functions check the caller’s role, and their owner checks ask owned_sessions', async () => {
      const { rows } = await admin.query<{ proname: string; prosrc: string }>(`select p.proname, p.prosrc from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.proname = any ($1)`, [Object.keys(TEAM_FUNCTIONS)]);
      assert.equal(rows.length, Object.keys(TEAM_FUNCTIONS).length);
      for (const r of rows) assert.match(r.prosrc, TEAM_FUNCTIONS[r.proname]!, r.proname);
    });

    it('only the access functions compare a session’s owner with the caller', async () => {
      const { rows } = await admin.query<{ proname: string }>(`
        select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'public' and p.prosrc ~ 'coding_sessions' and p.prosrc ~ 'auth\\.uid\\(\\)' order by 1`);
      assert.deepEqual(rows.map((r) => r.proname), ['owned_sessions', 'readable_sessions', 'steerable_sessions']);
    });

    it('the private topic’s check asks may_read_session', async () => {
      const { rows } = await admin.query<{ prosrc: string }>("select prosrc from pg_proc where oid = 'public.may_read_session_topic()'::regprocedure");
      assert.match(rows[0]!.prosrc, /public\.may_read_session\(/);
    });

    it('the access functions are stable security definer functions with an empty search_path, for the API roles only', async () => {
      const { rows } = await admin.query<{ proname: string; provolatile: string; prosecdef: boolean; proconfig: string[] | null; public_may: boolean; anon_may: boolean; authenticated_may: boolean }>(`
        select p.proname, p.provolatile, p.prosecdef, p.proconfig,
               exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0 and a.privilege_type = 'EXECUTE') as public_may,
               has_function_privilege('anon', p.oid, 'execute') as anon_may,
               has_function_privilege('authenticated', p.oid, 'execute') as authenticated_may
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'public' and p.proname = any ($1) order by 1`, [ACCESS_FUNCTIONS]);
      assert.deepEqual(rows.map((r) => r.proname), [...ACCESS_FUNCTIONS].sort());
      for (const r of rows) {
        assert.equal(r.provolatile, 's', r.proname);
        assert.equal(r.prosecdef, true, r.proname);
        assert.deepEqual(r.proconfig, ['search_path=""'], r.proname);
        assert.equal(r.public_may, false, r.proname);
        assert.equal(r.authenticated_may, true, r.proname);
        assert.equal(r.anon_may, r.proname.startsWith('may_'), r.proname);
      }
    });
  });

  describe('what they answer', () => {
    let alice: string;
    let bob: string;
    let open: string;
    let finished: string;
    let bobs: string;

    const as = <T>(role: 'anon' | 'authenticated' | 'service_role', sub: string | undefined, sql: string, params: unknown[] = []) =>
      asRole(admin, role, sub ? { sub } : {}, async () => (await admin.query<T & pg.QueryResultRow>(sql, params)).rows);
    const ask = async (fn: string, session: string, role: 'anon' | 'authenticated' | 'service_role', sub?: string) =>
      (await as<{ answer: boolean }>(role, sub, `select public.${fn}($1) as answer`, [session]))[0]!.answer;

    before(async () => {
      alice = await createUser(admin);
      bob = await createUser(admin);
      open = await insertSession(admin, alice, 'open');
      finished = await insertSession(admin, alice, 'finished');
      await admin.query("update public.coding_sessions set state = 'completed' where id = $1", [finished]);
      bobs = await insertSession(admin, bob, 'bob');
    });

    it('may_read_session: the owner may, another user and anon may not, the service role may', async () => {
      assert.equal(await ask('may_read_session', open, 'authenticated', alice), true);
      assert.equal(await ask('may_read_session', finished, 'authenticated', alice), true);
      assert.equal(await ask('may_read_session', open, 'authenticated', bob), false);
      assert.equal(await ask('may_read_session', open, 'anon'), false);
      assert.equal(await ask('may_read_session', open, 'service_role'), true);
      assert.equal(await ask('may_read_session', '00000000-0000-4000-8000-000000000000', 'authenticated', alice), false);
    });

    it('may_steer_session: the owner may while the session is open; another user and anon may not', async () => {
      assert.equal(await ask('may_steer_session', open, 'authenticated', alice), true);
      assert.equal(await ask('may_steer_session', finished, 'authenticated', alice), false);
      assert.equal(await ask('may_steer_session', open, 'authenticated', bob), false);
      assert.equal(await ask('may_steer_session', open, 'anon'), false);
    });

    it('the sets: a user reads all their sessions, steers their open ones, owns theirs; nobody else’s', async () => {
      const ids = async (sql: string, sub: string) => (await as<{ id: string }>('authenticated', sub, `select id from ${sql} as id`)).map((r) => r.id).sort();
      assert.deepEqual(await ids('public.readable_sessions()', alice), [open, finished].sort());
      assert.deepEqual(await ids('public.steerable_sessions()', alice), [open]);
      assert.deepEqual(await ids('public.owned_sessions()', alice), [open, finished].sort());
      assert.deepEqual(await ids('public.owned_sessions(open_only => true)', alice), [open]);
      assert.deepEqual(await ids('public.readable_sessions()', bob), [bobs]);
    });

    it('the private topic of a session: its readers may read it, nobody else; other topics are nobody’s', async () => {
      const topic = (t: string, sub: string) =>
        asRole(admin, 'authenticated', { sub }, async () => {
          await admin.query("select set_config('realtime.topic', $1, true)", [t]);
          return (await admin.query<{ answer: boolean }>('select public.may_read_session_topic() as answer')).rows[0]!.answer;
        });
      assert.equal(await topic(`session:${open}`, alice), true);
      assert.equal(await topic(`session:${open}`, bob), false);
      assert.equal(await topic(`session:${open}x`, alice), false);
      assert.equal(await topic('room:lobby', alice), false);
    });

    it('a session’s event counts per type are its readers’ only (no rows for others, no error)', async () => {
      await admin.query("insert into public.session_events (session_id, event_type, event_data) values ($1, 'thinking', '{}')", [open]);
      assert.deepEqual(await as('authenticated', alice, 'select event_type, events::int from public.session_event_type_counts($1)', [open]), [{ event_type: 'thinking', events: 1 }]);
      assert.deepEqual(await as('authenticated', bob, 'select * from public.session_event_type_counts($1)', [open]), []);
      assert.deepEqual(await as('service_role', undefined, 'select event_type, events::int from public.session_event_type_counts($1)', [open]), [{ event_type: 'thinking', events: 1 }]);
    });
  });
});
