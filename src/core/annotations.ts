// Annotations and read markers over supabase-js (PostgREST), as the viewer: RLS decides who may
// read, add, edit and delete. Every failure is an AnnotationError whose message says what to do.
import type { SupabaseClient } from '@supabase/supabase-js';
import { ANNOTATION_COLUMNS, annotationBodyProblem, parseAnnotationRow, type Annotation } from '../shared/annotations';

export class AnnotationError extends Error {}

const PAGE = 1000;

function explain(action: string, error: { message: string; code?: string }): AnnotationError {
  if (error.code === '42501') return new AnnotationError(`Could not ${action}: you may only comment on sessions you can see, and edit or delete your own comments.`);
  if (error.code === '23503') return new AnnotationError(`Could not ${action}: the event or session no longer exists.`);
  if (error.code === '23514') return new AnnotationError(`Could not ${action}: a comment must be 1 byte to 4 KiB.`);
  return new AnnotationError(`Could not ${action}: ${error.message}`);
}

/** Every annotation of a session, oldest first (paged, so a long discussion loads whole). */
export async function fetchAnnotations(client: SupabaseClient, sessionId: string): Promise<Annotation[]> {
  const all: Annotation[] = [];
  for (let from = 0; ; from += PAGE) {
    const { data, error } = await client
      .from('session_event_annotations')
      .select(ANNOTATION_COLUMNS)
      .eq('session_id', sessionId)
      .order('created_at', { ascending: true })
      .order('id', { ascending: true })
      .range(from, from + PAGE - 1);
    if (error) throw explain("load the session's comments", error);
    const rows = (data ?? []) as unknown[];
    for (const row of rows) {
      const a = parseAnnotationRow(row);
      if (a) all.push(a);
    }
    if (rows.length < PAGE) return all;
  }
}

function checked(body: string): string {
  const problem = annotationBodyProblem(body);
  if (problem) throw new AnnotationError(problem);
  return body;
}

function one(data: unknown, action: string): Annotation {
  const a = parseAnnotationRow(Array.isArray(data) ? data[0] : data);
  if (!a) throw new AnnotationError(`Could not ${action}: the comment is gone, or it is not yours.`);
  return a;
}

export async function addAnnotation(client: SupabaseClient, sessionId: string, eventId: string, body: string): Promise<Annotation> {
  const { data, error } = await client.from('session_event_annotations').insert({ session_id: sessionId, event_id: eventId, body: checked(body) }).select(ANNOTATION_COLUMNS);
  if (error) throw explain('add the comment', error);
  return one(data, 'add the comment');
}

export async function editAnnotation(client: SupabaseClient, id: string, body: string): Promise<Annotation> {
  const { data, error } = await client.from('session_event_annotations').update({ body: checked(body) }).eq('id', id).select(ANNOTATION_COLUMNS);
  if (error) throw explain('edit the comment', error);
  return one(data, 'edit the comment');
}

export async function deleteAnnotation(client: SupabaseClient, id: string): Promise<void> {
  const { data, error } = await client.from('session_event_annotations').delete().eq('id', id).select('id');
  if (error) throw explain('delete the comment', error);
  if (!data || data.length === 0) throw new AnnotationError('Could not delete the comment: it is gone, or it is not yours.');
}

/** The `seq` up to which this user has read the session, if they have opened it before. */
export async function fetchReadMarker(client: SupabaseClient, sessionId: string): Promise<number | undefined> {
  const { data, error } = await client.from('session_read_markers').select('last_seq').eq('session_id', sessionId).maybeSingle();
  if (error) throw new AnnotationError(`Could not load where you left off: ${error.message}`);
  const seq = Number((data as { last_seq?: unknown } | null)?.last_seq);
  return Number.isFinite(seq) ? seq : undefined;
}

/** Moves this user's marker forward to `seq` (the database never moves it back); returns where it is. */
export async function saveReadMarker(client: SupabaseClient, sessionId: string, seq: number): Promise<number> {
  const { data, error } = await client.rpc('mark_session_read', { p_session_id: sessionId, p_seq: Math.max(0, Math.floor(seq)) });
  if (error) throw new AnnotationError(`Could not save where you left off: ${error.message}`);
  return Number(data);
}
