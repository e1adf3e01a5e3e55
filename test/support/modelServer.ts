// A scripted model API on 127.0.0.1 for the real agent CLIs (the agents tier and its benchmark):
// Anthropic Messages, OpenAI Responses and Gemini generateContent / streamGenerateContent, each
// streamed as server-sent events in the shapes those APIs document. It answers a declarative
// script of turns — text, thinking, tool calls with their inputs, usage — choosing the turn from
// the conversation it is sent: the conversation is the one whose marker is in the latest user
// prompt, the turn the one after as many tool calls as the request carries tool results. Every
// request is recorded. Requests of no scripted conversation (titles, summaries, routing) get a
// short text. Our own code, written from the APIs' documented shapes; a test support, not a
// dependency of the extension.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  /** OpenAI: a custom (freeform) tool, such as apply_patch in some Codex versions: `input.text` is sent as it is. */
  custom?: boolean;
}

export interface Turn {
  text?: string;
  thinking?: string;
  tools?: ToolCall[];
  usage?: { input: number; output: number };
  /** The answer waits until the test calls `release(hold)`: the agent is mid-turn meanwhile. */
  hold?: string;
}

export interface Conversation {
  /** The latest user prompt of the request contains this. */
  match: string;
  turns: Turn[];
}

export type Api = 'anthropic' | 'openai' | 'gemini';

export interface RecordedRequest {
  api: Api | 'other';
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  /** The conversation and turn answered (undefined: a side request). */
  conversation?: string;
  turn?: number;
  /** Tool names the request offered. */
  tools: string[];
}

const DEFAULT_USAGE = { input: 100, output: 20 };

export class ModelServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private readonly released = new Set<string>();
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly heldNow = new Set<string>();
  private conversations: Conversation[];

  constructor(conversations: Conversation[] = [], private readonly model = 'scripted-model') {
    this.conversations = conversations;
  }

  /** Adds or replaces the script (one server may serve several runs). */
  script(conversations: Conversation[]): void {
    this.conversations = conversations;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: error.message } }));
    }));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const hold of this.waiting.keys()) this.release(hold);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Lets a held answer go (now, or as soon as it is asked for). */
  release(hold: string): void {
    this.released.add(hold);
    for (const go of this.waiting.get(hold) ?? []) go();
    this.waiting.delete(hold);
  }

  /** Resolves once a request has reached the turn held by `hold` (the agent waits for its answer). */
  async whenHeld(hold: string, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.heldNow.has(hold)) {
      if (Date.now() > until) throw new Error(`no request reached the turn held by "${hold}" within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The requests that were answered with a scripted turn. */
  turns(): RecordedRequest[] {
    return this.requests.filter((r) => r.turn !== undefined);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | undefined;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    const api: RecordedRequest['api'] = url.pathname.startsWith('/v1/messages') ? 'anthropic' : url.pathname.startsWith('/v1/responses') ? 'openai' : url.pathname.startsWith('/v1beta/models/') ? 'gemini' : 'other';
    const record: RecordedRequest = { api, method: req.method ?? 'GET', path: url.pathname + url.search, body, tools: toolNames(api, body) };
    this.requests.push(record);
    if (req.method === 'HEAD' || req.method === 'GET' || api === 'other' || !body) {
      res.writeHead(api === 'other' && req.method === 'POST' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(api === 'other' && req.method === 'POST' ? { error: { message: `no scripted endpoint ${url.pathname}` } } : {}));
      return;
    }
    if (api === 'anthropic' && url.pathname.endsWith('/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ input_tokens: 100 }));
      return;
    }
    const chosen = this.choose(api, body);
    if (chosen) {
      record.conversation = chosen.conversation.match;
      record.turn = chosen.index;
      const hold = chosen.turn.hold;
      if (hold && !this.released.has(hold)) {
        this.heldNow.add(hold);
        await new Promise<void>((resolve) => this.waiting.set(hold, [...(this.waiting.get(hold) ?? []), resolve]));
        this.heldNow.delete(hold);
      }
    }
    // A side request that asks for JSON of a schema (Gemini CLI's model router) gets an instance of it.
    const config = isObject(body.generationConfig) ? body.generationConfig : {};
    const schema = config.responseJsonSchema ?? config.responseSchema;
    const sideText = config.responseMimeType === 'application/json' && isObject(schema) ? JSON.stringify(exampleOf(schema)) : 'Scripted title';
    const turn: Turn = chosen?.turn ?? { text: sideText, usage: { input: 10, output: 3 } };
    if (api === 'anthropic') return this.anthropic(res, body, turn);
    if (api === 'openai') return this.openai(res, turn);
    return this.gemini(res, url, turn);
  }

  /** The scripted turn for this request, if it belongs to a scripted conversation. */
  private choose(api: Api, body: Record<string, unknown>): { conversation: Conversation; turn: Turn; index: number } | undefined {
    const { prompt, results } = conversationOf(api, body);
    // A request offering no tools is a side request (a title, a summary, a routing question).
    if (prompt === undefined || toolNames(api, body).length === 0) return undefined;
    const conversation = this.conversations.find((c) => prompt.includes(c.match));
    if (!conversation) return undefined;
    let calls = 0;
    for (let index = 0; index < conversation.turns.length; index++) {
      if (calls >= results) return { conversation, turn: conversation.turns[index]!, index };
      calls += conversation.turns[index]!.tools?.length ?? 0;
    }
    return { conversation, turn: conversation.turns.at(-1)!, index: conversation.turns.length - 1 };
  }

  private anthropic(res: ServerResponse, body: Record<string, unknown>, turn: Turn): void {
    const usage = turn.usage ?? DEFAULT_USAGE;
    const blocks: Array<Record<string, unknown>> = [];
    if (turn.thinking) blocks.push({ type: 'thinking', thinking: turn.thinking, signature: 'scripted' });
    if (turn.text) blocks.push({ type: 'text', text: turn.text });
    for (const t of turn.tools ?? []) blocks.push({ type: 'tool_use', id: `toolu_${randomUUID().replace(/-/g, '').slice(0, 24)}`, name: t.name, input: t.input });
    const stop = turn.tools?.length ? 'tool_use' : 'end_turn';
    const message = { id: `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`, type: 'message', role: 'assistant', model: String(body.model ?? this.model), content: [] as unknown[], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } };
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...message, content: blocks, stop_reason: stop, usage: { ...message.usage, output_tokens: usage.output } }));
      return;
    }
    const events: Array<[string, Record<string, unknown>]> = [['message_start', { type: 'message_start', message }]];
    blocks.forEach((block, index) => {
      if (block.type === 'text') {
        events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } }]);
      } else if (block.type === 'thinking') {
        events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }]);
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } }]);
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'scripted' } }]);
      } else {
        events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }]);
        const json = JSON.stringify(block.input);
        // The input arrives in pieces, as the API streams it.
        for (let i = 0; i < json.length; i += 40) events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 40) } }]);
      }
      events.push(['content_block_stop', { type: 'content_block_stop', index }]);
    });
    events.push(['message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: usage.output } }]);
    events.push(['message_stop', { type: 'message_stop' }]);
    sse(res, events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  }

  private openai(res: ServerResponse, turn: Turn): void {
    const usage = turn.usage ?? DEFAULT_USAGE;
    const id = `resp_${randomUUID().replace(/-/g, '')}`;
    const items: Array<Record<string, unknown>> = [];
    if (turn.thinking) items.push({ type: 'reasoning', id: `rs_${randomUUID().slice(0, 8)}`, summary: [{ type: 'summary_text', text: turn.thinking }] });
    for (const t of turn.tools ?? []) {
      const callId = `call_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      items.push(t.custom ? { type: 'custom_tool_call', id: `ctc_${callId}`, call_id: callId, name: t.name, input: String(t.input.text ?? ''), status: 'completed' } : { type: 'function_call', id: `fc_${callId}`, call_id: callId, name: t.name, arguments: JSON.stringify(t.input), status: 'completed' });
    }
    if (turn.text) items.push({ type: 'message', id: `msg_${randomUUID().slice(0, 8)}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: turn.text, annotations: [] }] });
    const response = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model: this.model, status: 'in_progress', output: [] as unknown[] };
    const events: string[] = [`event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response })}\n\n`];
    items.forEach((item, output_index) => {
      events.push(`event: response.output_item.added\ndata: ${JSON.stringify({ type: 'response.output_item.added', output_index, item })}\n\n`);
      events.push(`event: response.output_item.done\ndata: ${JSON.stringify({ type: 'response.output_item.done', output_index, item })}\n\n`);
    });
    const done = { ...response, status: 'completed', output: items, usage: { input_tokens: usage.input, input_tokens_details: { cached_tokens: 0 }, output_tokens: usage.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: usage.input + usage.output } };
    events.push(`event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: done })}\n\n`);
    sse(res, events);
  }

  private gemini(res: ServerResponse, url: URL, turn: Turn): void {
    const usage = turn.usage ?? DEFAULT_USAGE;
    const parts: Array<Record<string, unknown>> = [];
    if (turn.thinking) parts.push({ text: turn.thinking, thought: true });
    if (turn.text) parts.push({ text: turn.text });
    for (const t of turn.tools ?? []) parts.push({ functionCall: { name: t.name, args: t.input } });
    const chunk = { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output }, modelVersion: this.model };
    if (!url.pathname.endsWith(':streamGenerateContent')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(chunk));
      return;
    }
    sse(res, [`data: ${JSON.stringify(chunk)}\n\n`]);
  }
}

/** A value of a JSON schema (OpenAPI-style types too): the first enum value, "scripted", 50, false, []. */
function exampleOf(schema: Record<string, unknown>): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (String(schema.type ?? 'object').toLowerCase()) {
    case 'string':
      return 'scripted';
    case 'integer':
    case 'number':
      return 50;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default: {
      const properties = isObject(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, isObject(v) ? exampleOf(v) : null]));
    }
  }
}

function sse(res: ServerResponse, events: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) res.write(e);
  res.end();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The tools a request offers, by name. */
function toolNames(api: RecordedRequest['api'], body: Record<string, unknown> | undefined): string[] {
  if (!body) return [];
  if (api === 'gemini') {
    const tools = Array.isArray(body.tools) ? body.tools : [];
    return tools.flatMap((t) => (isObject(t) && Array.isArray(t.functionDeclarations) ? t.functionDeclarations.map((d) => String((d as { name?: unknown }).name)) : []));
  }
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return tools.map((t) => (isObject(t) ? String(t.name ?? (isObject(t.function) ? t.function.name : t.type)) : '')).filter(Boolean);
}

/** The latest user prompt of a request and how many tool results follow it. */
function conversationOf(api: Api, body: Record<string, unknown>): { prompt: string | undefined; results: number } {
  let prompt: string | undefined;
  let results = 0;
  if (api === 'anthropic') {
    for (const m of Array.isArray(body.messages) ? body.messages : []) {
      if (!isObject(m) || m.role !== 'user') continue;
      const content = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : [];
      const texts = content.filter((c) => isObject(c) && c.type === 'text').map((c) => String((c as { text?: unknown }).text ?? ''));
      const toolResults = content.filter((c) => isObject(c) && c.type === 'tool_result').length;
      // A user message with text of its own (not only tool results and reminders) starts a new exchange.
      const own = texts.filter((t) => !/^<system-reminder>/.test(t.trim()));
      if (own.length > 0 && toolResults === 0) {
        prompt = own.join('\n');
        results = 0;
      }
      results += toolResults;
    }
  } else if (api === 'openai') {
    for (const item of Array.isArray(body.input) ? body.input : []) {
      if (!isObject(item)) continue;
      if (item.type === 'message' && item.role === 'user') {
        const text = (Array.isArray(item.content) ? item.content : []).map((c) => (isObject(c) ? String(c.text ?? '') : '')).join('\n');
        // Codex sends its environment and instructions as user messages too: the prompt is the last one.
        if (!/^<(environment_context|user_instructions|permissions)/.test(text.trim())) {
          prompt = text;
          results = 0;
        }
      } else if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') results++;
    }
  } else {
    for (const c of Array.isArray(body.contents) ? body.contents : []) {
      if (!isObject(c) || c.role !== 'user') continue;
      const parts = Array.isArray(c.parts) ? c.parts : [];
      const responses = parts.filter((p) => isObject(p) && isObject(p.functionResponse)).length;
      const texts = parts.filter((p) => isObject(p) && typeof p.text === 'string').map((p) => String((p as { text: string }).text));
      if (responses === 0 && texts.length > 0) {
        prompt = texts.join('\n');
        results = 0;
      }
      results += responses;
    }
  }
  return { prompt, results };
}
