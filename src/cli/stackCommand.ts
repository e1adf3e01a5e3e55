// `npm run stack -- [--port N] [--data-dir DIR] [--env-file PATH] [--jwt-expiry S] [--log-level L]`
// (docs/architecture.md, contract 1): the local stack (packages/local-supabase) with this
// project's defaults.
import { runStackCli } from '@agent-session-stream/local-supabase';
import { LOCAL_STACK_DIR, LOCAL_STACK_ENV_FILE } from '../shared/localDefaults';

export function runStack(args: string[]): Promise<number> {
  return runStackCli(args, { command: 'npm run stack --', dataDir: LOCAL_STACK_DIR, envFile: LOCAL_STACK_ENV_FILE });
}
