// `npm run stack -- [--port N] [--data-dir DIR] [--env-file PATH] [--jwt-expiry S] [--log-level L]`
// (docs/architecture.md, contract 1): real PostgreSQL + the Supabase-compatible gateway on 127.0.0.1.
import { parseArgs } from 'node:util';
import { envLines, startStack, writeEnvFile } from '../../supabase/local/stack';
import { LOCAL_STACK_DIR, LOCAL_STACK_ENV_FILE } from '../shared/localDefaults';
import type { LogLevel } from '../../supabase/local/log';
import { UsageError, intOption } from './args';


export const stackHelp = `Usage: npm run stack -- [options]

Starts real PostgreSQL (embedded) with the migrations applied and a Supabase-compatible
API (Auth, REST, Realtime) on 127.0.0.1, then prints API_URL, ANON_KEY, SERVICE_ROLE_KEY,
JWT_SECRET and DB_URL, and "Stack ready". Ctrl-C stops it.

Options:
  --port N          gateway port (default 54321; 0 = a free port)
  --data-dir DIR    where the database and JWT secret live (default ${LOCAL_STACK_DIR})
  --env-file PATH   also write the KEY=VALUE lines there, atomically (default ${LOCAL_STACK_ENV_FILE})
  --jwt-expiry S    access-token lifetime in seconds (default 3600)
  --log-level L     debug | info | warn | error | silent (default info, on stderr)`;

export async function runStack(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'env-file': { type: 'string' },
      // What scripts/cli.sh turns --env-file into (see there: a Node 20 quirk).
      'env-out': { type: 'string' },
      'jwt-expiry': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${stackHelp}\n`);
    return 0;
  }
  const logLevel = (values['log-level'] ?? 'info') as LogLevel | 'silent';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) throw new UsageError(`--log-level must be debug, info, warn, error or silent`);
  const stack = await startStack({
    port: intOption('--port', values.port, 54321, 0, 65535),
    dataDir: values['data-dir'] ?? LOCAL_STACK_DIR,
    jwtExpiry: intOption('--jwt-expiry', values['jwt-expiry'], 3600, 1, 10 * 365 * 86400),
    logLevel,
  }).catch((error: Error) => {
    const hint = /EADDRINUSE/.test(error.message) ? ' Another stack (or `supabase start`) uses that port: pass --port 0 or stop it.' : '';
    throw new Error(`Could not start the local stack: ${error.message}.${hint}`);
  });
  const envFile = values['env-file'] ?? values['env-out'] ?? LOCAL_STACK_ENV_FILE;
  await writeEnvFile(envFile, stack.env);
  process.stdout.write(envLines(stack.env));
  process.stdout.write('Stack ready\n');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      stack.stop().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`Stopping the stack failed: ${String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
