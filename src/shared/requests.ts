// Request and reply between a webview page and its host, after GitLens' IpcRequest: a request type
// is declared once (its method and the zod schemas of its params and result) and used by both
// sides. The page's `RequestClient.request` posts `{type: 'request', id, method, params}` with a
// fresh completion id and settles on the reply with that id. The host's `RequestRouter` answers
// every request exactly once: its handler's result, or an error reply for anything else — a throw
// (sync or async, wherever it happens), a result that fails its schema, params that fail theirs,
// a method nobody handles. So a caller never waits forever on a host that failed.
// No `vscode` import: the webview bundles read this file too.
import { z } from 'zod';

/** One kind of request: its method and what travels each way, checked at both ends. */
export interface RequestType<P, R> {
  readonly method: string;
  readonly params: z.ZodType<P>;
  readonly result: z.ZodType<R>;
}

/** Declares a request type; `method` names it on the wire ("history/page"). */
export function defineRequest<P, R>(method: string, params: z.ZodType<P>, result: z.ZodType<R>): RequestType<P, R> {
  return { method, params, result };
}

export type ParamsOf<T> = T extends { readonly params: z.ZodType<infer P> } ? P : never;
export type ResultOf<T> = T extends { readonly result: z.ZodType<infer R> } ? R : never;

const id = z.string().min(1).max(100);

/** What the page posts to ask; `params` are checked against the method's schema by the host. */
export const requestMessageSchema = z.object({ type: z.literal('request'), id, method: z.string().min(1).max(100), params: z.unknown() });
export type RequestMessage = z.output<typeof requestMessageSchema>;

/** The host's answer to the request with the same `id`: its result, or why there is none. */
export const replyMessageSchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), id, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('reply'), id, ok: z.literal(false), error: z.string() }),
]);
export type ReplyMessage = z.output<typeof replyMessageSchema>;

export const isRequestMessage = (m: unknown): m is RequestMessage => requestMessageSchema.safeParse(m).success;
export const isReplyMessage = (m: unknown): m is ReplyMessage => replyMessageSchema.safeParse(m).success;

/** A request that was answered with an error (or not answered in time); `message` says why. */
export class RequestError extends Error {
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function problem(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
}

/** The timers a client waits with (a `Clock` from src/core fits; tests pass fake ones). */
export interface RequestTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: RequestTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * How long the page waits for a reply before giving up: the host answers every request, but a
 * message can be lost on the way (a panel closing, an extension host restarting).
 */
export const REQUEST_TIMEOUT_MS = 60_000;

interface Waiting {
  method: string;
  result: z.ZodType<unknown>;
  resolve(value: unknown): void;
  reject(error: RequestError): void;
  timer: unknown;
}

/** The page's side: requests out, replies in (`receive` every message from the host). */
export class RequestClient {
  private readonly waiting = new Map<string, Waiting>();
  private next = 0;
  /** Ids are unique to this client, so a reply meant for a page before a reload is nobody's here. */
  private readonly prefix = `${Math.random().toString(36).slice(2, 10)}-`;
  private readonly timers: RequestTimers;
  private readonly timeoutMs: number;

  constructor(
    private readonly send: (message: RequestMessage) => void,
    options: { timers?: RequestTimers; timeoutMs?: number } = {},
  ) {
    this.timers = options.timers ?? realTimers;
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  /** How many requests wait for their reply. */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Asks the host; resolves with the checked result, rejects with a `RequestError` when the host
   * answers with an error, its result fails the schema, or no reply comes within the timeout.
   */
  request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    const id = `${this.prefix}${++this.next}`;
    return new Promise<R>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => this.settle(id, { type: 'reply', id, ok: false, error: `No answer from VS Code within ${this.timeoutMs / 1000} s.` }), this.timeoutMs);
      this.waiting.set(id, { method: type.method, result: type.result, resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        this.send({ type: 'request', id, method: type.method, params });
      } catch (error) {
        this.settle(id, { type: 'reply', id, ok: false, error: reason(error) });
      }
    });
  }

  /**
   * A message from the host: true when it was the reply to a waiting request (now settled). Other
   * messages, and replies nobody waits for (answered already, timed out, meant for the page before
   * a reload), are ignored.
   */
  receive(message: unknown): boolean {
    const parsed = replyMessageSchema.safeParse(message);
    if (!parsed.success || !this.waiting.has(parsed.data.id)) return false;
    this.settle(parsed.data.id, parsed.data);
    return true;
  }

  /** Rejects every waiting request (the page is going away). */
  dispose(why = 'The view was closed.'): void {
    for (const id of [...this.waiting.keys()]) this.settle(id, { type: 'reply', id, ok: false, error: why });
  }

  private settle(id: string, reply: ReplyMessage): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    this.timers.clearTimeout(w.timer);
    if (!reply.ok) return w.reject(new RequestError(w.method, reply.error));
    const checked = w.result.safeParse(reply.result);
    if (checked.success) w.resolve(checked.data);
    else w.reject(new RequestError(w.method, `The answer to ${w.method} was not understood (${problem(checked.error)}).`));
  }
}

type Handler = (params: unknown) => Promise<unknown>;

/** The host's side: one handler per method; `answer` turns any request into exactly one reply. */
export class RequestRouter {
  private readonly handlers = new Map<string, Handler>();

  /** `failed` hears of every error reply (to log it); it cannot stop the reply. */
  constructor(private readonly failed: (method: string, error: string) => void = () => {}) {}

  /** Handles `type`'s requests with `handler` (one handler per method). */
  onRequest<P, R>(type: RequestType<P, R>, handler: (params: P) => R | Promise<R>): void {
    if (this.handlers.has(type.method)) throw new Error(`${type.method} has a handler already`);
    this.handlers.set(type.method, async (raw) => {
      const params = type.params.safeParse(raw);
      if (!params.success) throw new Error(`${type.method} was asked with invalid params (${problem(params.error)}).`);
      const result = type.result.safeParse(await handler(params.data));
      if (!result.success) throw new Error(`${type.method} gave an invalid answer (${problem(result.error)}).`);
      return result.data;
    });
  }

  /** The reply to `request`. Never rejects: whatever goes wrong is the error reply. */
  async answer(request: RequestMessage): Promise<ReplyMessage> {
    try {
      const handler = this.handlers.get(request.method);
      if (!handler) throw new Error(`Unknown request ${request.method}.`);
      return { type: 'reply', id: request.id, ok: true, result: await handler(request.params) };
    } catch (error) {
      const message = reason(error);
      try {
        this.failed(request.method, message);
      } catch {
        // Logging failed: the reply still goes.
      }
      return { type: 'reply', id: request.id, ok: false, error: message };
    }
  }
}
