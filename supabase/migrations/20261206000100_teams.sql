-- Teams, roles and shares: who else may read or steer a session.
--
-- A team has members, each `viewer` (watch, comment), `operator` (also steer: stop, pause, a
-- message, approve or deny) or `admin` (also manage the members). A session belongs to its owner
-- and, optionally, to one of the owner's teams (`coding_sessions.team_id`). A single session can
-- also be shared, view-only, with one person (`session_shares`).
--
-- People are invited by email, and an invite makes them a member at once: a member row names the
-- address, and the user once known (`user_id`, set at the invite when the address has an account).
-- An address nobody has registered yet becomes that user's when they sign up with it and confirm
-- it (auth.users.email_confirmed_at): the access functions match a row without a user by the
-- caller's confirmed address. In a project where sign-up needs no confirmation, whoever registers
-- an invited address first is that member — invite addresses that exist, or turn confirmation on.
--
-- Access stays one rule: this migration only widens readable_sessions() and steerable_sessions()
-- (migration 20261204000200); every policy, search function and the private Realtime topics ask
-- them. Removing a member or a share takes effect with the next statement; the person's open
-- viewers are told on their own topic (`viewers:<user id>`, event `access_changed`) and close.
--
-- The tables are read under RLS and changed only through the functions below (no grants to
-- write), which check the caller's role and keep at least one admin in every team.

create table public.teams (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 100 and name !~ '[[:cntrl:]]'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);

create table public.team_members (
  team_id uuid not null references public.teams (id) on delete cascade,
  email text not null check (email = lower(btrim(email)) and char_length(email) between 3 and 320 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  user_id uuid references auth.users (id) on delete cascade,
  role text not null check (role in ('viewer', 'operator', 'admin')),
  added_by uuid references auth.users (id) on delete set null,
  added_at timestamptz not null default now(),
  primary key (team_id, email)
);
create index team_members_user_idx on public.team_members (user_id) where user_id is not null;
create index team_members_pending_idx on public.team_members (email) where user_id is null;

create table public.session_shares (
  session_id uuid not null references public.coding_sessions (id) on delete cascade,
  email text not null check (email = lower(btrim(email)) and char_length(email) between 3 and 320 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  user_id uuid references auth.users (id) on delete cascade,
  shared_by uuid references auth.users (id) on delete set null,
  shared_at timestamptz not null default now(),
  primary key (session_id, email)
);
create index session_shares_user_idx on public.session_shares (user_id) where user_id is not null;
create index session_shares_pending_idx on public.session_shares (email) where user_id is null;

alter table public.coding_sessions add column team_id uuid references public.teams (id) on delete set null;
create index coding_sessions_team_idx on public.coding_sessions (team_id) where team_id is not null;

-- The caller's confirmed address (lower case), for rows that name it before the account existed.
create function public.my_confirmed_email() returns text
language sql stable security definer
set search_path = ''
as $$
  select lower(u.email) from auth.users u where u.id = (select auth.uid()) and u.email_confirmed_at is not null
$$;

-- A role's rank: viewer 1 < operator 2 < admin 3 (null for anything else).
create function public.team_role_rank(member_role text) returns int
language sql immutable
set search_path = ''
as $$
  select array_position(array['viewer', 'operator', 'admin'], member_role)
$$;

-- The caller's teams where their role is at least `at_least` (viewer < operator < admin).
create function public.my_teams(at_least text default 'viewer') returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select m.team_id from public.team_members m
   where (m.user_id = (select auth.uid()) or (m.user_id is null and m.email = (select public.my_confirmed_email())))
     and public.team_role_rank(m.role) >= public.team_role_rank(at_least)
$$;

-- Readers: the owner, the members of the session's team, and whoever it is shared with.
create or replace function public.readable_sessions() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select s.id from public.coding_sessions s where s.user_id = (select auth.uid())
  union
  select s.id from public.coding_sessions s where s.team_id in (select public.my_teams('viewer'))
  union
  select sh.session_id from public.session_shares sh
   where sh.user_id = (select auth.uid()) or (sh.user_id is null and sh.email = (select public.my_confirmed_email()))
$$;

-- Steering: the owner and the team's operators and admins, while the session is not over. A share
-- is view-only.
create or replace function public.steerable_sessions() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select s.id from public.coding_sessions s
   where (s.user_id = (select auth.uid()) or s.team_id in (select public.my_teams('operator')))
     and s.state not in ('completed', 'failed', 'cancelled')
$$;

revoke execute on function public.my_confirmed_email(), public.my_teams(text) from public, anon;
grant execute on function public.team_role_rank(text) to authenticated, service_role;
grant execute on function public.my_confirmed_email(), public.my_teams(text) to authenticated, service_role;

-- Reading the tables: members see their teams and everyone in them; a session's owner sees its
-- shares, and the person it is shared with their own.
alter table public.teams enable row level security;
alter table public.team_members enable row level security;
alter table public.session_shares enable row level security;
revoke all on public.teams, public.team_members, public.session_shares from anon, authenticated;
grant select on public.teams, public.team_members, public.session_shares to authenticated;
grant all on public.teams, public.team_members, public.session_shares to service_role;

create policy "Members see their teams"
  on public.teams for select to authenticated
  using (id in (select public.my_teams('viewer')));

create policy "Members see who is in their teams"
  on public.team_members for select to authenticated
  using (team_id in (select public.my_teams('viewer')));

create policy "Owners see their sessions' shares, recipients their own"
  on public.session_shares for select to authenticated
  using (session_id in (select public.owned_sessions())
         or user_id = (select auth.uid()) or (user_id is null and email = (select public.my_confirmed_email())));

-- A session goes into a team only one of its owner's (at creation, or moved later by its owner).
grant insert (team_id) on public.coding_sessions to authenticated;

create function public.check_session_team() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.team_id is not null and coalesce(auth.role(), '') <> 'service_role'
     and not exists (select 1 from public.my_teams('viewer') t (id) where t.id = new.team_id) then
    raise exception 'You are not a member of that team: a session goes only into one of your teams.' using errcode = '42501';
  end if;
  return new;
end;
$$;
revoke execute on function public.check_session_team() from public, anon, authenticated;

create trigger coding_sessions_team_check
  before insert or update of team_id on public.coding_sessions
  for each row execute function public.check_session_team();

-- What the functions below raise: a clear message, and an SQLSTATE a client can tell apart.
-- 42501 not allowed, P0002 not found, 23505 already so, 22023 a bad argument.

create function public.team_role_of(team uuid) returns text
language sql stable security definer
set search_path = ''
as $$
  select m.role from public.team_members m
   where m.team_id = team and (m.user_id = (select auth.uid()) or (m.user_id is null and m.email = (select public.my_confirmed_email())))
   order by public.team_role_rank(m.role) desc limit 1
$$;

-- The checks the functions below share (run inside them, as their owner): the caller an admin of
-- the team, or the owner of the session; a role; an address (lower case).
create function public.require_team_admin(team uuid, to_do text) returns void
language plpgsql stable
set search_path = ''
as $$
begin
  if public.team_role_of(team) is distinct from 'admin' then
    raise exception 'Only an admin of the team can %.', to_do using errcode = '42501';
  end if;
end;
$$;

create function public.require_session_owner(session uuid, to_do text) returns void
language plpgsql stable
set search_path = ''
as $$
begin
  if not exists (select 1 from public.owned_sessions() o (id) where o.id = session) then
    raise exception 'Only the owner of a session can %, and this one is not yours (or does not exist).', to_do using errcode = '42501';
  end if;
end;
$$;

create function public.checked_role(member_role text) returns text
language plpgsql immutable
set search_path = ''
as $$
begin
  if member_role is null or member_role not in ('viewer', 'operator', 'admin') then
    raise exception 'A role is viewer, operator or admin.' using errcode = '22023';
  end if;
  return member_role;
end;
$$;

create function public.checked_address(given text) returns text
language plpgsql immutable
set search_path = ''
as $$
declare
  address text := lower(btrim(given));
begin
  if address is null or address !~ '^[^@[:space:]]+@[^@[:space:]]+$' or char_length(address) > 320 then
    raise exception 'That is not an email address: %', left(coalesce(given, ''), 100) using errcode = '22023';
  end if;
  return address;
end;
$$;

-- Tells a user's viewers that what they may read changed (a removal): they check their streams again.
create function public.notify_access_changed(who uuid, what jsonb) returns void
language plpgsql security definer
set search_path = ''
as $$
begin
  if who is not null then
    perform realtime.send(what, 'access_changed', 'viewers:' || who::text, true);
  end if;
end;
$$;

create function public.create_team(team_name text) returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  my_email text;
  id uuid;
begin
  if me is null then raise exception 'Sign in to create a team.' using errcode = '42501'; end if;
  select lower(u.email) into my_email from auth.users u where u.id = me;
  if my_email is null then raise exception 'Your account has no email address; a team needs one for its members.' using errcode = '22023'; end if;
  if team_name is null or char_length(btrim(team_name)) not between 1 and 100 or team_name ~ '[[:cntrl:]]' then
    raise exception 'A team name is 1 to 100 characters, without control characters.' using errcode = '22023';
  end if;
  if exists (select 1 from public.teams t join public.team_members m on m.team_id = t.id
              where m.user_id = me and lower(t.name) = lower(btrim(team_name))) then
    raise exception 'You are already in a team named "%"; pick another name.', btrim(team_name) using errcode = '23505';
  end if;
  insert into public.teams (name, created_by) values (btrim(team_name), me) returning teams.id into id;
  insert into public.team_members (team_id, email, user_id, role, added_by) values (id, my_email, me, 'admin', me);
  return id;
end;
$$;

create function public.invite_to_team(team uuid, invitee text, member_role text default 'viewer') returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  address text;
  existing text;
begin
  perform public.require_team_admin(team, 'invite');
  perform public.checked_role(member_role);
  address := public.checked_address(invitee);
  select m.role into existing from public.team_members m where m.team_id = team and m.email = address;
  if existing is not null then
    raise exception '% is already a member (%); change a role with team role.', address, existing using errcode = '23505';
  end if;
  insert into public.team_members (team_id, email, user_id, role, added_by)
  values (team, address, (select u.id from auth.users u where lower(u.email) = address), member_role, (select auth.uid()));
end;
$$;

create function public.set_team_role(team uuid, member text, member_role text) returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  address text := lower(btrim(member));
  was text;
begin
  perform public.require_team_admin(team, 'change roles');
  perform public.checked_role(member_role);
  select m.role into was from public.team_members m where m.team_id = team and m.email = address for update;
  if was is null then raise exception '% is not a member of the team.', address using errcode = 'P0002'; end if;
  if was = 'admin' and member_role <> 'admin'
     and (select count(*) from public.team_members m where m.team_id = team and m.role = 'admin') = 1 then
    raise exception 'A team keeps at least one admin: make someone else admin first.' using errcode = '42501';
  end if;
  update public.team_members m set role = member_role where m.team_id = team and m.email = address;
  if public.team_role_rank(member_role) < public.team_role_rank(was) then
    perform public.notify_access_changed((select m.user_id from public.team_members m where m.team_id = team and m.email = address), jsonb_build_object('team', team, 'role', member_role));
  end if;
end;
$$;

-- Removes a member (an admin removing someone, or anyone leaving: member = their own address).
create function public.remove_from_team(team uuid, member text) returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  address text := lower(btrim(member));
  gone public.team_members;
  mine boolean;
begin
  select * into gone from public.team_members m where m.team_id = team and m.email = address for update;
  mine := gone.user_id = (select auth.uid()) or (gone.user_id is null and address = (select public.my_confirmed_email()));
  if public.team_role_of(team) is distinct from 'admin' and not coalesce(mine, false) then
    raise exception 'Only an admin of the team can remove someone else.' using errcode = '42501';
  end if;
  if gone.email is null then raise exception '% is not a member of the team.', address using errcode = 'P0002'; end if;
  if gone.role = 'admin' and (select count(*) from public.team_members m where m.team_id = team and m.role = 'admin') = 1 then
    if (select count(*) from public.team_members m where m.team_id = team) = 1 then
      -- The last member leaves: the team goes (its sessions stay their owners', in no team).
      delete from public.teams t where t.id = team;
      return;
    end if;
    raise exception 'A team keeps at least one admin: make someone else admin first.' using errcode = '42501';
  end if;
  delete from public.team_members m where m.team_id = team and m.email = address;
  perform public.notify_access_changed(gone.user_id, jsonb_build_object('team', team));
end;
$$;

-- Moves one of the caller's sessions into one of their teams, or out of any (team null).
create function public.set_session_team(session uuid, team uuid) returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  was uuid;
begin
  perform public.require_session_owner(session, 'move it');
  if team is not null and not exists (select 1 from public.my_teams('viewer') t (id) where t.id = team) then
    raise exception 'You are not a member of that team.' using errcode = '42501';
  end if;
  select s.team_id into was from public.coding_sessions s where s.id = session for update;
  update public.coding_sessions s set team_id = team where s.id = session;
  if was is not null and was is distinct from team then
    perform public.notify_access_changed(m.user_id, jsonb_build_object('session', session))
       from public.team_members m where m.team_id = was and m.user_id is not null;
  end if;
end;
$$;

create function public.share_session(session uuid, recipient text) returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  address text;
begin
  perform public.require_session_owner(session, 'share it');
  address := public.checked_address(recipient);
  insert into public.session_shares (session_id, email, user_id, shared_by)
  values (session, address, (select u.id from auth.users u where lower(u.email) = address), (select auth.uid()))
  on conflict (session_id, email) do nothing;
end;
$$;

create function public.unshare_session(session uuid, recipient text) returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  address text := lower(btrim(recipient));
  gone uuid;
begin
  perform public.require_session_owner(session, 'stop sharing it');
  delete from public.session_shares sh where sh.session_id = session and sh.email = address returning sh.user_id into gone;
  if not found then raise exception 'This session is not shared with %.', address using errcode = 'P0002'; end if;
  perform public.notify_access_changed(gone, jsonb_build_object('session', session));
end;
$$;

revoke execute on function public.team_role_of(uuid), public.notify_access_changed(uuid, jsonb), public.create_team(text), public.invite_to_team(uuid, text, text),
  public.set_team_role(uuid, text, text), public.remove_from_team(uuid, text), public.set_session_team(uuid, uuid), public.share_session(uuid, text), public.unshare_session(uuid, text)
  from public, anon;
revoke execute on function public.notify_access_changed(uuid, jsonb) from authenticated;
revoke execute on function public.require_team_admin(uuid, text), public.require_session_owner(uuid, text), public.checked_role(text), public.checked_address(text) from public, anon, authenticated;
grant execute on function public.team_role_of(uuid), public.create_team(text), public.invite_to_team(uuid, text, text), public.set_team_role(uuid, text, text),
  public.remove_from_team(uuid, text), public.set_session_team(uuid, uuid), public.share_session(uuid, text), public.unshare_session(uuid, text)
  to authenticated;

-- The user's own topic also carries `access_changed` (sent by the database), read by the user only.
create policy "Users read what is sent to their own viewers topic"
  on realtime.messages for select to authenticated
  using (extension = 'broadcast' and (select public.is_own_viewers_topic()));
