// `session-stream emit --session ID --type TYPE --data JSON|@FILE|-` (docs/architecture.md, contract 2): emits
// one event as the worker does and prints the stored event as one JSON line.
// Exit 0 stored, 2 bad input (the message says what is wrong), 1 anything else.
import { readFile } from 'node:fs/promises';
import { withTimeout } from '../core/clock';
import { createSupabaseClient, isUnreachable, unreachableMessage } from '../core/supabaseClient';
import { SAMPLE_EVENT_DATA, STATE_CHANGED_IS_THE_DATABASES, WRITABLE_EVENT_TYPES, isSessionEventType } from '../shared/events';
import { LOCAL_STACK_ENV_FILE } from '../shared/localDefaults';
import { SessionLifecycleManager } from '../worker/sessionLifecycleManager';
import { UsageError, sessionOption } from './args';
import { resolveConnection } from './connection';
import { defineCommand, wholeOption, type CommandSpec } from './options';

export const EMIT = {
  name: 'emit',
  summary: 'emit one session event as the worker does (validated, idempotent)',
  about: `Emits one session event as the worker does (validated, idempotent insert) and prints the stored
event as one JSON line. --data takes JSON text, @FILE to read a file, or - to read stdin.

Types and a sample of each:
${WRITABLE_EVENT_TYPES.map((t) => `  ${t.padEnd(14)} ${JSON.stringify(SAMPLE_EVENT_DATA[t])}`).join('\n')}
(state_changed events are the database's own record of a session's state changes.)`,
  options: {
    session: { type: 'string', value: 'ID', required: true, help: 'the session (its id)' },
    type: { type: 'string', value: 'TYPE', required: true, help: 'the event type (above)' },
    data: { type: 'string', value: 'JSON|@FILE|-', required: true, help: 'the event data: JSON text, @FILE to read a file, or - to read stdin' },
    timeout: { type: 'string', value: 'S', whole: { min: 0, max: 3600, default: 10 }, help: 'how long to keep retrying when Supabase is unreachable, in seconds' },
  },
  notes: `Environment: SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (else the local stack's
${LOCAL_STACK_ENV_FILE}). Exit codes: 0 stored, 2 bad input, 1 other failure.`,
} as const satisfies CommandSpec;

async function readData(raw: string): Promise<unknown> {
  let text = raw;
  if (raw === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else if (raw.startsWith('@')) {
    text = await readFile(raw.slice(1), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`Cannot read --data file ${raw.slice(1)}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--data is not valid JSON: ${(error as Error).message}`);
  }
}

export const emitCommand = defineCommand(EMIT, async ({ values }) => {
  const sessionId = sessionOption(values.session);
  if (values.type === 'state_changed') throw new UsageError(STATE_CHANGED_IS_THE_DATABASES);
  if (!values.type || !isSessionEventType(values.type)) {
    throw new UsageError(`--type must be one of ${WRITABLE_EVENT_TYPES.join(', ')}, got ${values.type ? `"${values.type}"` : 'nothing'}`);
  }
  if (values.data === undefined) throw new UsageError(`--data is required (JSON, @FILE or -), e.g. --data '${JSON.stringify(SAMPLE_EVENT_DATA[values.type])}'`);
  const timeoutMs = wholeOption(EMIT, 'timeout', values.timeout) * 1000;
  const data = await readData(values.data);
  const connection = resolveConnection(['serviceRoleKey']);

  const manager = new SessionLifecycleManager(createSupabaseClient(connection.url, connection.serviceRoleKey!), { retryInitialMs: 250, requestTimeoutMs: Math.max(1000, Math.min(timeoutMs, 10_000)) });
  const outcome = await manager.emitEvent(sessionId, values.type, data);
  switch (outcome.status) {
    case 'stored':
      process.stdout.write(`${JSON.stringify(outcome.event)}\n`);
      return 0;
    case 'refused':
      throw new UsageError(`Invalid event: ${outcome.error}`);
    case 'failed':
      if (/foreign key/i.test(outcome.error)) throw new UsageError(`There is no session ${sessionId} (create one first, e.g. with \`npm run demo\`).`);
      if (/\((42501|PGRST30\d)\)/.test(outcome.error)) throw new UsageError(`Supabase refused the key: ${outcome.error}. Use the service-role key (SUPABASE_SERVICE_ROLE_KEY).`);
      process.stderr.write(`Not stored: ${outcome.error}\n`);
      return 1;
    case 'queued': {
      // Only this event's own outcome counts: stored, given up, or still waiting at the deadline.
      const settled = await withTimeout(manager.whenSettled(outcome.id), timeoutMs);
      manager.dispose();
      if (settled?.status === 'stored') {
        process.stdout.write(`${JSON.stringify(settled.event)}\n`);
        return 0;
      }
      const why = settled && settled.status !== 'queued' && 'error' in settled ? settled.error : outcome.reason;
      process.stderr.write(`${isUnreachable(why) ? unreachableMessage(connection.url, why) : `Not stored: ${why}`}\nThe event was not stored.\n`);
      return 1;
    }
  }
});
