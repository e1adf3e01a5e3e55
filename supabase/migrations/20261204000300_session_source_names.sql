-- A session's source names the agent it comes from (its id in the product's agent registry), 'demo'
-- or 'other'. The list of agents is the product's, not the database's: adding an agent must not
-- need a migration. The column keeps a bounded, plain name instead of a fixed list.
alter table public.coding_sessions
  drop constraint coding_sessions_source_check;

alter table public.coding_sessions
  add constraint coding_sessions_source_check
    check (source ~ '^[a-z][a-z0-9-]{0,31}$');
