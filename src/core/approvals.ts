// What a viewer approves: a request's whole input, as the agent's runner showed it. Read from the
// session (its start, `detail`) or, when that was cut, from the request's timeline event; checked
// against the hash the runner published, so a viewer never approves text other than what it shows.
import type { SupabaseClient } from '@supabase/supabase-js';
import { inputHash } from '../shared/approval';
import type { AgentRequest } from '../shared/commands';

export class ApprovalError extends Error {}

/** The whole input text of `request` and its hash; throws an ApprovalError that says what to do. */
export async function wholeInput(client: SupabaseClient, sessionId: string, request: AgentRequest): Promise<{ text: string; hash: string }> {
  if (request.kind !== 'approval') throw new ApprovalError('That request is a question: reply to it instead.');
  if (!request.inputHash) throw new ApprovalError("The agent's runner did not say what this request would let through (it is older than this version); deny it, or update session-stream where the agent runs.");
  let text = request.detail ?? '';
  if (request.detailCut) {
    if (!request.eventId) throw new ApprovalError('The whole input of this request is not in the timeline; deny it.');
    const { data, error } = await client.from('session_events').select('event_data').eq('session_id', sessionId).eq('id', request.eventId).maybeSingle();
    if (error) throw new ApprovalError(`Could not read the whole input of the request: ${error.message}. Try again.`);
    const input = (data as { event_data?: { input?: unknown; inputCut?: unknown } } | null)?.event_data;
    if (typeof input?.input !== 'string') throw new ApprovalError(input?.inputCut ? `The input is ${Math.ceil((request.inputBytes ?? 0) / 1024)} KiB, too large to be shown whole, so it cannot be approved here; deny it.` : 'The whole input of this request is not in the timeline (yet); try again in a moment, or deny it.');
    text = input.input;
  }
  const hash = await inputHash(text);
  if (hash !== request.inputHash) throw new ApprovalError('What the session shows of this request is not what the agent asks (it does not match its hash); deny it.');
  return { text, hash };
}
