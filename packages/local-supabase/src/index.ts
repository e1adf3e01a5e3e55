// The public entry of the local stack: start it (PostgreSQL in a child process, plus the gateway
// that speaks Supabase's Auth, REST and Realtime), write its env file, and the pieces tools around
// it use (the change feed for measuring the floor, the logger, a free port, applying migrations).
export { envLines, startStack, writeEnvFile, type Stack, type StackEnv, type StackOptions } from './stack';
export { runStackCli, type StackCliDefaults } from './cli';
export { createLogger, type Logger, type LogLevel } from './log';
export { freePort } from './freePort';
export { findSupabaseDir, startPostgres, type LocalPostgres, type StartPostgresOptions } from './localPostgres';
export { applyDatabase, type ApplyResult } from './migrate';
export { ChangeFeed, type Change } from './realtime/cdc';
