-- Comments on events, and a per-user "last read" position per session.
-- Who may see a session may read and add its annotations; only authors edit or delete their own.
-- A read marker is private to its user. Both are published for Realtime, so every window and
-- device of a user (and of whoever shares the session) sees changes live.

-- An annotation's event must belong to the annotation's session: a composite key to point at.
alter table public.session_events
  add constraint session_events_id_session_id_key unique (id, session_id);

create table public.session_event_annotations (
  id uuid primary key default gen_random_uuid(),
  event_id uuid not null,
  session_id uuid not null references public.coding_sessions (id) on delete cascade,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  -- At most 4 KiB of Markdown (rendered as text-safe Markdown, never as HTML).
  body text not null
    constraint session_event_annotations_body_size check (octet_length(body) between 1 and 4096),
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  constraint session_event_annotations_event_fkey foreign key (event_id, session_id)
    references public.session_events (id, session_id) on delete cascade
);

create index idx_session_event_annotations_session on public.session_event_annotations (session_id, created_at);
create index idx_session_event_annotations_event on public.session_event_annotations (event_id);

alter table public.session_event_annotations enable row level security;

create policy "Viewers of a session read its annotations"
  on public.session_event_annotations for select to authenticated
  using (exists (select 1 from public.coding_sessions s where s.id = session_id and s.user_id = (select auth.uid())));

create policy "Viewers of a session annotate it as themselves"
  on public.session_event_annotations for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select 1 from public.coding_sessions s where s.id = session_id and s.user_id = (select auth.uid()))
  );

create policy "Authors edit their own annotations"
  on public.session_event_annotations for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Authors delete their own annotations"
  on public.session_event_annotations for delete to authenticated
  using (user_id = (select auth.uid()));

-- Only the text and its edit time can change; who wrote what, on which event, cannot.
grant select, insert, delete on public.session_event_annotations to authenticated;
grant update (body, edited_at) on public.session_event_annotations to authenticated;
grant all on public.session_event_annotations to service_role;

create table public.session_read_markers (
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  session_id uuid not null references public.coding_sessions (id) on delete cascade,
  last_seq bigint not null constraint session_read_markers_last_seq_check check (last_seq >= 0),
  updated_at timestamptz not null default now(),
  primary key (user_id, session_id)
);

alter table public.session_read_markers enable row level security;

create policy "Users read their own markers"
  on public.session_read_markers for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Users set their own markers on sessions they can see"
  on public.session_read_markers for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select 1 from public.coding_sessions s where s.id = session_id and s.user_id = (select auth.uid()))
  );

create policy "Users move their own markers"
  on public.session_read_markers for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Users delete their own markers"
  on public.session_read_markers for delete to authenticated
  using (user_id = (select auth.uid()));

grant select, insert, delete on public.session_read_markers to authenticated;
grant update (last_seq, updated_at) on public.session_read_markers to authenticated;
grant all on public.session_read_markers to service_role;

-- Realtime: full old rows so DELETE/UPDATE changes can be checked against RLS.
alter table public.session_event_annotations replica identity full;
alter table public.session_read_markers replica identity full;
alter publication supabase_realtime add table public.session_event_annotations, public.session_read_markers;
