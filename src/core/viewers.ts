// Realtime presence as a list of viewers: one per presence key (a window, a terminal), newest
// meta wins, oldest viewer first. Names and kinds come from other clients: bounded, never trusted.
import type { SupabaseClient } from '@supabase/supabase-js';
import { hasPrivateSessionChannels } from './delivery';
import { freshChannel } from './supabaseClient';

/** One viewer of a session, as presence reports it. */
export interface Viewer {
  key: string;
  name: string;
  client: string;
  since: string;
}

/** Presence state (key → metas) as one viewer per key; the newest meta wins. */
export function viewersOf(state: Record<string, Array<Record<string, unknown>>>): Viewer[] {
  return Object.entries(state)
    .map(([key, metas]) => {
      const m = metas.at(-1) ?? {};
      return { key, name: typeof m.name === 'string' ? m.name.slice(0, 200) : 'someone', client: typeof m.client === 'string' ? m.client.slice(0, 20) : 'unknown', since: typeof m.since === 'string' ? m.since : '' };
    })
    .sort((a, b) => a.since.localeCompare(b.since) || a.key.localeCompare(b.key));
}

/**
 * Resolves with the first viewer of `sessionId` that `accept` takes (Realtime presence on the
 * session's channel, joined without being tracked, so the one waiting is not a viewer itself), or
 * with undefined when `signal` aborts. Used by the demo to start only once someone is watching.
 */
export async function waitForViewer(client: SupabaseClient, sessionId: string, accept: (viewer: Viewer) => boolean, signal?: AbortSignal): Promise<Viewer | undefined> {
  // Viewers show themselves on the session's private channel when the project has one.
  const isPrivate = await hasPrivateSessionChannels(client).catch(() => false);
  await client.realtime.setAuth();
  return new Promise((resolve) => {
    const channel = freshChannel(client, `session:${sessionId}`, { private: isPrivate });
    const finish = (viewer: Viewer | undefined) => {
      signal?.removeEventListener('abort', abort);
      void client.removeChannel(channel).catch(() => undefined);
      resolve(viewer);
    };
    const abort = () => finish(undefined);
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort);
    channel
      .on('presence', { event: 'sync' }, () => {
        const viewer = viewersOf(channel.presenceState()).find(accept);
        if (viewer) finish(viewer);
      })
      .subscribe();
  });
}
