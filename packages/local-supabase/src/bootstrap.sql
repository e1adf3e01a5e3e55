-- The Supabase platform objects a plain PostgreSQL lacks, applied by OUR local tooling only
-- (embedded PostgreSQL for tests and `npm run stack`) before supabase/migrations/. Never part of
-- migrations/: hosted Supabase and `supabase start` already have all of this.
-- Idempotent: it runs on every boot, so a persistent data dir picks up changes.

-- Roles, as on Supabase: the API roles cannot log in; `authenticator` logs in and switches to them.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin nologin noinherit createrole;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;

-- As on hosted Supabase: a request as anon may run 3 s, as authenticated 8 s (the REST gateway
-- applies a role's settings when it takes the role on, as PostgREST does).
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

-- Supabase's default privileges on `public`: API roles get table rights, RLS decides rows.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

-- Schema `auth`: the users table and the helper functions RLS policies call.
create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key default gen_random_uuid(),
  aud varchar(255) default 'authenticated',
  role varchar(255) default 'authenticated',
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb default '{}'::jsonb,
  raw_user_meta_data jsonb default '{}'::jsonb,
  is_anonymous boolean not null default false,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
create unique index if not exists users_email_key on auth.users (lower(email)) where email is not null;

-- Sign-in sessions and rotating refresh tokens (GoTrue's own bookkeeping, used by the gateway).
create table if not exists auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  not_after timestamptz
);

create table if not exists auth.refresh_tokens (
  id bigserial primary key,
  token varchar(255) not null unique,
  user_id uuid not null references auth.users (id) on delete cascade,
  session_id uuid not null references auth.sessions (id) on delete cascade,
  parent varchar(255),
  revoked boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- As Supabase defines them: claims come from the JWT the API put in `request.jwt.claims`
-- (and the legacy per-claim settings).
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role;
grant select on auth.users to service_role;

-- Where the Supabase CLI records applied migrations; our tooling records them the same way.
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);

-- The gateway logs in as `authenticator` (no superuser). Auth's own bookkeeping is done as
-- `supabase_auth_admin`, as GoTrue does; the API switches to anon, authenticated or service_role.
grant supabase_auth_admin to authenticator;
grant usage, create on schema auth to supabase_auth_admin;
grant all on all tables in schema auth to supabase_auth_admin;
grant all on all sequences in schema auth to supabase_auth_admin;

-- Realtime's own schema, as the Realtime service creates it on Supabase: `realtime.messages` (what
-- Broadcast from Database writes and what private channels are authorized against, partitioned by
-- day; the gateway creates the partitions), `realtime.topic()`, `realtime.send()` and
-- `realtime.broadcast_changes()`. Inserts reach joined channels through the publication below.
create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  primary key (id, inserted_at)
) partition by range (inserted_at);
create index if not exists messages_inserted_at_topic_index on realtime.messages (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;
alter table realtime.messages enable row level security;
grant select, insert, update on realtime.messages to anon, authenticated, service_role;

create or replace function realtime.topic() returns text
language sql stable
as $$ select nullif(current_setting('realtime.topic', true), '')::text $$;
grant execute on function realtime.topic() to anon, authenticated, service_role;

-- As on Supabase, a failure to store the message (a missing partition, RLS) is only a warning:
-- the writer's transaction commits.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
begin
  begin
    perform set_config('realtime.topic', topic, true);
    insert into realtime.messages (payload, event, topic, private, extension)
    values (
      case when payload ? 'id' then payload else payload || jsonb_build_object('id', gen_random_uuid()) end,
      event, topic, private, 'broadcast'
    );
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'
) returns void
language plpgsql
as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation in ('INSERT', 'UPDATE', 'DELETE') then
    row_data := jsonb_build_object(
      'old_record', case when operation in ('UPDATE', 'DELETE') then to_jsonb(old) end,
      'record', case when operation in ('INSERT', 'UPDATE') then to_jsonb(new) end,
      'operation', operation, 'table', table_name, 'schema', table_schema
    );
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
end;
$$;
grant execute on function realtime.send(jsonb, text, text, boolean), realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to anon, authenticated, service_role;

do $$ begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime_messages_publication') then
    create publication supabase_realtime_messages_publication for table realtime.messages with (publish_via_partition_root = true, publish = 'insert');
  end if;
end $$;

-- `postgres`, as on hosted Supabase and `supabase start`: the role migrations are applied as (here
-- with SET ROLE, by src/migrate.ts). Not a superuser: it bypasses RLS, may create roles and
-- databases, and is a member of the API roles; it may create in the database and in `public`,
-- refer to auth.users, record migrations, and (through supabase_realtime_admin, which owns
-- realtime.messages, as the Realtime service's admin role does there) write policies on
-- realtime.messages. A migration that needs more than hosted Supabase gives fails here too.
-- In a data dir made before this (its superuser is named postgres) it stays the superuser.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'postgres') then
    create role postgres login createrole createdb bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin nologin noinherit;
  end if;
  execute format('grant create on database %I to postgres', current_database());
end
$$;
grant anon, authenticated, service_role to postgres;
grant supabase_realtime_admin to postgres;
grant usage, create on schema public to postgres;
grant usage on schema auth to postgres;
grant select, references on auth.users to postgres;
grant usage, create on schema supabase_migrations to postgres;
grant select, insert, update, delete on supabase_migrations.schema_migrations to postgres;
grant usage on schema realtime to postgres, supabase_realtime_admin;
alter table realtime.messages owner to supabase_realtime_admin;
