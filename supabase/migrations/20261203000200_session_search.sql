-- Sessions of any length (docs/long-sessions.md): the timeline reads a session in pages by its own
-- event number (the existing unique index on (session_id, session_seq) serves those), counts its
-- events per type, and searches the whole session on the server.
--
-- Search is a case-insensitive substring match, as the search box always was, over what an event
-- says: commands and their output, paths and diffs, messages, thinking text, state reasons. A
-- trigram index (pg_trgm, with btree_gin for the session id in the same index) makes it fast for
-- rare and common terms alike; a full-text index (tsvector) was measured against it and finds words
-- only, not parts of words ("npm tes", "greet(" or a path fragment), see docs/benchmarks.md.

create schema if not exists extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists btree_gin with schema extensions;

-- What search reads of an event, lower-cased. Immutable (only ->> and ||), so it can be indexed.
create or replace function public.session_event_search_text(event_data jsonb) returns text
language sql immutable parallel safe
as $$
  select lower(
    coalesce(event_data ->> 'command', '') || E'\n' ||
    coalesce(event_data ->> 'output', '') || E'\n' ||
    coalesce(event_data ->> 'error', '') || E'\n' ||
    coalesce(event_data ->> 'path', '') || E'\n' ||
    coalesce(event_data ->> 'diff', '') || E'\n' ||
    coalesce(event_data ->> 'text', '') || E'\n' ||
    coalesce(event_data ->> 'message', '') || E'\n' ||
    coalesce(event_data ->> 'reason', '') || E'\n' ||
    coalesce(event_data -> 'files', 'null'::jsonb)::text || E'\n' ||
    coalesce(event_data -> 'toolsUsed', 'null'::jsonb)::text
  )
$$;

create index idx_session_events_search on public.session_events
  using gin (session_id, public.session_event_search_text(event_data) extensions.gin_trgm_ops);

-- Who may search a session: whoever may read it. Search runs as its definer because under RLS
-- PostgreSQL cannot use the trigram index (LIKE is not leakproof, so it may not run before the
-- row's policy); this check stands in for the policy and must follow coding_sessions' SELECT
-- policy (the session's owner) — and service_role.
create or replace function public.may_search_session(p_session_id uuid) returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce(auth.role(), '') = 'service_role'
      or exists (select 1 from public.coding_sessions s where s.id = p_session_id and s.user_id = auth.uid())
$$;

-- The LIKE pattern for a search: `p_query` lower-cased, with LIKE's own characters as text.
create or replace function public.session_search_pattern(p_query text) returns text
language sql immutable
set search_path = ''
as $$
  select '%' || replace(replace(replace(lower(p_query), '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

-- Hits of `p_query` in a session, in order after `p_after`, each with a snippet around the match;
-- with `p_types`, only events of those types. Refused (42501) for a session the caller may not read.
-- The query is planned for each search with its own pattern (EXECUTE): a plan made for "any
-- pattern" reads a rare term's session in order, row by row, instead of through the index.
create or replace function public.search_session_events(p_session_id uuid, p_query text, p_types text[] default null, p_after bigint default 0, p_limit integer default 200)
returns table (session_seq bigint, event_type text, snippet text)
language plpgsql stable security definer
set search_path = ''
as $$
begin
  if not public.may_search_session(p_session_id) then
    raise exception 'You may not search session %.', p_session_id using errcode = '42501';
  end if;
  return query execute
    'select e.session_seq, e.event_type,
            substr(public.session_event_search_text(e.event_data), greatest(1, strpos(public.session_event_search_text(e.event_data), $5) - 60), 200)
       from public.session_events e
      where e.session_id = $1
        and e.session_seq > $3
        and ($4::text[] is null or e.event_type = any ($4))
        and public.session_event_search_text(e.event_data) like $2
      order by e.session_seq
      limit $6'
    using p_session_id, public.session_search_pattern(p_query), coalesce(p_after, 0), p_types, lower(p_query), least(greatest(coalesce(p_limit, 200), 1), 1000);
end;
$$;

-- How many events match, counted up to `p_cap` (a common term is "10,000+", not a full count).
create or replace function public.count_session_event_hits(p_session_id uuid, p_query text, p_types text[] default null, p_cap integer default 10000)
returns bigint
language plpgsql stable security definer
set search_path = ''
as $$
declare
  hits bigint;
begin
  if not public.may_search_session(p_session_id) then
    raise exception 'You may not search session %.', p_session_id using errcode = '42501';
  end if;
  execute
    'select count(*) from (
       select 1 from public.session_events e
        where e.session_id = $1
          and ($3::text[] is null or e.event_type = any ($3))
          and public.session_event_search_text(e.event_data) like $2
        limit $4) capped'
    into hits
    using p_session_id, public.session_search_pattern(p_query), p_types, greatest(coalesce(p_cap, 10000), 1);
  return hits;
end;
$$;

-- A session's events per type (the timeline's filter buttons show whole-session counts).
create or replace function public.session_event_type_counts(p_session_id uuid)
returns table (event_type text, events bigint)
language sql stable security invoker
set search_path = ''
as $$
  select e.event_type, count(*) from public.session_events e where e.session_id = p_session_id group by e.event_type
$$;

-- Pages filtered by type read (session_id, event_type, session_seq).
create index idx_session_events_session_type_seq on public.session_events (session_id, event_type, session_seq);

revoke execute on function public.may_search_session(uuid) from public, anon;
revoke execute on function public.session_search_pattern(text) from public, anon;
grant execute on function public.session_search_pattern(text) to authenticated, service_role;
revoke execute on function public.search_session_events(uuid, text, text[], bigint, integer), public.count_session_event_hits(uuid, text, text[], integer), public.session_event_type_counts(uuid) from public, anon;
grant execute on function public.search_session_events(uuid, text, text[], bigint, integer), public.count_session_event_hits(uuid, text, text[], integer), public.session_event_type_counts(uuid) to authenticated, service_role;
