import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? body.msg ?? status));
  }
}

/** Reads a request body up to `limit` bytes; a larger one is refused with 413, never truncated. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () =>
      tooLarge
        ? reject(new HttpError(413, { code: 'PGRST413', message: `Request body is larger than ${limit} bytes.`, details: null, hint: null }))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

export function parseJson(text: string, what = 'request body'): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, {
      code: 'PGRST102',
      message: `Invalid JSON in the ${what}: ${(error as Error).message}`,
      details: null,
      hint: null,
    });
  }
}

/** Parses a body that must be a JSON object (an empty body counts as `{}`); 400 otherwise. */
export function parseJsonObject(text: string, what = 'request body'): Record<string, unknown> {
  const value = parseJson(text || '{}', what);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, { code: 400, error_code: 'validation_failed', msg: `The ${what} must be a JSON object`, message: `The ${what} must be a JSON object` });
  }
  return value as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PATCH, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers':
    'authorization, apikey, content-type, prefer, range, accept-profile, content-profile, x-client-info, x-supabase-api-version',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Location, Location',
};

export function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}

export function apikeyOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.apikey;
  return (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey') ?? undefined;
}
