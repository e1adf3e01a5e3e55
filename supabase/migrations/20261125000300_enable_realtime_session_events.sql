-- Stream inserts on session_events through Supabase Realtime (CDC).

-- Full row images in the WAL, so UPDATE/DELETE changes carry the old row for RLS checks.
alter table public.session_events replica identity full;

-- Hosted Supabase and `supabase start` already have this publication; a plain PostgreSQL does not.
do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

alter publication supabase_realtime add table public.session_events;
