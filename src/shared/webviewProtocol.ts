// What every panel's protocol shares. Each webview panel has its own protocol file (the timeline's,
// the health panel's): the messages the host posts (notifications), the messages the page posts
// (commands, and requests the host answers with one reply each: requests.ts), and a check the
// host runs on everything the page sends before acting on it — the page is a browser showing data
// from agents, so it is not trusted. No `vscode` import: the webview bundles read these files too.
//
// The handshake: the page posts `ready` once it listens (again after every reload); the host answers
// with one message holding the whole state so far, and only then posts anything else — except the
// replies to what the page asked since, which it awaits.

export interface ReadyMessage {
  type: 'ready';
}

/** A checker for one direction of one protocol: the known types, each with a shape check. */
export function messageChecker<M extends { type: string }>(shapes: { [T in M['type']]: (m: Record<string, unknown>) => boolean }): (m: unknown) => m is M {
  return (m: unknown): m is M => {
    if (typeof m !== 'object' || m === null) return false;
    const type = (m as { type?: unknown }).type;
    if (typeof type !== 'string' || !Object.hasOwn(shapes, type)) return false;
    return shapes[type as M['type']](m as Record<string, unknown>);
  };
}

export const any = (): boolean => true;
