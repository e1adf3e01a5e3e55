/** A mistake in how a command was called: exit code 2 and a message that says what to fix. */
export class UsageError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The --session option: a session id (a UUID), or a UsageError that says what was given. */
export function sessionOption(raw: string | undefined): string {
  if (!raw || !UUID.test(raw)) throw new UsageError(`--session must be a session id (a UUID), got ${raw ? `"${raw}"` : 'nothing'}`);
  return raw;
}

export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}
