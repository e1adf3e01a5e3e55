-- The extension's Sessions view stays current live: stream changes of coding_sessions too (a new
-- session, a state change). RLS still decides who receives what: owners see their own sessions.
alter table public.coding_sessions replica identity full;

alter publication supabase_realtime add table public.coding_sessions;
