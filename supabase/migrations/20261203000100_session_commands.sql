-- Steering a running agent from where it is watched (docs/steering.md).
--
-- 1. A session can wait for its user: the agent asked for an approval or an answer. `waiting_for`
--    holds what it asked (a JSON array of requests), set by the agent's runner with the state and
--    cleared by the database when the session leaves `waiting`.
-- 2. `session_commands`: stop, pause, resume, a message, and approve / deny of a request, sent by
--    whoever may read the session while it is not over; handled exactly once by the agent's runner
--    (the session's owner acting as the worker through `session-stream run`, or service_role),
--    which claims a command, acts, and records the outcome (done, refused or unsupported, with a
--    reason). Published for Realtime, and broadcast on the session's private topic.

alter table public.coding_sessions drop constraint coding_sessions_state_check;
alter table public.coding_sessions add constraint coding_sessions_state_check
  check (state in ('pending', 'running', 'paused', 'waiting', 'completed', 'failed', 'cancelled'));

alter table public.coding_sessions
  add column waiting_for jsonb
    constraint coding_sessions_waiting_for_shape check (waiting_for is null or (jsonb_typeof(waiting_for) = 'array' and octet_length(waiting_for::text) <= 65536));

grant update (waiting_for) on public.coding_sessions to authenticated;

create function public.clear_session_waiting_for() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.state <> 'waiting' then
    new.waiting_for := null;
  end if;
  return new;
end;
$$;

create trigger coding_sessions_clear_waiting_for
  before insert or update on public.coding_sessions
  for each row execute function public.clear_session_waiting_for();

-- The lifecycle with `waiting` (src/worker/sessionStore.ts TRANSITIONS says the same):
-- pending → running|cancelled|failed, running → paused|waiting|completed|failed|cancelled,
-- paused → running|failed|cancelled, waiting → running|completed|failed|cancelled.
create or replace function public.check_session_transition() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.state is distinct from old.state and current_user = 'authenticated' and not (
    (old.state = 'pending' and new.state in ('running', 'cancelled', 'failed'))
    or (old.state = 'running' and new.state in ('paused', 'waiting', 'completed', 'failed', 'cancelled'))
    or (old.state = 'paused' and new.state in ('running', 'failed', 'cancelled'))
    or (old.state = 'waiting' and new.state in ('running', 'completed', 'failed', 'cancelled'))
  ) then
    raise exception 'A % session cannot become %.', old.state, new.state
      using errcode = '23514', hint = 'Sessions go pending → running → completed, failed or cancelled (running ⇄ paused, running ⇄ waiting).';
  end if;
  return new;
end;
$$;

create table public.session_commands (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references public.coding_sessions (id) on delete cascade,
  kind text not null
    constraint session_commands_kind_check check (kind in ('stop', 'pause', 'resume', 'message', 'approve', 'deny')),
  -- The message (required for `message`), or why a request is denied (optional for `deny`).
  body text
    constraint session_commands_body_size check (octet_length(body) <= 16384),
  -- Which of the agent's requests an approve / deny (or a reply `message`) answers.
  request_id text
    constraint session_commands_request_id_size check (octet_length(request_id) <= 200),
  created_by uuid default auth.uid() references auth.users (id) on delete set null,
  -- Who asked, as others see it (the part of their email before @), from their token.
  created_by_name text not null default ''
    constraint session_commands_created_by_name_size check (char_length(created_by_name) <= 200),
  created_at timestamptz not null default now(),
  claimed_at timestamptz,
  handled_at timestamptz,
  outcome text
    constraint session_commands_outcome_check check (outcome in ('done', 'refused', 'unsupported')),
  reason text
    constraint session_commands_reason_size check (octet_length(reason) <= 4096),
  constraint session_commands_body_by_kind check (
    case kind
      when 'message' then body is not null and body <> ''
      when 'deny' then true
      else body is null
    end
  ),
  constraint session_commands_request_by_kind check (
    case kind
      when 'approve' then request_id is not null
      when 'deny' then request_id is not null
      when 'message' then true
      else request_id is null
    end
  ),
  constraint session_commands_outcome_with_handled check ((outcome is null) = (handled_at is null))
);

create index idx_session_commands_session on public.session_commands (session_id, created_at);
create index idx_session_commands_unhandled on public.session_commands (session_id, created_at) where handled_at is null;

alter table public.session_commands enable row level security;

-- Whoever may read the session (its SELECT policy decides, so this follows it) reads its commands
-- and may send one while the session is not over.
create policy "Session readers read its commands"
  on public.session_commands for select to authenticated
  using (exists (select 1 from public.coding_sessions s where s.id = session_id));

create policy "Session readers send commands to open sessions"
  on public.session_commands for insert to authenticated
  with check (
    created_by = (select auth.uid())
    and exists (select 1 from public.coding_sessions s where s.id = session_id and s.state not in ('completed', 'failed', 'cancelled'))
  );

-- Only the session's owner (acting as its worker) records that a command was taken and handled.
create policy "Session owners handle its commands"
  on public.session_commands for update to authenticated
  using (handled_at is null and exists (select 1 from public.coding_sessions s where s.id = session_id and s.user_id = (select auth.uid())))
  with check (exists (select 1 from public.coding_sessions s where s.id = session_id and s.user_id = (select auth.uid())));

revoke all on public.session_commands from anon, authenticated;
grant select on public.session_commands to authenticated;
grant insert (id, session_id, kind, body, request_id) on public.session_commands to authenticated;
grant update (claimed_at, outcome, reason) on public.session_commands to authenticated;
grant all on public.session_commands to service_role;

-- Sending: the sender's name comes from their token, never from the request; the times are the
-- database's. Handling: a command is claimed once and handled once (then it never changes).
create function public.session_commands_stamp() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if coalesce(auth.role(), '') <> 'service_role' or new.created_by_name = '' then
      new.created_by_name := left(coalesce(nullif(split_part(auth.jwt() ->> 'email', '@', 1), ''), case when auth.role() = 'service_role' then 'the worker' else 'someone' end), 200);
    end if;
    if coalesce(auth.role(), '') <> 'service_role' then
      new.created_at := now();
      new.claimed_at := null;
      new.handled_at := null;
      new.outcome := null;
      new.reason := null;
    end if;
    return new;
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

create trigger session_commands_stamp
  before insert or update on public.session_commands
  for each row execute function public.session_commands_stamp();

alter publication supabase_realtime add table public.session_commands;

-- Commands and their outcomes on the session's private topic too, like its events and comments.
create or replace function public.broadcast_session_command() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform realtime.broadcast_changes('session:' || new.session_id::text, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return null;
end;
$$;

revoke execute on function public.broadcast_session_command() from public, anon, authenticated;

create trigger session_commands_broadcast
  after insert or update on public.session_commands
  for each row execute function public.broadcast_session_command();
