// Realtime presence as a list of viewers: one per presence key (a window, a terminal), newest
// meta wins, oldest viewer first. Names and kinds come from other clients: bounded, never trusted.

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
