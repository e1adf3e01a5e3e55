-- Agents stream their own sessions with the user's sign-in, never with the service-role key
-- (`session-stream run`, `import`, `watch`). A signed-in user may:
--   * create their own sessions (pending, as before), now with where they come from;
--   * append events to their own sessions while those are not over (completed, failed, cancelled);
--   * move their own sessions through the lifecycle and record the outcome (state and stats);
-- and nothing else: no event into another user's session or a finished one, no update or delete
-- of events, no forged owner, id order (`seq`) or time (`created_at`). The worker path with
-- service_role (which bypasses RLS) is unchanged.

-- Where a session comes from, shown in the Sessions view.
alter table public.coding_sessions
  add column source text
    constraint coding_sessions_source_check
    check (source in ('codex', 'claude', 'gemini', 'demo', 'other')),
  add column cwd text
    constraint coding_sessions_cwd_size check (octet_length(cwd) <= 4096),
  add column agent_session_id text
    constraint coding_sessions_agent_session_id_size check (octet_length(agent_session_id) <= 256),
  add column model text
    constraint coding_sessions_model_size check (octet_length(model) <= 256),
  -- Why the session last changed state (e.g. "stopped by ada"); copied into its state_changed event.
  add column state_reason text
    constraint coding_sessions_state_reason_size check (octet_length(state_reason) <= 4096);

-- Finds the session already made for an agent's own run (watch resumes it after a restart).
create index idx_coding_sessions_agent_session on public.coding_sessions (user_id, source, agent_session_id)
  where agent_session_id is not null;

-- Sessions: insert only the columns a new session has (the owner is checked by the existing
-- policy, the state must be pending); update only state and stats, only while not over.
revoke insert on public.coding_sessions from authenticated;
grant insert (id, user_id, title, state, source, cwd, agent_session_id, model) on public.coding_sessions to authenticated;
grant update (state, stats, state_reason) on public.coding_sessions to authenticated;

create policy "Users can move their own open sessions"
  on public.coding_sessions for update to authenticated
  using (user_id = (select auth.uid()) and state not in ('completed', 'failed', 'cancelled'))
  with check (user_id = (select auth.uid()));

-- Events: insert into one's own open sessions; id, session, type and data only (seq and created_at
-- are the database's). PostgREST's upsert with ignoreDuplicates (ON CONFLICT DO NOTHING) needs no
-- UPDATE right, so a retried event is still stored once.
create policy "Users can append events to their own open sessions"
  on public.session_events for insert to authenticated
  with check (
    exists (
      select 1 from public.coding_sessions s
      where s.id = session_id
        and s.user_id = (select auth.uid())
        and s.state not in ('completed', 'failed', 'cancelled')
    )
  );

grant insert (id, session_id, event_type, event_data) on public.session_events to authenticated;

-- A user's own state changes follow the lifecycle (the worker's SessionStore.TRANSITIONS):
-- pending → running|cancelled|failed, running → paused|completed|failed|cancelled,
-- paused → running|failed|cancelled. service_role is trusted to know what it does.
create function public.check_session_transition() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.state is distinct from old.state and current_user = 'authenticated' and not (
    (old.state = 'pending' and new.state in ('running', 'cancelled', 'failed'))
    or (old.state = 'running' and new.state in ('paused', 'completed', 'failed', 'cancelled'))
    or (old.state = 'paused' and new.state in ('running', 'failed', 'cancelled'))
  ) then
    raise exception 'A % session cannot become %.', old.state, new.state
      using errcode = '23514', hint = 'Sessions go pending → running → completed, failed or cancelled (running ⇄ paused).';
  end if;
  return new;
end;
$$;

create trigger coding_sessions_check_transition
  before update of state on public.coding_sessions
  for each row execute function public.check_session_transition();

-- Every state change is recorded as a state_changed event by the database itself, in the same
-- transaction as the change: exactly one event per change, ordered after everything stored before
-- it, and possible even for a user whose session has just become final (their own inserts into a
-- final session are refused). Writers set state (and state_reason), never emit state_changed.
create function public.record_session_transition() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.session_events (session_id, event_type, event_data)
  values (new.id, 'state_changed', jsonb_build_object('from', old.state, 'to', new.state, 'reason', coalesce(new.state_reason, '')));
  return null;
end;
$$;

revoke execute on function public.record_session_transition() from public, anon, authenticated;

create trigger coding_sessions_record_transition
  after update of state on public.coding_sessions
  for each row when (old.state is distinct from new.state)
  execute function public.record_session_transition();
