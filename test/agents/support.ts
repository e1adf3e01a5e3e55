// What every test of the agents tier needs: the real agent CLIs (installed once, pinned), a scripted
// model on 127.0.0.1 (test/support/modelServer.ts), a HOME and a workspace of its own per run, and
// the environment that points each CLI at the model — as a user runs them, through our real stack
// and command line.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureAgents, type AgentName, type InstalledAgent } from '../../scripts/agents';
import { ModelServer, type Conversation } from '../support/modelServer';
import { runCli, runCliToEnd, type CliProcess } from '../support/cli';
import { until } from '../support/wait';
import { query } from '../support/sql';
import { signUp, stack, type TestUser } from '@agent-session-stream/local-supabase/testing';

let installed: Record<AgentName, InstalledAgent> | undefined;

/** The pinned CLIs (installed on first use into .session-stream/agents). */
export function agents(): Record<AgentName, InstalledAgent> {
  installed ??= ensureAgents();
  return installed;
}

export interface Place {
  home: string;
  workspace: string;
}

/** A fresh HOME (the agents keep their config and session files there) and workspace. */
export function place(): Place {
  const root = mkdtempSync(path.join(os.tmpdir(), 'real-agent-'));
  const home = path.join(root, 'home');
  const workspace = path.join(root, 'workspace');
  mkdirSync(home, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  return { home, workspace };
}

/** The command and environment that run `agent` against the scripted model at `modelUrl`. */
export function agentCommand(name: AgentName, p: Place, modelUrl: string, prompt: string, extra: string[] = [], model?: string): { argv: string[]; env: NodeJS.ProcessEnv } {
  const bin = agents()[name].bin;
  if (name === 'claude') {
    return { argv: [bin, '-p', '--output-format', 'stream-json', '--verbose', ...extra, '--', prompt], env: { ANTHROPIC_BASE_URL: modelUrl, ANTHROPIC_API_KEY: 'sk-scripted' } };
  }
  if (name === 'codex') {
    const provider = ['-c', 'model_provider=local', '-c', 'model_providers.local.name="local"', '-c', `model_providers.local.base_url="${modelUrl}/v1"`, '-c', 'model_providers.local.wire_api="responses"', '-c', 'model_providers.local.env_key="OPENAI_API_KEY"'];
    return { argv: [bin, 'exec', '--json', '--skip-git-repo-check', '-s', 'workspace-write', ...provider, '-m', model ?? 'gpt-5.5', ...extra, prompt], env: { OPENAI_API_KEY: 'sk-scripted' } };
  }
  // Gemini CLI needs its auth method chosen, and folder trust off for --yolo to hold.
  mkdirSync(path.join(p.home, '.gemini'), { recursive: true });
  writeFileSync(path.join(p.home, '.gemini/settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } } }));
  return { argv: [bin, '-p', prompt, '--output-format', 'stream-json', '--yolo', ...extra], env: { GEMINI_API_KEY: 'scripted', GOOGLE_GEMINI_BASE_URL: modelUrl } };
}

export interface Runner {
  user: TestUser;
  /** The environment of a user's terminal: the project, who they are, their HOME. */
  env(p: Place, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

export async function runner(): Promise<Runner> {
  const user = await signUp();
  return {
    user,
    env: (p, extra = {}) => ({
      HOME: p.home,
      SUPABASE_URL: stack().env.API_URL,
      SUPABASE_ANON_KEY: stack().env.ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: '',
      SESSION_STREAM_EMAIL: user.email,
      SESSION_STREAM_PASSWORD: user.password,
      XDG_CONFIG_HOME: path.join(p.home, '.config'),
      ...extra,
    }),
  };
}

/** `session-stream run -- <agent…>` in the workspace; standard input is closed (as in CI). */
export function run(r: Runner, p: Place, argv: string[], env: NodeJS.ProcessEnv, own: string[] = ['--quiet']): CliProcess {
  return runCli(['run', ...own, '--', ...argv], r.env(p, env), '', p.workspace);
}

export async function runToEnd(r: Runner, p: Place, argv: string[], env: NodeJS.ProcessEnv, own: string[] = ['--quiet']) {
  return runCliToEnd(['run', ...own, '--', ...argv], r.env(p, env), '', 180_000, p.workspace);
}

export function sessionIdOf(stdout: string): string {
  const m = /^SESSION_ID=([0-9a-f-]{36})$/m.exec(stdout);
  if (!m) throw new Error(`no SESSION_ID line in: ${stdout.slice(0, 500)}`);
  return m[1]!;
}

export interface EventRow {
  id: string;
  event_type: string;
  event_data: Record<string, unknown>;
}

export const eventsOf = (session: string) => query<EventRow>('select id, event_type, event_data from public.session_events where session_id = $1 order by session_seq', [session]);
export const sessionOf = (session: string) =>
  query<{ state: string; source: string; cwd: string | null; agent_session_id: string | null; model: string | null; stats: Record<string, unknown> | null; title: string }>('select state, source, cwd, agent_session_id, model, stats, title from public.coding_sessions where id = $1', [session]).then((r) => r[0]!);

/** Every file under `dir` (recursively), relative paths. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

export const read = (file: string) => readFileSync(file, 'utf8');

/** A model server with `conversations`, started; closed by the caller. */
export async function model(conversations: Conversation[], name?: string): Promise<{ server: ModelServer; url: string }> {
  const server = new ModelServer(conversations, name);
  return { server, url: await server.start() };
}

/**
 * `session-stream watch <watchArgs>` while the agent runs on its own (no wrapper, as people start
 * it): resolves with the session watch made, once `stored` holds for its events while the agent
 * still waits for its last answer (held by the script as "end"), and its last message `last` is
 * stored after it was let go. The model server is closed afterwards.
 */
export async function watchedRun(o: { r: Runner; q: Place; agent: AgentName; server: ModelServer; url: string; watchArgs: string[]; prompt: string; extra?: string[]; model?: string; stored(events: EventRow[]): boolean; last: string }): Promise<string> {
  const watch = runCli(['watch', ...o.watchArgs, '--interval-ms', '100', '--recent-minutes', '60'], o.r.env(o.q));
  try {
    await watch.waitForLine(/Following/);
    const { argv, env } = agentCommand(o.agent, o.q, o.url, o.prompt, o.extra, o.model);
    const bare = spawn(argv[0]!, argv.slice(1), { cwd: o.q.workspace, env: { PATH: process.env.PATH, HOME: o.q.home, ...env }, stdio: ['ignore', 'ignore', 'ignore'] });
    const created = await watch.waitForLine(/→ session /, 60_000);
    const watched = /session ([0-9a-f-]{36})/.exec(created)![1]!;
    await until('what the agent did is stored while it runs', async () => o.stored(await eventsOf(watched)), 60_000);
    o.server.release('end');
    await new Promise((resolve) => bare.once('exit', resolve));
    await until('its last message is stored', async () => (await eventsOf(watched)).some((e) => String(e.event_data.text ?? '').includes(o.last)), 60_000);
    return watched;
  } finally {
    watch.child.kill('SIGINT');
    await watch.exited;
    await o.server.close();
  }
}
