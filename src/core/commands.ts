// Commands over supabase-js, as the signed-in user: send one (a viewer), read a session's (after
// every join), and — for the agent's runner — claim one (taken once, whatever number of runners
// listen) and record its outcome (handled once). Errors say what to do.
import type { SupabaseClient } from '@supabase/supabase-js';
import { checkCommand, COMMAND_COLUMNS, parseCommandRow, type CommandKind, type CommandOutcome, type SessionCommand } from '../shared/commands';

export class CommandError extends Error {}

interface PgError {
  message: string;
  code?: string;
}

function explain(error: PgError, kind: CommandKind): string {
  if (error.code === '42501' || /row-level security/i.test(error.message)) return `The ${kind} was refused: the session has ended, it is not one you can see, or you may only watch it (its owner and its team's operators steer). Only open sessions can be steered.`;
  if (error.code === '23503') return 'The session no longer exists.';
  if (error.code === '23514') return `The ${kind} was refused by the database: ${error.message}`;
  if (error.code === '42703' || error.code === 'PGRST204') return 'This project cannot steer agents with this version yet: its database lacks the newest migrations. Apply them (`supabase db push`, or `supabase db reset` locally).';
  if (error.code === '42P01' || error.code === 'PGRST205') return 'This project cannot steer agents yet: its database lacks the session_commands table. Apply the migrations (`supabase db push`, or `supabase db reset` locally).';
  return `Could not send the ${kind}: ${error.message}`;
}

/** Sends a command to the session's runner; resolves with the stored row (not yet handled). */
export async function sendCommand(client: SupabaseClient, sessionId: string, kind: CommandKind, options: { body?: string; agentRequestId?: string; inputHash?: string } = {}): Promise<SessionCommand> {
  const problem = checkCommand(kind, options.body, options.agentRequestId);
  if (problem) throw new CommandError(problem);
  const { data, error } = await client
    .from('session_commands')
    .insert({ session_id: sessionId, kind, body: options.body ?? null, request_id: options.agentRequestId ?? null, ...(options.inputHash ? { input_hash: options.inputHash } : {}) })
    .select(COMMAND_COLUMNS)
    .single();
  if (error) throw new CommandError(explain(error, kind));
  const command = parseCommandRow(data);
  if (!command) throw new CommandError(`The ${kind} was stored, but its row could not be read back.`);
  return command;
}

/**
 * The session's commands a (re)join must know: every one not yet handled (oldest first), and the
 * latest handled ones (a viewer's pending button may be waiting for one of them).
 */
export async function fetchCommands(client: SupabaseClient, sessionId: string, recent = 50): Promise<SessionCommand[]> {
  const table = () => client.from('session_commands').select(COMMAND_COLUMNS).eq('session_id', sessionId);
  const [open, done] = await Promise.all([table().is('handled_at', null).order('created_at', { ascending: true }).limit(1000), table().not('handled_at', 'is', null).order('created_at', { ascending: false }).limit(recent)]);
  for (const r of [open, done]) if (r.error) throw new Error(`Could not read the session's commands: ${r.error.message}`);
  return [...(done.data ?? []).reverse(), ...(open.data ?? [])].map(parseCommandRow).filter((c): c is SessionCommand => c !== undefined);
}

/** Takes a command for this runner: true when it is ours to act on, false when another runner took it first. */
export async function claimCommand(client: SupabaseClient, id: string): Promise<boolean> {
  const { data, error } = await client.from('session_commands').update({ claimed_at: new Date().toISOString() }).eq('id', id).is('claimed_at', null).select('id');
  if (error) {
    // Taken or handled meanwhile (the trigger refuses a second claim).
    if (error.code === '55000') return false;
    throw new Error(`Could not take command ${id}: ${error.message}`);
  }
  return (data ?? []).length === 1;
}

/** Records what became of a command (once; a second answer is refused by the database). */
export async function completeCommand(client: SupabaseClient, id: string, outcome: CommandOutcome, reason: string): Promise<SessionCommand | undefined> {
  const { data, error } = await client.from('session_commands').update({ outcome, reason: reason.slice(0, 4000) }).eq('id', id).select(COMMAND_COLUMNS);
  if (error) {
    if (error.code === '55000') return undefined;
    throw new Error(`Could not record the outcome of command ${id}: ${error.message}`);
  }
  return parseCommandRow(data?.[0]);
}
