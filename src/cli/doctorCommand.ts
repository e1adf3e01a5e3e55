// `session-stream doctor [--json]`: what is installed here and whether it all answers — each agent
// CLI (name, version, path, whether we test that version, where its session files are), the
// project (reachable, signed in, this version's migrations) — with a next step for each problem.
// Exit 0 when nothing is wrong (an untested version is a warning), 1 otherwise.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AGENTS } from '../bridges';
import { isTested, versionNote } from '../bridges/versions';
import { agentVersion, whichCommand } from '../worker/agentVersion';
import { UsageError } from './args';
import { defineCommand, type CommandSpec } from './options';
import { signedInUser, writerConnection } from './userAuth';

export const DOCTOR = {
  name: 'doctor',
  summary: 'check the agent CLIs here (versions, session files) and the project (reachable, signed in, migrations)',
  // Arguments are parsed, to say that there are none.
  positionals: true,
  about: `Checks what Agent Session Stream needs: the agent CLIs on PATH (version, whether it is one we
test, where they keep their session files), and the project — that Supabase answers, who you are
signed in as, and that its database has this version's migrations. Each problem comes with what
to do. Exit 0 when nothing is wrong, 1 otherwise.`,
  options: {
    json: { type: 'boolean', default: false, help: 'one JSON object instead of lines' },
  },
} as const satisfies CommandSpec;

export type CheckLevel = 'ok' | 'warn' | 'fail';

export interface Check {
  what: string;
  level: CheckLevel;
  detail: string;
  /** What to do about it (for warn and fail). */
  next?: string;
}

async function countFiles(dir: string, test: (name: string, parent: string) => boolean): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && test(e.name, path.basename(e.parentPath))).length;
}

/** One check per agent CLI. */
export async function agentChecks(env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  for (const definition of AGENTS) {
    const agent = definition.kind;
    const label = definition.productName;
    const bin = whichCommand(definition.command, env);
    if (!bin) {
      checks.push({ what: label, level: 'warn', detail: `not found on PATH (${definition.command})`, next: `install it if you use it: npm install -g ${definition.npmPackage}@${definition.testedVersions.at(-1)}` });
      continue;
    }
    const version = await agentVersion(agent, bin);
    const sessionFiles = definition.sessionFiles;
    const dir = sessionFiles ? sessionFiles.dir(os.homedir()) : '';
    const files = sessionFiles && existsSync(dir) ? await countFiles(dir, sessionFiles.isSessionFile) : 0;
    const where = !sessionFiles ? 'keeps no session files' : existsSync(dir) ? `session files in ${dir} (${files})` : `no session files yet (${dir})`;
    const tested = version !== undefined && isTested(agent, version);
    checks.push({
      what: label,
      level: tested ? 'ok' : 'warn',
      detail: `${version ?? 'version unknown'} at ${bin}; ${tested ? 'a version we test' : versionNote(agent, version).replace(`${label} `, '')}; ${where}`,
      ...(tested ? {} : { next: `it is followed as far as its output format allows; the versions we test: ${definition.testedVersions.join(', ')}` }),
    });
  }
  return checks;
}

/** The project: reachable, signed in, migrations. */
export async function projectChecks(env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  let connection;
  try {
    connection = writerConnection(env).connection;
  } catch (error) {
    return [{ what: 'Supabase', level: 'fail', detail: (error as Error).message, next: 'set SUPABASE_URL and SUPABASE_ANON_KEY, run `session-stream login --url URL --anon-key KEY --email you@example.com`, or start the local stack (`npm run stack`)' }];
  }
  const checks: Check[] = [];
  try {
    const res = await fetch(`${connection.url}/auth/v1/health`, { headers: { apikey: connection.anonKey ?? '' }, signal: AbortSignal.timeout(5000) });
    checks.push(res.ok ? { what: 'Supabase', level: 'ok', detail: `${connection.url} answers (from ${connection.source})` } : { what: 'Supabase', level: 'fail', detail: `${connection.url} answered ${res.status}`, next: 'check the project URL and anon key' });
  } catch (error) {
    return [{ what: 'Supabase', level: 'fail', detail: `${connection.url} does not answer: ${(error as Error).message}`, next: `is the project up? For the local stack: npm run stack. The URL came from ${connection.source}.` }];
  }
  let user;
  try {
    user = await signedInUser(env);
    checks.push({ what: 'Sign-in', level: 'ok', detail: `as ${user.who}` });
  } catch (error) {
    checks.push({ what: 'Sign-in', level: 'fail', detail: (error as Error).message, next: 'session-stream login --email you@example.com' });
    return checks;
  }
  try {
    const { error } = await user.client.from('session_commands').select('created_by_session, input_hash').limit(1);
    checks.push(error ? { what: 'Database', level: 'fail', detail: `lacks this version's migrations (${error.message})`, next: 'apply them: supabase db push (or supabase db reset locally)' } : { what: 'Database', level: 'ok', detail: "has this version's migrations" });
  } finally {
    user.dispose();
  }
  return checks;
}

const MARK: Record<CheckLevel, string> = { ok: '✓', warn: '!', fail: '✗' };

export const doctorCommand = defineCommand(DOCTOR, async ({ values, positionals }) => {
  if (positionals.length > 0) throw new UsageError('doctor takes no arguments.');
  const agents = await agentChecks();
  const project = await projectChecks();
  const failed = [...agents, ...project].some((c) => c.level === 'fail');
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok: !failed, agents, project })}\n`);
    return failed ? 1 : 0;
  }
  const print = (title: string, checks: Check[]) => {
    process.stdout.write(`${title}\n`);
    for (const c of checks) process.stdout.write(`  ${MARK[c.level]} ${c.what}: ${c.detail}${c.next ? `\n      → ${c.next}` : ''}\n`);
  };
  print('Agents', agents);
  print('Project', project);
  process.stdout.write(failed ? 'Something needs fixing (✗ above).\n' : 'All set.\n');
  return failed ? 1 : 0;
});
