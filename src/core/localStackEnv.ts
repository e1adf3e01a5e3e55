// Reading the local stack's env file (`npm run stack` writes .session-stream/stack.env). It can sit
// in any cloned repository, so it is untrusted: only a loopback URL is accepted from it (a file
// naming another host would send the user's password and keys there).
import { parseEnvFile } from './envFile';

export interface LocalStackEnv {
  file: string;
  url: string;
  anonKey: string;
  serviceRoleKey: string;
}

/** http(s) on 127.0.0.0/8, ::1 or localhost — nothing that leaves the machine. */
export function isLoopbackUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The stack an env file describes, or why it is not used. */
export function localStackFromEnv(file: string, text: string): { ok: true; env: LocalStackEnv } | { ok: false; reason: string } {
  const v = parseEnvFile(text);
  if (!v.API_URL || !v.ANON_KEY || !v.SERVICE_ROLE_KEY) return { ok: false, reason: `${file} lacks API_URL, ANON_KEY or SERVICE_ROLE_KEY` };
  if (!isLoopbackUrl(v.API_URL)) return { ok: false, reason: `${file} names ${v.API_URL.slice(0, 200)}, which is not on this machine; a local stack's file only ever names 127.0.0.1` };
  return { ok: true, env: { file, url: v.API_URL, anonKey: v.ANON_KEY, serviceRoleKey: v.SERVICE_ROLE_KEY } };
}
