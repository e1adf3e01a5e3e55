// Where the command line finds Supabase: the environment first (SUPABASE_URL and the keys, as
// for hosted Supabase or `supabase start`), else the env file the local stack wrote.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnvFile } from '../core/envFile';
import { LOCAL_STACK_ENV_FILE } from '../shared/localDefaults';
import { UsageError } from './args';


export interface Connection {
  url: string;
  anonKey?: string;
  serviceRoleKey?: string;
  /** Where the values came from, for messages. */
  source: string;
}

export function resolveConnection(need: Array<'anonKey' | 'serviceRoleKey'>, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Connection {
  let connection: Connection | undefined;
  if (env.SUPABASE_URL) {
    connection = { url: env.SUPABASE_URL, anonKey: env.SUPABASE_ANON_KEY, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY, source: 'the environment' };
  } else {
    const file = path.resolve(cwd, env.SESSION_STREAM_ENV_FILE ?? LOCAL_STACK_ENV_FILE);
    if (existsSync(file)) {
      const v = parseEnvFile(readFileSync(file, 'utf8'));
      if (v.API_URL) connection = { url: v.API_URL, anonKey: v.ANON_KEY, serviceRoleKey: v.SERVICE_ROLE_KEY, source: file };
    }
  }
  if (!connection) {
    throw new UsageError('No Supabase to talk to: set SUPABASE_URL (and the keys), or start the local stack with `npm run stack` in another terminal.');
  }
  const names = { anonKey: 'SUPABASE_ANON_KEY', serviceRoleKey: 'SUPABASE_SERVICE_ROLE_KEY' } as const;
  const missing = need.filter((k) => !connection[k]).map((k) => names[k]);
  if (missing.length > 0) throw new UsageError(`${missing.join(' and ')} must be set (Supabase URL from ${connection.source}).`);
  return connection;
}
