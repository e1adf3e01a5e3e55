-- Comments on events, continued. (1) Annotations show who wrote them: the author's name (their email) is
-- stored with the note, taken from the caller's token and never from the request, so nobody can
-- sign a note as someone else. (2) mark_session_read: a read marker that only moves forward.

alter table public.session_event_annotations
  add column author_name text not null default ''
    constraint session_event_annotations_author_name_size check (char_length(author_name) <= 200);

create function public.session_event_annotations_set_author()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- service_role (a worker, an admin script) may name the author; everyone else is who the token says.
  if coalesce(auth.role(), '') <> 'service_role' or new.author_name = '' then
    new.author_name := left(coalesce(nullif(auth.jwt() ->> 'email', ''), 'someone'), 200);
  end if;
  return new;
end;
$$;

create trigger session_event_annotations_set_author
  before insert on public.session_event_annotations
  for each row execute function public.session_event_annotations_set_author();

-- Moving a read marker: insert or move forward, never back (two windows reading at once must not
-- undo each other), in one statement. Security invoker: the markers' RLS still decides.
create function public.mark_session_read(p_session_id uuid, p_seq bigint)
returns bigint
language sql
volatile
security invoker
set search_path = ''
as $$
  insert into public.session_read_markers as m (user_id, session_id, last_seq, updated_at)
  values (auth.uid(), p_session_id, greatest(p_seq, 0), now())
  on conflict (user_id, session_id)
    do update set last_seq = greatest(m.last_seq, excluded.last_seq), updated_at = now()
  returning last_seq;
$$;

revoke all on function public.mark_session_read(uuid, bigint) from public, anon;
grant execute on function public.mark_session_read(uuid, bigint) to authenticated, service_role;
