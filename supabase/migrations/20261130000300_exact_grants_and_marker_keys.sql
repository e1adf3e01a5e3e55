-- Exact grants for comments and read markers. Supabase grants every privilege on new tables in
-- `public` to anon and authenticated by default; the earlier migration added grants without
-- revoking those, so an author could rewrite their comment's author_name or set edited_at to the
-- year 9999 (after which every real edit looked older and was ignored by readers).

revoke all on public.session_event_annotations from anon, authenticated;
grant select, delete on public.session_event_annotations to authenticated;
grant insert (event_id, session_id, body) on public.session_event_annotations to authenticated;
grant update (body) on public.session_event_annotations to authenticated;

-- An edit changes the text only; the database stamps when. (service_role may still fix a row.)
create function public.session_event_annotations_on_edit() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if coalesce(auth.role(), '') <> 'service_role' then
    new.author_name := old.author_name;
    new.user_id := old.user_id;
    new.event_id := old.event_id;
    new.session_id := old.session_id;
    new.created_at := old.created_at;
  end if;
  if new.body is distinct from old.body then
    new.edited_at := now();
  elsif coalesce(auth.role(), '') <> 'service_role' then
    new.edited_at := old.edited_at;
  end if;
  return new;
end;
$$;

create trigger session_event_annotations_on_edit
  before update on public.session_event_annotations
  for each row execute function public.session_event_annotations_on_edit();

-- Read markers: a surrogate key. With (user_id, session_id) as the primary key, every DELETE was
-- broadcast with both to every subscriber of the table (Realtime sends a deleted row's key).
revoke all on public.session_read_markers from anon, authenticated;
alter table public.session_read_markers drop constraint session_read_markers_pkey;
alter table public.session_read_markers add column id uuid not null default gen_random_uuid();
alter table public.session_read_markers add constraint session_read_markers_pkey primary key (id);
alter table public.session_read_markers add constraint session_read_markers_user_session_key unique (user_id, session_id);
grant select, delete on public.session_read_markers to authenticated;
grant insert (user_id, session_id, last_seq, updated_at) on public.session_read_markers to authenticated;
grant update (last_seq, updated_at) on public.session_read_markers to authenticated;
