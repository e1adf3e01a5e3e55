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

/**
 * The private topic `viewers:<user id>`, where a user's viewers (VS Code windows) show they are
 * online. Only that user may read or join it (a policy on realtime.messages). A hooked agent's
 * permission request waits for an answer only while someone there could give one.
 */
export const onlineTopic = (userId: string) => `viewers:${userId}`;

/** The event the database sends on that topic when what the user may read changed. */
export const ACCESS_CHANGED = 'access_changed';

/**
 * Shows this client among the user's online viewers while it is connected (tracked again after
 * each rejoin). `onAccessChanged` hears the database say that what the user may read changed (a
 * removal from a team, a share ended), and is called at every (re)join too: the caller checks its
 * open sessions again.
 */
export async function showOnline(client: SupabaseClient, userId: string, meta: { key: string; name: string; client: string }, onAccessChanged?: () => void): Promise<{ dispose(): void }> {
  await client.realtime.setAuth();
  const channel = freshChannel(client, onlineTopic(userId), { private: true, presenceKey: meta.key });
  const since = new Date().toISOString();
  // A presence listener makes the join ask for presence (without one, a private join checks broadcast only).
  channel.on('presence', { event: 'sync' }, () => undefined);
  if (onAccessChanged) channel.on('broadcast', { event: ACCESS_CHANGED }, () => onAccessChanged());
  channel.subscribe((status) => {
    if (status !== 'SUBSCRIBED') return;
    void channel.track({ name: meta.name, client: meta.client, since });
    // A change said while this was not joined is not missed.
    onAccessChanged?.();
  });
  return { dispose: () => void client.removeChannel(channel).catch(() => undefined) };
}

/**
 * Whether any of the user's viewers is online. `online(waitMs)` answers once the channel has
 * joined and presence has synced (waiting at most `waitMs` for that); undefined when it cannot
 * tell (a project without the topic's policy, Realtime out of reach): then a caller does as if
 * someone might be.
 */
export async function watchOnline(client: SupabaseClient, userId: string): Promise<{ online(waitMs?: number): Promise<boolean | undefined>; dispose(): void }> {
  await client.realtime.setAuth();
  const channel = freshChannel(client, onlineTopic(userId), { private: true });
  let state: 'joining' | 'synced' | 'failed' = 'joining';
  const waiters = new Set<() => void>();
  const settle = (next: typeof state) => {
    state = next;
    for (const w of waiters) w();
  };
  channel
    .on('presence', { event: 'sync' }, () => settle('synced'))
    .subscribe((status) => {
      if (status === 'SUBSCRIBED') state = state === 'synced' ? 'synced' : 'joining';
      else settle('failed');
    });
  return {
    async online(waitMs = 3000) {
      if (state === 'joining') {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          };
          const timer = setTimeout(done, waitMs);
          waiters.add(done);
        });
      }
      return state === 'synced' ? viewersOf(channel.presenceState()).length > 0 : undefined;
    },
    dispose: () => void client.removeChannel(channel).catch(() => undefined),
  };
}

/**
 * Hears the database say that what the user may read changed (their own topic, broadcast only):
 * a terminal's `tail` checks its session again, also at every (re)join. For a window, showOnline
 * takes the same callback.
 */
export async function watchAccessChanges(client: SupabaseClient, userId: string, onChange: () => void): Promise<{ dispose(): void }> {
  await client.realtime.setAuth();
  const channel = freshChannel(client, onlineTopic(userId), { private: true });
  // Checked again at every (re)join too: a change said while this was not joined is not missed.
  channel.on('broadcast', { event: ACCESS_CHANGED }, () => onChange()).subscribe((status) => status === 'SUBSCRIBED' && onChange());
  return { dispose: () => void client.removeChannel(channel).catch(() => undefined) };
}
