-- Who may read or steer a session is decided in one place: public.readable_sessions() and
-- public.steerable_sessions(), the sessions the caller may read and steer. public.may_read_session(id)
-- and public.may_steer_session(id) ask them about one session. Every policy and definer function
-- asks these; sharing a session (with a team, say) changes the two sets and nothing else. Today
-- they say what the policies said inline: the session's owner (steering: while it is not over).
--
-- Why sets: a policy is checked per row, and a function that looks a session up cannot be inlined
-- (a security definer one never is, and neither is any SQL function with a subquery), so a
-- per-row `may_read_session(session_id)` cost ~7 µs a row: a page of 1,000 events +7 ms, counting
-- a session's 100,000 events 950 ms instead of 15, listing sessions a call for every session in the
-- project (73 ms with 10,000 instead of 0.8). `session_id in (select public.readable_sessions())`
-- is computed once per statement and probed per row, as the inline policies were.
--
-- One more set is not about sharing: owned_sessions(), the caller's own sessions. A session's
-- owner runs it, so only they append its events and handle its commands. Policies that check a
-- row's own user (a comment's author, a read marker's user, a session's owner creating, moving or
-- deleting it) stay as they are: they are about the row, not about access to a session.
--
-- All are security definer (their owner reads coding_sessions without its policies) with an empty
-- search_path.

create function public.readable_sessions() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select s.id from public.coding_sessions s where s.user_id = (select auth.uid())
$$;

-- Steering is sending commands (stop, pause, resume, a message, an answer): only while a session
-- is not over.
create function public.steerable_sessions() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select s.id from public.coding_sessions s
   where s.user_id = (select auth.uid()) and s.state not in ('completed', 'failed', 'cancelled')
$$;

create function public.owned_sessions(open_only boolean default false) returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select s.id from public.coding_sessions s
   where s.user_id = (select auth.uid()) and not (open_only and s.state in ('completed', 'failed', 'cancelled'))
$$;

-- The service role reads every session (it bypasses RLS; definer functions ask here too).
create function public.may_read_session(session uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce(auth.role(), '') = 'service_role'
      or exists (select 1 from public.readable_sessions() r (id) where r.id = session)
$$;

create function public.may_steer_session(session uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (select 1 from public.steerable_sessions() r (id) where r.id = session)
$$;

-- The session of a private topic `session:<id>`; null for any other topic.
create function public.session_of_topic(topic text) returns uuid
language sql immutable
set search_path = ''
as $$
  select case when topic ~ '^session:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' then substr(topic, 9)::uuid end
$$;

-- Policies run these as the signed-in user (the service role bypasses them); anon is told false.
revoke execute on function public.readable_sessions(), public.steerable_sessions(), public.owned_sessions(boolean), public.may_read_session(uuid), public.may_steer_session(uuid), public.session_of_topic(text) from public, anon, authenticated, service_role;
grant execute on function public.readable_sessions(), public.steerable_sessions(), public.owned_sessions(boolean), public.session_of_topic(text) to authenticated, service_role;
grant execute on function public.may_read_session(uuid), public.may_steer_session(uuid) to anon, authenticated, service_role;

-- Sessions: their readers see them. A new row is not in readable_sessions() yet (the set is read
-- as the statement began), so its owner, which the row itself names, sees it there: what
-- INSERT … RETURNING needs. Creating, moving and deleting stay the owner's (own rows).
drop policy "Users can view their own sessions" on public.coding_sessions;
create policy "Users can view their own sessions"
  on public.coding_sessions for select to authenticated
  using (user_id = (select auth.uid()) or id in (select public.readable_sessions()));

-- Events: read by the session's readers, appended by its owner while it is open.
drop policy "Users can view their own session events" on public.session_events;
create policy "Users can view their own session events"
  on public.session_events for select to authenticated
  using (session_id in (select public.readable_sessions()));

drop policy "Users can append events to their own open sessions" on public.session_events;
create policy "Users can append events to their own open sessions"
  on public.session_events for insert to authenticated
  with check (session_id in (select public.owned_sessions(open_only => true)));

-- Comments: the session's readers read them and comment as themselves.
drop policy "Viewers of a session read its annotations" on public.session_event_annotations;
create policy "Viewers of a session read its annotations"
  on public.session_event_annotations for select to authenticated
  using (session_id in (select public.readable_sessions()));

drop policy "Viewers of a session annotate it as themselves" on public.session_event_annotations;
create policy "Viewers of a session annotate it as themselves"
  on public.session_event_annotations for insert to authenticated
  with check (user_id = (select auth.uid()) and session_id in (select public.readable_sessions()));

-- Read markers: one's own, on sessions one may read.
drop policy "Users set their own markers on sessions they can see" on public.session_read_markers;
create policy "Users set their own markers on sessions they can see"
  on public.session_read_markers for insert to authenticated
  with check (user_id = (select auth.uid()) and session_id in (select public.readable_sessions()));

-- Commands: read by the session's readers, sent by those who may steer it while it is open,
-- handled by its owner (acting as its runner).
drop policy "Session readers read its commands" on public.session_commands;
create policy "Session readers read its commands"
  on public.session_commands for select to authenticated
  using (session_id in (select public.readable_sessions()));

drop policy "Session readers send commands to open sessions" on public.session_commands;
create policy "Session readers send commands to open sessions"
  on public.session_commands for insert to authenticated
  with check (created_by = (select auth.uid()) and session_id in (select public.steerable_sessions()));

drop policy "Session owners handle its commands" on public.session_commands;
create policy "Session owners handle its commands"
  on public.session_commands for update to authenticated
  using (handled_at is null and session_id in (select public.owned_sessions()))
  with check (session_id in (select public.owned_sessions()));

-- The private topic `session:<id>`: its session's readers receive it and show their presence.
-- Wrapped in a select, the check runs once per statement (the topic is the same for every row).
create or replace function public.may_read_session_topic() returns boolean
language sql stable
set search_path = ''
as $$
  select public.may_read_session(public.session_of_topic(realtime.topic()))
$$;

drop policy "Session readers read the session's private topic" on realtime.messages;
create policy "Session readers read the session's private topic"
  on realtime.messages for select to authenticated
  using (extension in ('broadcast', 'presence') and (select public.may_read_session(public.session_of_topic(realtime.topic()))));

drop policy "Session readers show their presence on the session's private topic" on realtime.messages;
create policy "Session readers show their presence on the session's private topic"
  on realtime.messages for insert to authenticated
  with check (extension = 'presence' and (select public.may_read_session(public.session_of_topic(realtime.topic()))));

-- Search and counts read a whole session as their definer (under RLS a LIKE cannot use the
-- trigram index, and a per-row check would run once per event): they check once, first.
create or replace function public.search_session_events(p_session_id uuid, p_query text, p_types text[] default null, p_after bigint default 0, p_limit integer default 200)
returns table (session_seq bigint, event_type text, snippet text)
language plpgsql stable security definer
set search_path = ''
as $$
begin
  if not public.may_read_session(p_session_id) then
    raise exception 'You may not search session %.', p_session_id using errcode = '42501';
  end if;
  return query execute
    'select e.session_seq, e.event_type,
            substr(public.session_event_search_text(e.event_data), greatest(1, strpos(public.session_event_search_text(e.event_data), $5) - 60), 200)
       from public.session_events e
      where e.session_id = $1
        and e.session_seq > $3
        and ($4::text[] is null or e.event_type = any ($4))
        and public.session_event_search_text(e.event_data) like $2
      order by e.session_seq
      limit $6'
    using p_session_id, public.session_search_pattern(p_query), coalesce(p_after, 0), p_types, lower(p_query), least(greatest(coalesce(p_limit, 200), 1), 1000);
end;
$$;

create or replace function public.count_session_event_hits(p_session_id uuid, p_query text, p_types text[] default null, p_cap integer default 10000)
returns bigint
language plpgsql stable security definer
set search_path = ''
as $$
declare
  hits bigint;
begin
  if not public.may_read_session(p_session_id) then
    raise exception 'You may not search session %.', p_session_id using errcode = '42501';
  end if;
  execute
    'select count(*) from (
       select 1 from public.session_events e
        where e.session_id = $1
          and ($3::text[] is null or e.event_type = any ($3))
          and public.session_event_search_text(e.event_data) like $2
        limit $4) capped'
    into hits
    using p_session_id, public.session_search_pattern(p_query), p_types, greatest(coalesce(p_cap, 10000), 1);
  return hits;
end;
$$;

-- As before, a session the caller may not read has no counts (no rows, no error).
create or replace function public.session_event_type_counts(p_session_id uuid)
returns table (event_type text, events bigint)
language sql stable security definer
set search_path = ''
as $$
  select e.event_type, count(*) from public.session_events e
   where e.session_id = p_session_id and public.may_read_session(p_session_id)
   group by e.event_type
$$;

-- Replaced by may_read_session.
drop function public.may_search_session(uuid);
