// The stack as a command: parse the options, start it, print and write its env lines, then
// "Stack ready"; SIGINT/SIGTERM stop it (exit 0). Used by this package's `local-supabase` bin and by
// any project's own command line (which passes its defaults and how it is invoked).
import { parseArgs } from 'node:util';
import type { LogLevel } from './log';
import { envLines, startStack, writeEnvFile } from './stack';

export interface StackCliDefaults {
  /** How the command is run, for the usage line ("local-supabase", "npm run stack --"). */
  command: string;
  dataDir: string;
  envFile: string;
  port?: number;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

function usage(d: StackCliDefaults): string {
  return `Usage: ${d.command} [options]

Starts real PostgreSQL (embedded) with the migrations applied and a Supabase-compatible
API (Auth, REST, Realtime) on 127.0.0.1, then prints API_URL, ANON_KEY, SERVICE_ROLE_KEY,
JWT_SECRET and DB_URL, and "Stack ready". Ctrl-C stops it.

Options:
  --port N          gateway port (default ${d.port ?? 54321}; 0 = a free port)
  --data-dir DIR    where the database and JWT secret live (default ${d.dataDir})
  --env-file PATH   also write the KEY=VALUE lines there, atomically (default ${d.envFile});
                    on Node 20 write it --env-out (Node 20 reads --env-file itself, anywhere)
  --jwt-expiry S    access-token lifetime in seconds (default 3600)
  --log-level L     debug | info | warn | error | silent (default info, on stderr)`;
}

class CliError extends Error {}

function whole(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new CliError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return Number(raw);
}

/** Runs until stopped; resolves with the exit code (2 for bad options, with a message on stderr). */
export async function runStackCli(args: string[], defaults: StackCliDefaults): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'env-file': { type: 'string' },
        'env-out': { type: 'string' },
        'jwt-expiry': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
    if (values['log-level'] !== undefined && !LEVELS.includes(values['log-level'])) throw new CliError('--log-level must be debug, info, warn, error or silent');
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun with --help for the options.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage(defaults)}\n`);
    return 0;
  }
  let port: number;
  let jwtExpiry: number;
  try {
    port = whole('--port', values.port, defaults.port ?? 54321, 0, 65535);
    jwtExpiry = whole('--jwt-expiry', values['jwt-expiry'], 3600, 1, 10 * 365 * 86400);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nRun with --help for the options.\n`);
    return 2;
  }
  const stack = await startStack({ port, dataDir: values['data-dir'] ?? defaults.dataDir, jwtExpiry, logLevel: (values['log-level'] ?? 'info') as LogLevel | 'silent' }).catch((error: Error) => {
    const hint = /EADDRINUSE/.test(error.message) ? ' Another stack (or `supabase start`) uses that port: pass --port 0 or stop it.' : '';
    throw new Error(`Could not start the local stack: ${error.message}.${hint}`);
  });
  await writeEnvFile(values['env-file'] ?? values['env-out'] ?? defaults.envFile, stack.env);
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
