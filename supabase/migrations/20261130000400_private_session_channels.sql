-- Private channels for sessions (Realtime Authorization) and Broadcast from Database.
--
-- A session's private topic is exactly `session:<session id>`. Whoever may read the session (the
-- coding_sessions SELECT policy decides, so this follows it) may join that topic: receive its
-- broadcasts and presence, and show themselves there (presence). Nobody else can join it or watch
-- who is there, and nobody can broadcast on it but the database: what arrives as an event there was
-- stored. Realtime checks these policies on realtime.messages at join and on every new access token.
--
-- Every stored event, and every change to a comment on an event, is also written once to the
-- session's private topic (realtime.broadcast_changes), so viewers may receive them as broadcasts —
-- one write per change, no authorization read per viewer and change. postgres_changes keeps working.

create or replace function public.may_read_session_topic() returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce((
    select exists (select 1 from public.coding_sessions s where s.id = substr(t, 9)::uuid)
      from realtime.topic() as t
     where t ~ '^session:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
  ), false)
$$;
revoke execute on function public.may_read_session_topic() from public, anon;
grant execute on function public.may_read_session_topic() to authenticated;

create policy "Session readers read the session's private topic"
  on realtime.messages for select to authenticated
  using (extension in ('broadcast', 'presence') and (select public.may_read_session_topic()));

create policy "Session readers show their presence on the session's private topic"
  on realtime.messages for insert to authenticated
  with check (extension = 'presence' and (select public.may_read_session_topic()));

-- Security definer with an empty search_path, as Supabase recommends: the writer (a user appending
-- to their session, or the worker) need not be allowed to write realtime.messages itself.
create or replace function public.broadcast_session_event() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes('session:' || new.session_id::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, null);
  return null;
end;
$$;

create or replace function public.broadcast_session_annotation() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes('session:' || coalesce(new.session_id, old.session_id)::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end;
$$;

revoke execute on function public.broadcast_session_event(), public.broadcast_session_annotation() from public, anon, authenticated;

create trigger session_events_broadcast
  after insert on public.session_events
  for each row execute function public.broadcast_session_event();

create trigger session_event_annotations_broadcast
  after insert or update or delete on public.session_event_annotations
  for each row execute function public.broadcast_session_annotation();
