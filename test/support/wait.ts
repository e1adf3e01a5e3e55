// The product's tests wait with the same helpers as the local stack's own tests.
export { sleep, until } from '@agent-session-stream/local-supabase/testing';
