-- Coding sessions: one row per agent run, owned by a Supabase Auth user.
create table public.coding_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  title text not null default 'Untitled session',
  state text not null default 'pending'
    constraint coding_sessions_state_check
    check (state in ('pending', 'running', 'paused', 'completed', 'failed', 'cancelled')),
  stats jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index idx_coding_sessions_user_id on public.coding_sessions (user_id, created_at desc);

create function public.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

create trigger coding_sessions_touch_updated_at
  before update on public.coding_sessions
  for each row execute function public.touch_updated_at();

-- RLS: a user sees, creates (as pending) and deletes only their own sessions. State changes are
-- the worker's, which uses service_role (BYPASSRLS), so there is no UPDATE policy.
alter table public.coding_sessions enable row level security;

create policy "Users can view their own sessions"
  on public.coding_sessions for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Users can create their own pending sessions"
  on public.coding_sessions for insert to authenticated
  with check (user_id = (select auth.uid()) and state = 'pending');

create policy "Users can delete their own sessions"
  on public.coding_sessions for delete to authenticated
  using (user_id = (select auth.uid()));

-- Supabase grants everything in `public` to anon/authenticated by default and leaves the rest to
-- RLS; we also narrow the grants so a policy mistake cannot open writes.
revoke all on public.coding_sessions from anon;
revoke all on public.coding_sessions from authenticated;
grant select, insert, delete on public.coding_sessions to authenticated;
grant all on public.coding_sessions to service_role;
