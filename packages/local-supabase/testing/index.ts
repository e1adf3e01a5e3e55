// What tests of a project served by the local stack use: root hooks that start one stack for a
// mocha run (`require` testing/hooks.ts), handles to it, SQL and supabase-js helpers that set up
// users, sessions and events of this repository's schema, waiting helpers and a seeded PRNG.
export * from './clients';
export * from './fixture';
export * from './random';
export * from './wait';
