// `session-stream demo [--speed N] [--fail] [--workspace DIR] [--title T]` (docs/architecture.md, contract 4): signs the demo
// user up (or in), creates a session owned by them, and runs the scripted agent session.
import path from 'node:path';
import { createSupabaseClient } from '../core/supabaseClient';
import { waitForViewer } from '../core/viewers';
import { viewerToken } from './viewerToken';
import { signInOrUp, workerJournal } from './userAuth';
import { runDemo } from '../worker/demoAgent';
import { SessionLifecycleManager } from '../worker/sessionLifecycleManager';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../shared/localDefaults';
import { UsageError } from './args';
import { resolveConnection } from './connection';
import { choiceOption, defineCommand, type CommandSpec } from './options';

export const DEMO = {
  name: 'demo',
  summary: 'run a scripted agent session that writes files and emits every event type',
  about: `Runs a scripted agent session that writes real files into the demo workspace and emits every event
type, as the demo user (${DEMO_EMAIL}, or SESSION_STREAM_EMAIL / SESSION_STREAM_PASSWORD).`,
  options: {
    speed: { type: 'string', value: 'N', default: '1', help: '1 = a step every ~0.8 s, 10 = ten times faster, up to 1000' },
    fail: { type: 'boolean', default: false, help: 'end in ERROR (state failed) instead of COMPLETION' },
    workspace: { type: 'string', value: 'DIR', default: 'demo-workspace', help: 'where the agent writes' },
    title: { type: 'string', value: 'T', help: 'the session title' },
    'wait-for-viewer': { type: 'string', choices: ['vscode', 'any'], help: 'create the session, then start only once a VS Code window (or anyone) watches it' },
  },
  notes: "Environment: SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY (else the local stack's env file).",
} as const satisfies CommandSpec;

export const demoCommand = defineCommand(DEMO, async ({ values }) => {
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 1000) throw new UsageError(`--speed must be a number above 0 (up to 1000), got "${values.speed}"`);
  const waitFor = values['wait-for-viewer'] === undefined ? undefined : choiceOption(DEMO, 'wait-for-viewer', values['wait-for-viewer']);
  const connection = resolveConnection(['anonKey', 'serviceRoleKey']);
  const email = process.env.SESSION_STREAM_EMAIL ?? DEMO_EMAIL;
  const password = process.env.SESSION_STREAM_PASSWORD ?? DEMO_PASSWORD;
  const { userId } = await signInOrUp(connection, email, password);
  // The queue is kept on disk: a demo killed mid-run (npm start stops it with SIGTERM) loses
  // nothing; the next writer with this journal stores what it left.
  const manager = new SessionLifecycleManager(createSupabaseClient(connection.url, connection.serviceRoleKey!), { journal: workerJournal(connection.url, 'service') });
  const recovered = manager.recover();
  if (recovered > 0) process.stdout.write(`Storing ${recovered} event(s) an earlier, interrupted run left.\n`);
  const stopped = new AbortController();
  const stopOnSignal = (signal: NodeJS.Signals) => {
    stopped.abort();
    process.stdout.write(`${signal}: storing what is queued before exiting…\n`);
    void manager.flush(10_000).then(({ pending }) => {
      process.stdout.write(pending === 0 ? 'Everything emitted is stored.\n' : `${pending} event(s) are still queued; they are kept on disk and stored by the next run.\n`);
      process.exit(pending === 0 ? 130 : 1);
    });
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const workspace = path.resolve(values.workspace);
  const session = await manager.createSession(userId, values.title ?? `Demo: add a greeting module (${new Date().toLocaleTimeString()})`, { source: 'demo', cwd: workspace });
  process.stdout.write(`SESSION_ID=${session.id}\n`);
  process.stdout.write(`Watch it: npm run tail -- --session ${session.id}   (or "Agent Session Stream: Select Session" in VS Code)\n`);
  if (waitFor) {
    process.stdout.write(`Waiting for ${waitFor === 'vscode' ? 'a VS Code window' : 'someone'} to watch it…\n`);
    // A token that is refreshed: nobody may look for hours.
    const token = await viewerToken(connection, { email, password });
    const viewerClient = createSupabaseClient(connection.url, connection.anonKey!, { accessToken: () => token.get() });
    const viewer = await waitForViewer(viewerClient, session.id, (v) => waitFor === 'any' || v.client === 'vscode');
    void viewerClient.realtime.disconnect();
    token.dispose();
    process.stdout.write(`${viewer?.name ?? 'Someone'} is watching (${viewer?.client ?? 'unknown'}); starting.\n`);
  }
  let failure: string | undefined;
  const stats = await runDemo({
    manager,
    sessionId: session.id,
    workspace,
    speed,
    fail: values.fail,
    signal: stopped.signal,
    onStep: (type, outcome) => process.stdout.write(`  ${type.padEnd(14)} ${outcome.status}${outcome.status === 'refused' || outcome.status === 'failed' ? `: ${outcome.error}` : ''}\n`),
  }).catch((error: Error) => {
    failure = error.message;
    return undefined;
  });
  const { pending, givenUp } = await manager.flush(15_000);
  manager.dispose();
  const s = manager.stats();
  for (const g of givenUp) process.stderr.write(`Not stored: ${g.type} ${g.id}: ${g.error}\n`);
  if (failure) process.stderr.write(`${failure}\n`);
  process.stdout.write(`Done: ${s.emitted} events stored, ${pending} pending, ${s.givenUp} given up${stats ? `; ${stats.iterations} iterations, ${stats.toolCalls} tool calls` : ''}. Files in ${workspace}\n`);
  return pending === 0 && s.givenUp === 0 && s.refused === 0 && !failure ? 0 : 1;
});
