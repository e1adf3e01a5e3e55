-- The private Realtime topic `viewers:<user id>`: a user's viewers (VS Code windows) show there
-- that they are online, and the user's hooks collector looks there before a permission request of
-- an agent waits for an answer from a viewer — with nobody online it lets the agent ask in its
-- terminal at once. Only the user reads and joins their own topic.
create function public.is_own_viewers_topic() returns boolean
language sql stable
set search_path = ''
as $$
  select realtime.topic() = 'viewers:' || (select auth.uid())::text
$$;

revoke execute on function public.is_own_viewers_topic() from public, anon;
grant execute on function public.is_own_viewers_topic() to authenticated, service_role;

create policy "Users see their own viewers online"
  on realtime.messages for select to authenticated
  using (extension = 'presence' and (select public.is_own_viewers_topic()));

create policy "Users show themselves online to their own viewers topic"
  on realtime.messages for insert to authenticated
  with check (extension = 'presence' and (select public.is_own_viewers_topic()));
