-- Every event gets `session_seq`: 1, 2, 3 … within its session, with no gaps, in commit order.
-- `seq` (global, taken when a row is inserted) is not commit order when two transactions write at
-- once: a reader that has seen seq 327 cannot tell that seq 176 will still commit, so recovering
-- "everything after what I saw" could skip it for good. Numbers taken under a per-session lock that
-- is held until commit are both: each writer waits for the one before to commit, and a gap in what
-- a reader has received means exactly "not delivered yet". `seq` stays for a global order.

-- The counter per session, written only by the trigger below (not published, not readable).
create table public.session_event_counters (
  session_id uuid primary key references public.coding_sessions (id) on delete cascade,
  last_seq bigint not null
);
alter table public.session_event_counters enable row level security;
revoke all on public.session_event_counters from anon, authenticated;

alter table public.session_events add column session_seq bigint;

-- Existing events are numbered in their global order.
with numbered as (
  select id, row_number() over (partition by session_id order by seq) as n from public.session_events
)
update public.session_events e set session_seq = numbered.n from numbered where numbered.id = e.id;

insert into public.session_event_counters (session_id, last_seq)
select session_id, max(session_seq) from public.session_events group by session_id;

alter table public.session_events alter column session_seq set not null;
alter table public.session_events
  add constraint session_events_session_seq_key unique (session_id, session_seq);

-- Takes the session's counter row (locked until this transaction ends), then the next number.
-- An insert of an event already stored (a retry with the same id) takes no number: it gets the
-- stored row's, so it conflicts as before — ignored under ON CONFLICT DO NOTHING, 23505 otherwise —
-- and numbers are only ever used by rows that exist. The check comes AFTER the lock, so a retry
-- racing the first copy sees it committed.
create function public.assign_session_seq() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  existing bigint;
begin
  insert into public.session_event_counters (session_id, last_seq) values (new.session_id, 0)
    on conflict (session_id) do nothing;
  perform 1 from public.session_event_counters where session_id = new.session_id for update;
  select session_seq into existing from public.session_events where id = new.id;
  if found then
    new.session_seq := existing;
    return new;
  end if;
  update public.session_event_counters set last_seq = last_seq + 1
    where session_id = new.session_id
    returning last_seq into new.session_seq;
  return new;
end;
$$;

revoke execute on function public.assign_session_seq() from public, anon, authenticated;

create trigger session_events_assign_session_seq
  before insert on public.session_events
  for each row execute function public.assign_session_seq();

-- Read markers hold the number of the last event read; it is now the per-session one.
update public.session_read_markers m set last_seq = coalesce(
  (select max(e.session_seq) from public.session_events e where e.session_id = m.session_id and e.seq <= m.last_seq), 0);
