// Comments on events: the row schema shared by the core, the host, the webview and the
// command line, the size rule the database enforces (checked before sending, so the user gets a
// clear message instead of a constraint name), and a small keyed set that applies changes in any
// order and says what changed.
import { z } from 'zod';

/** The database refuses bodies longer than this, in UTF-8 bytes; so do we, before sending. */
export const MAX_ANNOTATION_BYTES = 4096;

export interface Annotation {
  id: string;
  eventId: string;
  sessionId: string;
  userId: string;
  authorName: string;
  body: string;
  createdAt: string;
  editedAt: string | null;
}

export const ANNOTATION_COLUMNS = 'id, event_id, session_id, user_id, author_name, body, created_at, edited_at';

const rowSchema = z.object({
  id: z.string().min(1),
  event_id: z.string().min(1),
  session_id: z.string().min(1),
  user_id: z.string().min(1),
  author_name: z.string().max(200).nullish(),
  body: z.string(),
  created_at: z.string(),
  edited_at: z.string().nullish(),
});

/** A database row (REST or Realtime) as an Annotation, or undefined when it is not one. */
export function parseAnnotationRow(row: unknown): Annotation | undefined {
  const parsed = rowSchema.safeParse(row);
  if (!parsed.success) return undefined;
  const r = parsed.data;
  return { id: r.id, eventId: r.event_id, sessionId: r.session_id, userId: r.user_id, authorName: r.author_name || 'someone', body: r.body, createdAt: r.created_at, editedAt: r.edited_at ?? null };
}

/** Why a body cannot be saved, in words for the user; undefined when it can. */
export function annotationBodyProblem(body: string): string | undefined {
  if (body.trim() === '') return 'A comment cannot be empty.';
  const bytes = new TextEncoder().encode(body).length;
  if (bytes > MAX_ANNOTATION_BYTES) return `A comment is at most 4 KiB; this one is ${(bytes / 1024).toFixed(1)} KiB. Shorten it or split it over two comments.`;
  return undefined;
}

export interface AnnotationChanges {
  upserted: Annotation[];
  removed: string[];
}

/** When a version of a note was written: a later edit wins over an older copy, whatever arrives last. */
function writtenAt(a: Annotation): number {
  return Date.parse(a.editedAt ?? a.createdAt) || 0;
}

/** The annotations of one session, by id. */
export class AnnotationSet {
  private readonly byId = new Map<string, Annotation>();

  get size(): number {
    return this.byId.size;
  }

  list(): Annotation[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Adds or replaces, unless what is held is a later version. Returns whether anything changed. */
  upsert(a: Annotation): boolean {
    const held = this.byId.get(a.id);
    if (held && (writtenAt(held) > writtenAt(a) || (held.body === a.body && held.editedAt === a.editedAt && held.authorName === a.authorName))) return false;
    this.byId.set(a.id, a);
    return true;
  }

  remove(id: string): boolean {
    return this.byId.delete(id);
  }

  /** Makes the set equal to `all` (a fresh load), returning the difference. */
  replaceAll(all: readonly Annotation[]): AnnotationChanges {
    const fresh = new Set(all.map((a) => a.id));
    const removed = [...this.byId.keys()].filter((id) => !fresh.has(id));
    for (const id of removed) this.byId.delete(id);
    const upserted = all.filter((a) => this.upsert(a));
    return { upserted, removed };
  }
}
