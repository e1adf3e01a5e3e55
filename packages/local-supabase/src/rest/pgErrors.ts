// PostgreSQL errors → PostgREST's HTTP statuses and error body `{code, message, details, hint}`.
import { HttpError } from '../http';

interface PgError {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** A failure to reach PostgreSQL at all (refused, reset, terminated), not an SQL error. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (code !== undefined && /^E[A-Z]+$/.test(code)) || /Connection terminated|connection refused|server closed/i.test(String((error as Error).message));
}

/** PostgREST's mapping of SQLSTATE to HTTP status (its docs' "HTTP Status Codes" table). */
export function statusForSqlState(code: string, anonymous: boolean): number {
  if (code === '42501') return anonymous ? 401 : 403;
  if (code === '23502' || code === '23514' || code === 'P0001' || code === '428C9') return 400;
  if (code === '42883' || code === '42P01' || code.startsWith('3D') || code.startsWith('3F')) return 404;
  const klass = code.slice(0, 2);
  switch (klass) {
    case '08':
    case '53':
      return 503;
    case '09':
    case '0L':
    case '0P':
    case '28':
      return klass === '28' ? 403 : 500;
    case '22':
    case '42':
      return 400;
    case '23':
      return 409;
    case '54':
      return 413;
    case '25':
    case '2D':
    case '2F':
    case '40':
    case '55':
    case '57':
    case '58':
    case 'F0':
    case 'HV':
    case 'P0':
    case 'XX':
      return 500;
    default:
      return 400;
  }
}

export function fromPgError(error: unknown, anonymous: boolean): HttpError {
  if (error instanceof HttpError) return error;
  const pgError = error as PgError;
  if (!pgError.code || !/^[0-9A-Z]{5}$/.test(pgError.code)) {
    return new HttpError(503, { code: 'PGRST000', message: `Database unavailable: ${pgError.message}`, details: null, hint: 'Is PostgreSQL running?' });
  }
  return new HttpError(statusForSqlState(pgError.code, anonymous), {
    code: pgError.code,
    message: pgError.message,
    details: pgError.detail ?? null,
    hint: pgError.hint ?? null,
  });
}
