-- The agent is not the user (docs/steering.md, "Who may do what"): what a user, another user or
-- the agent we watch may write, bounded and checked by the database.

-- 1. An event id is the session's own. A writer that sends an event again (a retry, a file read
--    twice) gets the stored one back; an id another session already uses is refused at once
--    (23505), never taken as "already stored", so nobody can stall a session by storing rows
--    with ids it will use. The check runs as definer: it sees every session.
create or replace function public.assign_session_seq() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  existing bigint;
  other uuid;
begin
  insert into public.session_event_counters (session_id, last_seq) values (new.session_id, 0)
    on conflict (session_id) do nothing;
  perform 1 from public.session_event_counters where session_id = new.session_id for update;
  select session_seq, session_id into existing, other from public.session_events where id = new.id;
  if found then
    if other is distinct from new.session_id then
      raise exception 'Event id % is already used by another session.', new.id
        using errcode = '23505', hint = 'Give the event a new id (writers make random or secret-derived ids).';
    end if;
    new.session_seq := existing;
    return new;
  end if;
  update public.session_event_counters set last_seq = last_seq + 1
    where session_id = new.session_id
    returning last_seq into new.session_seq;
  return new;
end;
$$;

-- 2. Who sent a command, by sign-in, and what an approval approves. `created_by_session` is the
--    sender's auth session (their token's `session_id` claim), stamped by the database: the
--    agent's runner does not act on an approval sent with its own sign-in, which whatever the
--    agent runs could reach. `input_hash` is the SHA-256 of the request's input as the sender saw
--    it; the runner lets the agent go on only when it is the hash of what it would send back.
alter table public.session_commands
  add column created_by_session uuid,
  add column input_hash text
    constraint session_commands_input_hash_shape check (input_hash is null or input_hash ~ '^[0-9a-f]{64}$'),
  add constraint session_commands_input_hash_by_kind check (kind = 'approve' or input_hash is null);

grant insert (input_hash) on public.session_commands to authenticated;

create or replace function public.session_commands_stamp() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if coalesce(auth.role(), '') <> 'service_role' or new.created_by_name = '' then
      new.created_by_name := left(coalesce(nullif(split_part(auth.jwt() ->> 'email', '@', 1), ''), case when auth.role() = 'service_role' then 'the worker' else 'someone' end), 200);
    end if;
    if coalesce(auth.role(), '') <> 'service_role' then
      new.created_by_session := case when (auth.jwt() ->> 'session_id') ~ '^[0-9a-fA-F-]{36}$' then (auth.jwt() ->> 'session_id')::uuid end;
      new.created_at := now();
      new.claimed_at := null;
      new.handled_at := null;
      new.outcome := null;
      new.reason := null;
    end if;
    return new;
  end if;
  if new.created_by_session is distinct from old.created_by_session or new.input_hash is distinct from old.input_hash then
    raise exception 'Who sent command % and what it approves do not change.', old.id using errcode = '55000';
  end if;
  if old.handled_at is not null then
    raise exception 'Command % was already handled (%).', old.id, old.outcome using errcode = '55000';
  end if;
  if new.claimed_at is distinct from old.claimed_at then
    if old.claimed_at is not null then
      raise exception 'Command % was already taken by a worker.', old.id using errcode = '55000';
    end if;
    new.claimed_at := now();
  end if;
  if new.outcome is not null then
    new.handled_at := now();
    new.claimed_at := coalesce(new.claimed_at, new.handled_at);
  end if;
  return new;
end;
$$;

-- A request shows its input's start (16,000 characters) with the session; room for a few.
alter table public.coding_sessions drop constraint coding_sessions_waiting_for_shape;
alter table public.coding_sessions add constraint coding_sessions_waiting_for_shape
  check (waiting_for is null or (jsonb_typeof(waiting_for) = 'array' and octet_length(waiting_for::text) <= 131072));

-- 3. A session's lifecycle is the database's record. Its state_changed events are written only
--    by the trigger that records each change of coding_sessions.state (a user, or a worker with
--    the service role, could otherwise "complete" a session that runs on); and nobody but the
--    service role chooses a new session's id, so a deleted session's id is never used again by
--    someone else, nor by its owner for a session that would inherit its links and comments.
create function public.refuse_forged_state_changes() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.event_type = 'state_changed' and current_user in ('anon', 'authenticated', 'service_role') then
    raise exception 'state_changed events are written by the database when a session changes state.'
      using errcode = '42501', hint = 'Change the session''s state (coding_sessions.state); its state_changed event follows.';
  end if;
  return new;
end;
$$;

create trigger session_events_refuse_forged_state_changes
  before insert on public.session_events
  for each row execute function public.refuse_forged_state_changes();

revoke insert on public.coding_sessions from authenticated;
grant insert (user_id, title, state, source, cwd, agent_session_id, model) on public.coding_sessions to authenticated;

-- 4. Limits where hosted Supabase has them, and a write budget per user. Sizes of what a user may
--    write (titles and stats had none; a 900 KB title was stored). Existing rows are left as they
--    are (NOT VALID); new rows and changes are checked.
alter table public.coding_sessions
  add constraint coding_sessions_title_size check (octet_length(title) <= 1000) not valid,
  add constraint coding_sessions_stats_size check (stats is null or octet_length(stats::text) <= 16384) not valid;

-- The largest event's broadcast must fit what hosted Realtime delivers on the Free plan (256,500
-- bytes for the whole message, the row and its envelope): 255,000 bytes of event data leaves room.
alter table public.session_events drop constraint session_events_event_data_size_check;
alter table public.session_events
  add constraint session_events_event_data_size_check check (octet_length(event_data::text) <= 255000) not valid;

-- Each user's writes (events, commands, comments) spend from a budget that refills: at most
-- 20,000 rows and 256 MiB at once, refilled by 100 rows and 1 MiB a second (docs/reliability.md,
-- "Write budget"). Over it, the write is refused with 53400, which writers retry after a pause, so
-- a burst is slowed down, not lost. The service role and direct SQL are not counted.
create table public.user_write_budgets (
  user_id uuid primary key references auth.users (id) on delete cascade,
  rows_left double precision not null,
  bytes_left double precision not null,
  at timestamptz not null default now()
);
alter table public.user_write_budgets enable row level security;
revoke all on public.user_write_budgets from anon, authenticated;

create function public.spend_write_budget() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  uid uuid := auth.uid();
  n bigint;
  b bigint;
  rows_left double precision;
  bytes_left double precision;
  max_rows constant double precision := 20000;
  max_bytes constant double precision := 268435456;
  rows_per_s constant double precision := 100;
  bytes_per_s constant double precision := 1048576;
begin
  if coalesce(auth.role(), '') <> 'authenticated' or uid is null then
    return null;
  end if;
  select count(*), coalesce(sum(octet_length(to_jsonb(r)::text)), 0) into n, b from new_rows r;
  insert into public.user_write_budgets (user_id, rows_left, bytes_left) values (uid, max_rows, max_bytes)
    on conflict (user_id) do nothing;
  update public.user_write_budgets w set
      rows_left = least(max_rows, w.rows_left + greatest(0, extract(epoch from clock_timestamp() - w.at)) * rows_per_s) - n,
      bytes_left = least(max_bytes, w.bytes_left + greatest(0, extract(epoch from clock_timestamp() - w.at)) * bytes_per_s) - b,
      at = clock_timestamp()
    where w.user_id = uid
    returning w.rows_left, w.bytes_left into rows_left, bytes_left;
  if rows_left < 0 or bytes_left < 0 then
    raise exception 'Write budget used up: % rows (% bytes) came too fast.', n, b
      using errcode = '53400', hint = 'Wait a moment and send again; a user may write 100 rows and 1 MiB a second, and bursts of up to 20,000 rows.';
  end if;
  return null;
end;
$$;
revoke execute on function public.spend_write_budget() from public, anon, authenticated;

create trigger session_events_write_budget after insert on public.session_events
  referencing new table as new_rows for each statement execute function public.spend_write_budget();
create trigger session_commands_write_budget after insert on public.session_commands
  referencing new table as new_rows for each statement execute function public.spend_write_budget();
create trigger session_event_annotations_write_budget after insert on public.session_event_annotations
  referencing new table as new_rows for each statement execute function public.spend_write_budget();

-- 5. The agent's own id of its run and its model, set by the session's owner once they are known
--    (`session-stream run` learns them from the agent's first lines, after the session was made),
--    and never changed afterwards.
grant update (agent_session_id, model) on public.coding_sessions to authenticated;

create function public.set_agent_info_once() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(auth.role(), '') <> 'service_role' and (
    (old.agent_session_id is not null and new.agent_session_id is distinct from old.agent_session_id)
    or (old.model is not null and new.model is distinct from old.model)
  ) then
    raise exception 'A session''s agent id and model are set once.' using errcode = '55000';
  end if;
  return new;
end;
$$;

create trigger coding_sessions_set_agent_info_once
  before update of agent_session_id, model on public.coding_sessions
  for each row execute function public.set_agent_info_once();
