// `session-stream stack [--port N] [--data-dir DIR] [--env-file PATH] [--jwt-expiry S] [--log-level L]`
// (docs/architecture.md, contract 1): the local stack (packages/local-supabase) with this
// project's defaults. Its options, their parsing and its help are the local stack's own.
import { runStackCli } from '@agent-session-stream/local-supabase';
import { LOCAL_STACK_DIR, LOCAL_STACK_ENV_FILE } from '../shared/localDefaults';
import { PROGRAM, type CliCommand } from './options';

export const stackCommand: CliCommand = {
  name: 'stack',
  summary: 'start the local Supabase-compatible stack (PostgreSQL + Auth, REST, Realtime)',
  run: (args) => runStackCli(args, { command: `${PROGRAM} stack`, dataDir: LOCAL_STACK_DIR, envFile: LOCAL_STACK_ENV_FILE }),
};
