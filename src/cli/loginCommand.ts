// `session-stream login` / `logout`: the sign-in that `run`, `import` and `watch` use, kept in a
// file only you can read (see userAuth.ts).
import readline from 'node:readline';
import { decodeJwt } from 'jose';
import { createSupabaseClient, isUnreachable, unreachableMessage } from '../core/supabaseClient';
import { UsageError } from './args';
import { defineCommand, type CommandSpec } from './options';
import { configDir, readLogin, removeLogin, saveLogin, writerConnection } from './userAuth';

export const LOGIN = {
  name: 'login',
  summary: 'sign in for run, import and watch (kept in a file only you can read)',
  about: `Signs you in to Supabase for \`run\`, \`import\` and \`watch\`, and keeps the sign-in (a refresh
token, rotated as it is used) in ${configDir()}/login.json, readable only by you. No service-role
key is needed anywhere.`,
  options: {
    url: { type: 'string', value: 'URL', help: 'the project, with --anon-key (default: SUPABASE_URL, else the local stack)' },
    'anon-key': { type: 'string', value: 'KEY', help: "the project's anon key, with --url (default: SUPABASE_ANON_KEY, else the local stack)" },
    email: { type: 'string', value: 'E', help: 'sign in with email and password (asked for, or SESSION_STREAM_PASSWORD)' },
    token: { type: 'boolean', help: 'keep an access token instead (used until it expires), read from SUPABASE_ACCESS_TOKEN or standard input — never from the command line, where every process on the machine can read it (below)' },
  },
  notes: `A token from standard input:
  printf %s "$TOKEN" | session-stream login --token

session-stream logout forgets the sign-in (and ends it on the server).`,
} as const satisfies CommandSpec;

export const LOGOUT = {
  name: 'logout',
  summary: 'forget that sign-in',
  about: 'Forgets the sign-in that `session-stream login` kept, and ends it on the server.',
  options: {},
} as const satisfies CommandSpec;

/** All of standard input, trimmed (a token piped in), or asked for without echo at a terminal. */
async function readToken(): Promise<string> {
  if (process.env.SUPABASE_ACCESS_TOKEN) return process.env.SUPABASE_ACCESS_TOKEN.trim();
  if (process.stdin.isTTY) return askHidden('Access token: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const token = Buffer.concat(chunks).toString('utf8').trim();
  if (!token) throw new UsageError('No token on standard input. Pipe it in (printf %s "$TOKEN" | session-stream login --token) or set SUPABASE_ACCESS_TOKEN.');
  return token;
}

async function askPassword(email: string): Promise<string> {
  if (process.env.SESSION_STREAM_PASSWORD) return process.env.SESSION_STREAM_PASSWORD;
  if (!process.stdin.isTTY) throw new UsageError('No terminal to ask the password in: set SESSION_STREAM_PASSWORD.');
  return askHidden(`Password for ${email}: `);
}

async function askHidden(prompt: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Echo nothing while it is typed.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (s.includes(prompt)) process.stdout.write(s);
  };
  const answer = await new Promise<string>((resolve) => rl.question(prompt, resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

/** A token on the command line is refused before anything repeats it (every process here can read command lines). */
function refuseTokenArgument(args: readonly string[]): void {
  if (args.some((a, i) => a.startsWith('--token=') || (args[i - 1] === '--token' && !a.startsWith('-')))) {
    throw new UsageError('Give the token on standard input or in SUPABASE_ACCESS_TOKEN, not on the command line (every process here can read command lines): printf %s "$TOKEN" | session-stream login --token');
  }
}

export const loginCommand = defineCommand(LOGIN, async ({ values }) => {
  if (Boolean(values.url) !== Boolean(values['anon-key'])) throw new UsageError('Give --url and --anon-key together.');
  const env = values.url ? { ...process.env, SUPABASE_URL: values.url, SUPABASE_ANON_KEY: values['anon-key'] } : process.env;
  const { connection } = writerConnection({ ...env, SESSION_STREAM_CONFIG_DIR: '/nonexistent-login-dir' });
  const base = { url: connection.url, anonKey: connection.anonKey!, savedAt: new Date().toISOString() };
  if (values.token) {
    const token = await readToken();
    let claims: ReturnType<typeof decodeJwt>;
    try {
      claims = decodeJwt(token);
    } catch {
      throw new UsageError('That is not an access token (a JWT): copy a user’s access token, e.g. from supabase.auth.getSession().');
    }
    if (!claims.sub) throw new UsageError('That token names no user (no "sub" claim): give a user’s access token, not an API key.');
    const file = saveLogin({ ...base, accessToken: token, email: typeof claims.email === 'string' ? claims.email : undefined });
    process.stdout.write(`Saved the token for ${typeof claims.email === 'string' ? claims.email : claims.sub} (${connection.url}) in ${file}${claims.exp ? `; it expires ${new Date(claims.exp * 1000).toISOString()}` : ''}.\n`);
    return 0;
  }
  const email = values.email ?? process.env.SESSION_STREAM_EMAIL;
  if (!email) throw new UsageError('Sign in as whom? Give --email (or --token).');
  const auth = createSupabaseClient(connection.url, connection.anonKey!).auth;
  const { data, error } = await auth.signInWithPassword({ email, password: await askPassword(email) });
  if (error || !data.session) {
    const message = error?.message ?? 'no session';
    if (isUnreachable(message)) throw new Error(unreachableMessage(connection.url, message));
    throw new UsageError(`Could not sign in as ${email}: ${message}`);
  }
  const file = saveLogin({ ...base, email, refreshToken: data.session.refresh_token });
  process.stdout.write(`Signed in as ${email} at ${connection.url}. Saved in ${file} (only you can read it).\n`);
  return 0;
}, refuseTokenArgument);

export const logoutCommand = defineCommand(LOGOUT, async () => {
  const login = readLogin();
  if (!login) {
    process.stdout.write('You were not signed in.\n');
    return 0;
  }
  if (login.refreshToken) {
    // End the sign-in on the server too (best effort: offline, the file is still removed).
    const auth = createSupabaseClient(login.url, login.anonKey).auth;
    const { data } = await auth.refreshSession({ refresh_token: login.refreshToken });
    if (data.session) await auth.signOut();
  }
  removeLogin();
  process.stdout.write(`Signed out${login.email ? ` ${login.email}` : ''}.\n`);
  return 0;
});
