// The stack's JWT secret and API keys, as Supabase makes them: HS256 JWTs signed with the project
// secret; the anon and service_role keys are long-lived JWTs with that `role`.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

export type ApiRole = 'anon' | 'authenticated' | 'service_role';
export const API_ROLES: readonly ApiRole[] = ['anon', 'authenticated', 'service_role'];

export interface Claims extends JWTPayload {
  role: ApiRole;
  sub?: string;
  email?: string;
  session_id?: string;
}

/** 2025-01-01 and 2045-01-01 (UTC). */
const KEY_ISSUED_AT = 1735689600;
const KEY_EXPIRES_AT = 2366841600;

export class JwtError extends Error {
  constructor(
    message: string,
    readonly expired: boolean,
  ) {
    super(message);
  }
}

export class Keys {
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  private readonly key: Uint8Array;

  private constructor(readonly secret: string, anonKey: string, serviceRoleKey: string) {
    this.key = new TextEncoder().encode(secret);
    this.anonKey = anonKey;
    this.serviceRoleKey = serviceRoleKey;
  }

  static async create(secret: string): Promise<Keys> {
    const key = new TextEncoder().encode(secret);
    // Fixed times, as the Supabase CLI's keys have: the same secret gives the same keys on every
    // start, so a key pasted into settings keeps working after a restart.
    const longLived = (role: ApiRole) =>
      new SignJWT({ role, iss: 'supabase-local' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(KEY_ISSUED_AT)
        .setExpirationTime(KEY_EXPIRES_AT)
        .sign(key);
    return new Keys(secret, await longLived('anon'), await longLived('service_role'));
  }

  sign(claims: Claims, expiresInSeconds: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + expiresInSeconds)
      .sign(this.key);
  }

  /** Verifies signature, expiry and the `role` claim; throws {@link JwtError} otherwise. */
  async verify(token: string): Promise<Claims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      if (typeof payload.role !== 'string' || !API_ROLES.includes(payload.role as ApiRole)) {
        throw new JwtError(`JWT role "${String(payload.role)}" is not one of ${API_ROLES.join(', ')}`, false);
      }
      return payload as Claims;
    } catch (error) {
      if (error instanceof JwtError) throw error;
      if (error instanceof errors.JWTExpired) throw new JwtError('JWT expired', true);
      throw new JwtError(`Invalid JWT: ${(error as Error).message}`, false);
    }
  }

  /** True for the two project keys (anon, service_role), which are what `apikey` must carry. */
  async isProjectKey(token: string): Promise<boolean> {
    try {
      const claims = await this.verify(token);
      return claims.role === 'anon' || claims.role === 'service_role';
    } catch {
      return false;
    }
  }
}

/**
 * The stack's secret, kept beside its data so keys stay stable across restarts (the extension
 * stores them in settings). A temporary stack gets a fresh one.
 */
export async function loadOrCreateSecret(dir: string | undefined): Promise<string> {
  if (!dir) return randomBytes(32).toString('base64url');
  const file = path.join(dir, 'jwt-secret');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start
  }
  const secret = randomBytes(32).toString('base64url');
  await mkdir(dir, { recursive: true });
  await writeFile(`${file}.tmp`, `${secret}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return secret;
}
