// Output over the event size cap is split over several events, never cut: the large text fields of
// one event are spread over parts that each fit, marked `part: {index, count}`. The first part
// keeps every small field; later parts repeat only what identifies the event (command, path, …).
import { jsonBytes, MAX_EVENT_DATA_BYTES } from '../shared/events';
import type { Json } from './base';

/** Room kept under the cap for the part marker and JSON overhead. */
const LIMIT = MAX_EVENT_DATA_BYTES - 1024;
/** Text fields that may grow without bound, in the order their parts are emitted. */
const BIG = ['output', 'error', 'text', 'diff', 'raw', 'message', 'content'] as const;
/** Fields repeated on every part so each part says what it belongs to. */
const IDENTITY = ['command', 'path', 'iteration', 'toolsUsed', 'toolCallId', 'parentToolUseId', 'kind'] as const;

export function splitOversize(data: Json): Json[] {
  if (jsonBytes(data) <= LIMIT) return [data];
  const identity: Json = {};
  for (const key of IDENTITY) if (key in data) identity[key] = data[key];
  const first: Json = { ...data };
  const chunks: Array<{ field: string; text: string }> = [];
  for (const field of BIG) {
    const value = data[field];
    if (typeof value !== 'string' || value.length === 0) continue;
    first[field] = '';
    chunks.push(...cut(value, LIMIT - jsonBytes(identity) - 64).map((text) => ({ field, text })));
  }
  // Fill the first part with as many chunks as fit, then one part per chunk.
  const parts: Json[] = [first];
  for (const chunk of chunks) {
    const last = parts.at(-1)!;
    const candidate = { ...last, [chunk.field]: `${typeof last[chunk.field] === 'string' ? (last[chunk.field] as string) : ''}${chunk.text}` };
    if (jsonBytes(candidate) <= LIMIT) parts[parts.length - 1] = candidate;
    else parts.push({ ...identity, ...Object.fromEntries(BIG.filter((f) => typeof data[f] === 'string').map((f) => [f, ''])), [chunk.field]: chunk.text });
  }
  return parts.map((part, i) => ({ ...part, part: { index: i + 1, count: parts.length } }));
}

/** `text` in pieces whose JSON encoding is at most `budget` bytes, cut between code points. */
function cut(text: string, budget: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    // A first guess from the average width so far, then shrink until it fits.
    let end = Math.min(text.length, start + budget);
    while (end - start > 1 && jsonBytes(text.slice(start, end)) > budget) end = start + Math.max(1, Math.floor((end - start) * 0.8));
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--; // keep surrogate pairs whole
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}
