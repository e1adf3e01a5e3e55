-- Session events (seed: Phase 17/19), plus `seq`: the total order and the recovery cursor.
-- `created_at` stays for people and monitoring; clocks skew and timestamps tie, `seq` does not.
create table public.session_events (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity
    constraint session_events_seq_key unique,
  session_id uuid not null references public.coding_sessions (id) on delete cascade,
  event_type text not null
    constraint session_events_event_type_check
    check (event_type in (
      'state_changed', 'thinking', 'terminal', 'file_change', 'completion', 'error', 'files_changed'
    )),
  event_data jsonb not null default '{}'::jsonb
    constraint session_events_event_data_object_check
    check (jsonb_typeof(event_data) = 'object')
    -- 256 KiB of JSON text. A larger payload is refused with this constraint's name (SQLSTATE
    -- 23514) instead of being cut silently; the worker truncates terminal output before that.
    constraint session_events_event_data_size_check
    check (octet_length(event_data::text) <= 262144),
  created_at timestamptz not null default now()
);

-- Indexes by session and time, by type and by time, plus (session_id, seq) for history and recovery by cursor.
create index idx_session_events_session_id on public.session_events (session_id, created_at desc);
create index idx_session_events_type on public.session_events (event_type);
create index idx_session_events_created_at on public.session_events (created_at desc);
create index idx_session_events_session_seq on public.session_events (session_id, seq);

-- RLS. A plain INSERT policy `WITH CHECK (true)` (no role) would let ANY signed-in user forge
-- events into ANY session. Here owners only SELECT their sessions' events; there is no write
-- policy for anon/authenticated at all. The worker writes with service_role, which bypasses RLS.
alter table public.session_events enable row level security;

create policy "Users can view their own session events"
  on public.session_events for select to authenticated
  using (
    session_id in (select id from public.coding_sessions where user_id = (select auth.uid()))
  );

revoke all on public.session_events from anon;
revoke all on public.session_events from authenticated;
grant select on public.session_events to authenticated;
grant all on public.session_events to service_role;
