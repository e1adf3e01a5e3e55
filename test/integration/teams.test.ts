// Teams, roles and shares under RLS, through supabase-js as users call them: the owner, an admin,
// an operator, a viewer, a removed member, a share recipient and a stranger, each allowed and each
// refused action; an invite to an address that has no account yet; a removal ends the access at
// the next statement and is said on the person's own topic.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import { client, createSession, emit, serviceClient, signUp, stack, subscribe, type TestUser } from '@agent-session-stream/local-supabase/testing';
import { CommandError, sendCommand } from '../../src/core/commands';
import { ACCESS_ENDED, SessionEventStream } from '../../src/core/sessionEventStream';
import { onlineTopic, watchAccessChanges } from '../../src/core/viewers';
import { runCli, runCliToEnd } from '../support/cli';
import { until } from '../support/wait';

interface Refusal {
  code?: string;
  message: string;
}
const rpc = async (c: SupabaseClient, fn: string, args: Record<string, unknown>): Promise<{ data: unknown; error: Refusal | null }> => {
  const { data, error } = await c.rpc(fn, args);
  return { data, error: error ? { code: error.code, message: error.message } : null };
};
const ok = async (c: SupabaseClient, fn: string, args: Record<string, unknown>) => {
  const r = await rpc(c, fn, args);
  assert.equal(r.error, null, `${fn}: ${r.error?.message}`);
  return r.data;
};
const refused = async (c: SupabaseClient, fn: string, args: Record<string, unknown>, code: string, message: RegExp) => {
  const r = await rpc(c, fn, args);
  assert.ok(r.error, `${fn} was allowed`);
  assert.equal(r.error.code, code, r.error.message);
  assert.match(r.error.message, message);
};
const sessionsSeen = async (c: SupabaseClient, ids: string[]) => ((await c.from('coding_sessions').select('id').in('id', ids)).data ?? []).map((r) => (r as { id: string }).id).sort();
const eventsSeen = async (c: SupabaseClient, session: string) => (await c.from('session_events').select('id').eq('session_id', session)).data?.length ?? 0;
/** A stop as the CLI and VS Code send it: null when stored, else the refusal. */
const command = (c: SupabaseClient, session: string) => sendCommand(c, session, 'stop').then(() => null, (e: Error) => (e instanceof CommandError ? e.message : `unexpected: ${e.message}`));
const REFUSED = /^The stop was refused: .*you may only watch it/;
const comment = async (c: SupabaseClient, session: string) => {
  const { data } = await c.from('session_events').select('id').eq('session_id', session).limit(1);
  const event = (data as Array<{ id: string }> | null)?.[0]?.id;
  return c.from('session_event_annotations').insert({ session_id: session, event_id: event ?? randomUUID(), body: 'looks good' }).select('id');
};

describe('teams: who may read and steer a session', function () {
  this.timeout(60_000);
  let owner: TestUser; // creates the team: admin
  let operator: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let recipient: TestUser; // one session shared with them
  let team: string;
  let teamSession: string;
  let privateSession: string;
  let sharedSession: string;

  before(async () => {
    [owner, operator, viewer, stranger, recipient] = await Promise.all([signUp(), signUp(), signUp(), signUp(), signUp()]);
    team = (await ok(owner.client, 'create_team', { team_name: `Platform ${randomUUID().slice(0, 6)}` })) as string;
    await ok(owner.client, 'invite_to_team', { team, invitee: operator.email, member_role: 'operator' });
    await ok(owner.client, 'invite_to_team', { team, invitee: viewer.email.toUpperCase() }); // viewer by default; the address in any case
    // The owner's sessions: one in the team (created by the owner with its team), one not, one shared.
    const { data, error } = await owner.client.from('coding_sessions').insert({ user_id: owner.id, title: 'team work', team_id: team }).select('id').single();
    assert.equal(error, null, error?.message);
    teamSession = (data as { id: string }).id;
    privateSession = await createSession(owner.id, 'mine alone');
    sharedSession = await createSession(owner.id, 'shared with one person');
    for (const s of [teamSession, privateSession, sharedSession]) {
      await serviceClient().from('coding_sessions').update({ state: 'running' }).eq('id', s);
      await emit(s);
    }
    await ok(owner.client, 'share_session', { session: sharedSession, recipient: recipient.email });
  });

  it('members see the team, its members and roles; nobody else does', async () => {
    const members = async (c: SupabaseClient) => ((await c.from('team_members').select('email, role').eq('team_id', team)).data ?? []) as Array<{ email: string; role: string }>;
    for (const u of [owner, operator, viewer]) {
      assert.deepEqual((await members(u.client)).map((m) => `${m.email}:${m.role}`).sort(), [`${owner.email}:admin`, `${operator.email}:operator`, `${viewer.email}:viewer`].sort());
      assert.equal(((await u.client.from('teams').select('id').eq('id', team)).data ?? []).length, 1);
    }
    for (const u of [stranger, recipient]) {
      assert.deepEqual(await members(u.client), []);
      assert.deepEqual((await u.client.from('teams').select('id').eq('id', team)).data, []);
    }
  });

  it('reading: the team its sessions, the recipient the one shared, a stranger nothing', async () => {
    const all = [teamSession, privateSession, sharedSession];
    assert.deepEqual(await sessionsSeen(owner.client, all), [...all].sort());
    assert.deepEqual(await sessionsSeen(operator.client, all), [teamSession]);
    assert.deepEqual(await sessionsSeen(viewer.client, all), [teamSession]);
    assert.deepEqual(await sessionsSeen(recipient.client, all), [sharedSession]);
    assert.deepEqual(await sessionsSeen(stranger.client, all), []);
    const [teamEvents, sharedEvents] = [await eventsSeen(owner.client, teamSession), await eventsSeen(owner.client, sharedSession)];
    assert.ok(teamEvents > 0 && sharedEvents > 0);
    assert.equal(await eventsSeen(viewer.client, teamSession), teamEvents);
    assert.equal(await eventsSeen(viewer.client, privateSession), 0);
    assert.equal(await eventsSeen(recipient.client, sharedSession), sharedEvents);
    assert.equal(await eventsSeen(stranger.client, teamSession), 0);
  });

  it('steering: the owner and an operator may; a viewer, a share recipient and a stranger are refused by the database', async () => {
    // Commands are refused before they exist (RLS on insert), whatever the UI shows.
    for (const [u, s] of [[viewer, teamSession], [recipient, sharedSession], [stranger, teamSession]] as const) assert.match((await command(u.client, s)) ?? 'stored', REFUSED, `${u.email} could steer`);
    assert.equal(await command(operator.client, teamSession), null);
    assert.match((await command(operator.client, privateSession)) ?? 'stored', REFUSED, 'an operator steers only the team’s sessions');
  });

  it('comments: members and the recipient comment as themselves; a stranger cannot', async () => {
    assert.equal((await comment(viewer.client, teamSession)).error, null);
    assert.equal((await comment(recipient.client, sharedSession)).error, null);
    assert.equal((await comment(stranger.client, teamSession)).error?.code, '42501');
  });

  it('only an admin manages members; the roles are checked and a team keeps an admin', async () => {
    await refused(operator.client, 'invite_to_team', { team, invitee: stranger.email }, '42501', /Only an admin of the team can invite/);
    await refused(stranger.client, 'invite_to_team', { team, invitee: stranger.email }, '42501', /Only an admin/);
    await refused(viewer.client, 'set_team_role', { team, member: viewer.email, member_role: 'admin' }, '42501', /Only an admin/);
    await refused(operator.client, 'remove_from_team', { team, member: viewer.email }, '42501', /Only an admin of the team can remove someone else/);
    await refused(owner.client, 'invite_to_team', { team, invitee: viewer.email, member_role: 'operator' }, '23505', /already a member \(viewer\); change a role with team role/);
    await refused(owner.client, 'invite_to_team', { team, invitee: 'not an address' }, '22023', /not an email address/);
    await refused(owner.client, 'set_team_role', { team, member: viewer.email, member_role: 'owner' }, '22023', /viewer, operator or admin/);
    await refused(owner.client, 'set_team_role', { team, member: owner.email, member_role: 'viewer' }, '42501', /at least one admin/);
    await refused(owner.client, 'remove_from_team', { team, member: owner.email }, '42501', /at least one admin/);
    // Nobody writes the tables directly.
    const direct = await stranger.client.from('team_members').insert({ team_id: team, email: stranger.email, user_id: stranger.id, role: 'admin' });
    assert.equal(direct.error?.code, '42501');
  });

  it('a session goes only into one of its owner’s teams, and only its owner moves it', async () => {
    const { error } = await stranger.client.from('coding_sessions').insert({ user_id: stranger.id, title: 'sneaking in', team_id: team });
    assert.equal(error?.code, '42501');
    assert.match(error.message, /not a member of that team/);
    await refused(operator.client, 'set_session_team', { session: privateSession, team }, '42501', /Only the owner of a session can move it/);
    await refused(stranger.client, 'share_session', { session: privateSession, recipient: stranger.email }, '42501', /Only the owner of a session can share it/);
    await ok(owner.client, 'set_session_team', { session: privateSession, team });
    assert.deepEqual(await sessionsSeen(viewer.client, [privateSession]), [privateSession]);
    await ok(owner.client, 'set_session_team', { session: privateSession, team: null });
    assert.deepEqual(await sessionsSeen(viewer.client, [privateSession]), []);
  });

  it('an invite to an address with no account yet: who signs up with it is a member at once', async () => {
    const email = `later-${randomUUID()}@example.test`;
    await ok(owner.client, 'invite_to_team', { team, invitee: email, member_role: 'operator' });
    const later = client();
    const { data, error } = await later.auth.signUp({ email, password: 'correct horse battery' });
    assert.equal(error, null, error?.message);
    assert.ok(data.session);
    assert.deepEqual(await sessionsSeen(later, [teamSession, privateSession]), [teamSession]);
    assert.equal(await command(later, teamSession), null, 'an invited operator steers');
  });

  it('a removed member loses access at the next statement, and is told on their own topic', async () => {
    const gone = await signUp();
    await ok(owner.client, 'invite_to_team', { team, invitee: gone.email, member_role: 'operator' });
    assert.deepEqual(await sessionsSeen(gone.client, [teamSession]), [teamSession]);
    const told: unknown[] = [];
    await gone.client.realtime.setAuth();
    const topic = gone.client.channel(onlineTopic(gone.id), { config: { private: true } }).on('broadcast', { event: 'access_changed' }, (m) => told.push(m.payload));
    assert.equal((await subscribe(topic)).status, 'SUBSCRIBED');
    try {
      await ok(owner.client, 'remove_from_team', { team, member: gone.email });
      assert.deepEqual(await sessionsSeen(gone.client, [teamSession]), []);
      assert.equal(await eventsSeen(gone.client, teamSession), 0);
      assert.match((await command(gone.client, teamSession)) ?? 'stored', REFUSED);
      await until('told on their topic', () => told.length > 0, 10_000);
      assert.equal((told[0] as { team?: string }).team, team);
      // Another user cannot listen on that topic.
      const spy = stranger.client.channel(onlineTopic(gone.id), { config: { private: true } });
      await stranger.client.realtime.setAuth();
      assert.equal((await subscribe(spy)).status, 'CHANNEL_ERROR');
      void stranger.client.removeChannel(spy);
    } finally {
      void gone.client.removeChannel(topic);
    }
  });

  it('unsharing ends the recipient’s access; leaving a team ends one’s own; the last member leaving ends the team', async () => {
    await ok(owner.client, 'unshare_session', { session: sharedSession, recipient: recipient.email });
    assert.deepEqual(await sessionsSeen(recipient.client, [sharedSession]), []);
    await refused(owner.client, 'unshare_session', { session: sharedSession, recipient: recipient.email }, 'P0002', /not shared with/);
    await ok(viewer.client, 'remove_from_team', { team, member: viewer.email });
    assert.deepEqual(await sessionsSeen(viewer.client, [teamSession]), []);
    // A team of one: its admin leaves, the team goes, the session stays the owner's.
    const solo = (await ok(stranger.client, 'create_team', { team_name: 'Just me' })) as string;
    await ok(stranger.client, 'remove_from_team', { team: solo, member: stranger.email });
    assert.deepEqual((await serviceClient().from('teams').select('id').eq('id', solo)).data, []);
  });
});

describe('teams from the command line', function () {
  this.timeout(60_000);
  const as = (u: TestUser) => ({ SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SUPABASE_SERVICE_ROLE_KEY: '', SESSION_STREAM_EMAIL: u.email, SESSION_STREAM_PASSWORD: u.password, SESSION_STREAM_CONFIG_DIR: mkdtempSync(path.join(os.tmpdir(), 'team-cli-')) });

  it('create prints TEAM_ID; invite, role and members (one a line, and --json); refusals exit 1 saying why, mistakes exit 2', async () => {
    const [admin, ada, bob] = await Promise.all([signUp(), signUp(), signUp()]);
    const name = `Infra ${randomUUID().slice(0, 6)}`;
    const created = await runCliToEnd(['team', 'create', name], as(admin));
    assert.equal(created.code, 0, created.stderr);
    const id = /^TEAM_ID=([0-9a-f-]{36})$/.exec(created.stdout.trim())?.[1];
    assert.ok(id, created.stdout);
    const invited = await runCliToEnd(['team', 'invite', name.toLowerCase(), ada.email, '--role', 'operator'], as(admin));
    assert.equal(invited.code, 0, invited.stderr);
    assert.equal(invited.stdout.trim(), `${ada.email} is now an operator of ${name}.`);
    assert.equal((await runCliToEnd(['team', 'invite', name, bob.email], as(admin))).code, 0);
    assert.equal((await runCliToEnd(['team', 'role', name, bob.email, 'admin'], as(admin))).code, 0);
    const members = await runCliToEnd(['team', 'members', name], as(ada));
    assert.equal(members.code, 0, members.stderr);
    assert.deepEqual(members.stdout.trim().split('\n').sort(), [`${admin.email}\tadmin`, `${ada.email}\toperator`, `${bob.email}\tadmin`].sort());
    const json = JSON.parse((await runCliToEnd(['team', 'members', name, '--json'], as(ada))).stdout) as Array<{ email: string; role: string }>;
    assert.deepEqual(json.map((m) => m.role).sort(), ['admin', 'admin', 'operator']);
    const list = await runCliToEnd(['team', 'list', '--json'], as(ada));
    assert.deepEqual((JSON.parse(list.stdout) as Array<{ id: string; role: string }>).map((t) => [t.id, t.role]), [[id, 'operator']]);
    // Refused by the database: exit 1 and its sentence.
    const notAdmin = await runCliToEnd(['team', 'invite', name, 'someone@example.test'], as(ada));
    assert.equal(notAdmin.code, 1);
    assert.match(notAdmin.stderr, /Only an admin of the team can invite\./);
    const unknown = await runCliToEnd(['team', 'members', 'No such team'], as(ada));
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, new RegExp(`You are in no team named "No such team"\\. Your teams: ${name}\\.`));
    // Mistakes in the call: exit 2, with where to read the options.
    const bad = await runCliToEnd(['team', 'role', name, ada.email, 'owner'], as(admin));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /A role is viewer, operator, admin; not "owner"\.[\s\S]*session-stream team --help/);
    assert.equal((await runCliToEnd(['team', 'frobnicate'], as(admin))).code, 2);
    // Leaving, and removing: their access ends.
    assert.equal((await runCliToEnd(['team', 'leave', name], as(ada))).code, 0);
    assert.match((await runCliToEnd(['team', 'list'], as(ada))).stdout, /You are in no team/);
    const removed = await runCliToEnd(['team', 'remove', name, bob.email], as(admin));
    assert.equal(removed.code, 0, removed.stderr);
  });

  it('share and unshare a session, view-only', async () => {
    const [owner, friend] = await Promise.all([signUp(), signUp()]);
    const session = await createSession(owner.id, 'look at this');
    const shared = await runCliToEnd(['share', '--session', session, friend.email], as(owner));
    assert.equal(shared.code, 0, shared.stderr);
    assert.deepEqual(await sessionsSeen(friend.client, [session]), [session]);
    const notMine = await runCliToEnd(['share', '--session', session, owner.email], as(friend));
    assert.equal(notMine.code, 1);
    assert.match(notMine.stderr, /Only the owner of a session can share it/);
    assert.equal((await runCliToEnd(['unshare', '--session', session, friend.email], as(owner))).code, 0);
    assert.deepEqual(await sessionsSeen(friend.client, [session]), []);
  });
});

describe('teams: a removed member’s open stream ends', function () {
  this.timeout(90_000);
  for (const delivery of ['broadcast', 'postgres_changes'] as const) {
    it(`${delivery}: within 10 s of the removal the stream ends saying why, and nothing arrives after`, async () => {
      const [owner, member] = await Promise.all([signUp(), signUp()]);
      const team = (await ok(owner.client, 'create_team', { team_name: 'Watchers' })) as string;
      await ok(owner.client, 'invite_to_team', { team, invitee: member.email });
      const { data } = await owner.client.from('coding_sessions').insert({ user_id: owner.id, title: 'long run', team_id: team }).select('id').single();
      const session = (data as { id: string }).id;
      await serviceClient().from('coding_sessions').update({ state: 'running' }).eq('id', session);
      const stream = new SessionEventStream({ client: member.client, sessionId: session, delivery, watchdogMs: 0 });
      const seen: number[] = [];
      stream.onDidReceive((b) => {
        for (const e of b.entries) if (e.kind === 'event') seen.push(e.event.seq);
      });
      // As a window does: told on the user's own topic, the stream checks its session again.
      const access = await watchAccessChanges(member.client, member.id, () => void stream.recheckAccess());
      try {
        stream.open();
        await until('joined', () => stream.state.state === 'joined', 20_000);
        // The timeline's numbers are the session's own (session_seq).
        const numberOf = async () => ((await emit(session)) as unknown as { session_seq: number }).session_seq;
        const first = await numberOf();
        await until('a live event arrives', () => seen.includes(first), 20_000).catch((e: Error) => assert.fail(`${e.message}: seen ${JSON.stringify(seen)}, emitted ${JSON.stringify(first)}, state ${JSON.stringify(stream.state)}`));
        const removedAt = Date.now();
        await ok(owner.client, 'remove_from_team', { team, member: member.email });
        await until('the stream ends', () => stream.state.state === 'error', 10_000);
        assert.ok(Date.now() - removedAt < 10_000);
        assert.deepEqual(stream.state, { state: 'error', reason: ACCESS_ENDED });
        const count = seen.length;
        const later = await numberOf();
        // The owner's own stream gets it: had the member's still been open, it would have too by now.
        const own = new SessionEventStream({ client: owner.client, sessionId: session, delivery, watchdogMs: 0 });
        const ownSeen: number[] = [];
        own.onDidReceive((b) => {
          for (const e of b.entries) if (e.kind === 'event') ownSeen.push(e.event.seq);
        });
        own.open();
        await until('the owner sees the later event', () => ownSeen.includes(later), 20_000);
        await numberOf();
        await until('the owner sees one more live', () => ownSeen.length >= 2 && ownSeen.at(-1)! > later, 20_000);
        own.dispose();
        assert.equal(seen.length, count, `nothing arrived after the end: ${seen.join(',')}`);
      } finally {
        access.dispose();
        stream.dispose();
      }
    });
  }

  it('tail ends with exit 1 and says why', async () => {
    const [owner, member] = await Promise.all([signUp(), signUp()]);
    const session = await createSession(owner.id, 'shared, then not');
    await serviceClient().from('coding_sessions').update({ state: 'running' }).eq('id', session);
    await ok(owner.client, 'share_session', { session, recipient: member.email });
    const tail = runCli(['tail', '--session', session], { SUPABASE_URL: stack().env.API_URL, SUPABASE_ANON_KEY: stack().env.ANON_KEY, SESSION_STREAM_EMAIL: member.email, SESSION_STREAM_PASSWORD: member.password });
    try {
      await until('tail is live', () => tail.lines.some((l) => /joined|live/i.test(l)), 30_000);
      await ok(owner.client, 'unshare_session', { session, recipient: member.email });
      const code = await Promise.race([tail.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
      assert.equal(code, 1, `tail: ${tail.stderr()}`);
      assert.match(tail.stderr(), /You no longer have access to this session/);
    } finally {
      tail.child.kill('SIGKILL');
    }
  });
});
