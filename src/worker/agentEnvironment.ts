// What the agent process inherits from `session-stream run`: everything but our credentials and
// Supabase's. The agent, and whatever it starts (test runners, install scripts, a prompt injection
// in a README it reads), must not find a token, key or password in its environment that would let
// it write to the session as the user — say, approve its own request (docs/steering.md).

/** Supabase variables that are not secret (a project's address and its public key). */
const PUBLIC = new Set(['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_PUBLISHABLE_KEY']);

/** Whether `name` holds one of our credentials or Supabase's (or points at where ours are kept). */
export function isCredential(name: string): boolean {
  const upper = name.toUpperCase();
  if (upper.startsWith('SESSION_STREAM_')) return true;
  return upper.startsWith('SUPABASE_') && !PUBLIC.has(upper) && /TOKEN|KEY|SECRET|PASSWORD|PASS|JWT|AUTH/.test(upper);
}

/** `env` without credentials, except those named in `pass` (`run --pass-env NAME`); and what was left out. */
export function agentEnvironment(env: NodeJS.ProcessEnv, pass: readonly string[] = []): { env: NodeJS.ProcessEnv; withheld: string[] } {
  const out: NodeJS.ProcessEnv = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (isCredential(name) && !pass.includes(name)) withheld.push(name);
    else out[name] = value;
  }
  return { env: out, withheld: withheld.sort() };
}
