-- Seed data for `supabase db reset` and the local stack. Intentionally empty of rows: users are
-- created through Auth (`npm run demo` signs up a demo user), and sessions and events by the worker,
-- so that every row goes through the same code paths as in production.
select 1;
