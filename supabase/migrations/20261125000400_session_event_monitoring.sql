-- The monitoring queries (latency per event type, volume per minute) as views. security_invoker makes them run with the caller's
-- rights, so RLS applies: a user sees figures of their own sessions only, service_role all.

create view public.session_event_latency
with (security_invoker = true) as
select
  event_type,
  avg(extract(epoch from (now() - created_at)))::double precision as avg_latency_seconds,
  count(*) as event_count
from public.session_events
where created_at > now() - interval '1 hour'
group by event_type;

create view public.session_event_volume
with (security_invoker = true) as
select
  date_trunc('minute', created_at) as minute,
  event_type,
  count(*) as event_count
from public.session_events
where created_at > now() - interval '1 hour'
group by 1, 2
order by 1 desc, 2;

revoke all on public.session_event_latency, public.session_event_volume from anon;
grant select on public.session_event_latency, public.session_event_volume to authenticated, service_role;
