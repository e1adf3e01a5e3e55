// `session-stream tail --session ID [--json]` (docs/architecture.md, contract 3): follows one session with the
// same SessionEventStream as the extension — history first, then live, every event exactly once in
// seq order across any number of disconnects.
import { randomUUID } from 'node:crypto';
import { RECONNECT_POLICY } from '../core/backoff';
import { DELIVERIES } from '../core/delivery';
import { ACCESS_ENDED, SessionEventStream } from '../core/sessionEventStream';
import { sessionState } from '../core/sessions';
import { createSupabaseClient } from '../core/supabaseClient';
import { watchAccessChanges } from '../core/viewers';
import { decodeJwt } from 'jose';
import { streamLogger } from '../core/log';
import { sessionOption, UsageError } from './args';
import { resolveConnection } from './connection';
import { choiceOption, defineCommand, wholeOption, type CommandSpec } from './options';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../shared/localDefaults';
import { COLOURS, PLAIN, formatComment, formatEntry, formatState, stateJson } from './tailFormat';
import { viewerToken } from './viewerToken';

export const TAIL = {
  name: 'tail',
  summary: 'follow a session: history, then every event live, exactly once and in order',
  about: `Follows a session: its history, then every new event as it happens, exactly once and in order,
through disconnects (1, 2, 4, 8, 16, 30… s backoff, 10 attempts).`,
  options: {
    session: { type: 'string', value: 'ID', required: true, help: 'the session (its id, as in SESSION_ID=… or the Sessions view)' },
    json: { type: 'boolean', default: false, help: 'one JSON object per line: {"kind":"status",...} or {"kind":"event","event":{...}}' },
    comments: { type: 'boolean', default: false, help: 'also follow the comments on events (added, edited, deleted; with --json as {"kind":"comment","change":"upserted","annotation":{...}} or {"kind":"comment","change":"removed","id":"..."})' },
    'exit-when-done': { type: 'boolean', default: false, help: 'exit once the session reaches completed, failed or cancelled' },
    history: { type: 'string', value: 'N', whole: { min: 1, max: 100_000, default: 1000 }, help: 'events loaded first' },
    'since-seq': { type: 'string', value: 'N', whole: { min: 0, max: Number.MAX_SAFE_INTEGER }, help: 'start after event number N instead of --history (0: the whole session), read a page at a time: a session of any length in constant memory' },
    delivery: { type: 'string', choices: DELIVERIES, default: 'broadcast', help: "broadcast, the session's private channel written once by the database, or postgres_changes, checked per change; a project without private session channels always uses postgres_changes" },
    name: { type: 'string', value: 'NAME', help: 'what VS Code windows watching the session show for this terminal (default: the part of your email before @)' },
    verbose: { type: 'boolean', default: false, help: 'log connection details on stderr' },
  },
  notes: `Environment: SUPABASE_URL, SUPABASE_ANON_KEY, and SUPABASE_ACCESS_TOKEN or SESSION_STREAM_EMAIL +
SESSION_STREAM_PASSWORD. With the local stack's env file and none of these, the demo user is used.`,
} as const satisfies CommandSpec;

const FINAL = new Set(['completed', 'failed', 'cancelled']);

export const tailCommand = defineCommand(TAIL, async ({ values }) => {
  const sessionId = sessionOption(values.session);
  if (values.history !== undefined && values['since-seq'] !== undefined) throw new UsageError('Give --history or --since-seq, not both.');
  const sinceSeq = values['since-seq'] === undefined ? undefined : wholeOption(TAIL, 'since-seq', values['since-seq']);
  const delivery = choiceOption(TAIL, 'delivery', values.delivery);
  const connection = resolveConnection(['anonKey']);
  const fromStackFile = connection.source !== 'the environment';
  const email = process.env.SESSION_STREAM_EMAIL ?? (fromStackFile ? DEMO_EMAIL : undefined);
  const token = await viewerToken(connection, {
    accessToken: process.env.SUPABASE_ACCESS_TOKEN,
    email,
    password: process.env.SESSION_STREAM_PASSWORD ?? (fromStackFile ? DEMO_PASSWORD : undefined),
  });
  const client = createSupabaseClient(connection.url, connection.anonKey!, { accessToken: token.get, heartbeatIntervalMs: 15_000 });
  const stream = new SessionEventStream({
    client,
    sessionId,
    historyLimit: wholeOption(TAIL, 'history', values.history),
    sinceSeq,
    // What is printed is let go of: a long session does not grow the process (comments on events
    // older than this are shown without their event's line).
    maxEntries: 10_000,
    logger: values.verbose ? streamLogger((l) => process.stderr.write(l), 'debug') : undefined,
    // Shown to VS Code windows watching the same session ("watching: … (terminal)").
    presence: { key: randomUUID(), name: values.name?.trim().slice(0, 60) || email?.split('@')[0] || 'terminal', client: 'cli' },
    annotations: values.comments,
    delivery,
  });
  const colour = !values.json && process.stdout.isTTY && !process.env.NO_COLOR;
  const p = colour ? COLOURS : PLAIN;
  const out = (line: string) => process.stdout.write(`${line}\n`);

  return new Promise<number>((resolve) => {
    let finished = false;
    let access: { dispose(): void } | undefined;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      access?.dispose();
      token.dispose();
      void stream
        .close()
        .then(() => client.realtime.disconnect())
        .then(() => resolve(code));
    };
    stream.onDidChangeState((s) => {
      if (values.json) out(JSON.stringify(stateJson(s, Date.now())));
      else if (s.state !== 'closed') out(p.dim(`— ${formatState(s, Date.now())}`));
      if (s.state === 'error') {
        process.stderr.write(s.reason === ACCESS_ENDED ? `${s.reason}\n` : `Gave up after ${RECONNECT_POLICY.maxAttempts} attempts: ${s.reason}. Is Supabase reachable at ${connection.url}?\n`);
        finish(1);
      }
    });
    stream.onDidReceive((batch) => {
      for (const entry of batch.entries) {
        if (values.json) out(JSON.stringify(entry.kind === 'event' ? { kind: 'event', event: entry.event } : { kind: 'malformed', malformed: entry.malformed }));
        else out(formatEntry(entry, p, colour));
      }
      if (values['exit-when-done'] && stream.state.state !== 'joining') checkDone();
    });
    stream.onDidChangeAnnotations(({ upserted, removed }) => {
      if (values.json) {
        for (const a of upserted) out(JSON.stringify({ kind: 'comment', change: 'upserted', annotation: a }));
        for (const id of removed) out(JSON.stringify({ kind: 'comment', change: 'removed', id }));
        return;
      }
      const entryOf = (eventId: string) => stream.log.entries().find((e) => e.kind === 'event' && e.event.id === eventId);
      for (const a of upserted) out(formatComment(a, entryOf(a.eventId), p));
      for (const id of removed) out(p.dim(`  comment ${id.slice(0, 8)} deleted`));
    });
    // Done is the session's own state, read from the session: a state_changed event only says when to look.
    let looking: Promise<void> | undefined;
    let again = false;
    const checkDone = () => {
      const last = [...stream.log.entries()].reverse().find((e) => e.kind === 'event' && e.event.type === 'state_changed');
      if (!(last?.kind === 'event' && last.event.type === 'state_changed' && FINAL.has(last.event.data.to))) return;
      if (looking) return void (again = true);
      looking = sessionState(client, sessionId)
        .then((state) => {
          if (state && FINAL.has(state)) finish(0);
          else process.stderr.write(`An event says the session is ${String(last.event.data.to)}, but the session is ${state ?? 'gone'}; following on.\n`);
        })
        .catch((error: Error) => void process.stderr.write(`Could not read the session's state: ${error.message}\n`))
        .finally(() => {
          looking = undefined;
          if (again) {
            again = false;
            checkDone();
          }
        });
    };
    if (values['exit-when-done']) stream.onDidChangeState((s) => s.state === 'joined' && checkDone());
    process.once('SIGINT', () => finish(0));
    process.once('SIGTERM', () => finish(0));
    stream.open();
    // Removed from the session's team, or no longer shared with: the stream checks and ends.
    void token
      .get()
      .then((t) => (t ? String(decodeJwt(t).sub ?? '') : ''))
      .then(async (userId) => {
        if (!userId || finished) return;
        access = await watchAccessChanges(client, userId, () => void stream.recheckAccess());
      })
      .catch((error: Error) => void process.stderr.write(`Could not listen for changes of your access: ${error.message}\n`));
  });
});
