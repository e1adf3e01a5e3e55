/** Messages between {@link startPostgres} (parent) and the PostgreSQL owner process (child). */

export interface PostgresChildConfig {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  /** Extra `-c name=value` settings. */
  settings: Record<string, string>;
}

export type ParentToChild = { type: 'start' } | { type: 'stop' } | { type: 'shutdown' };

export type ChildToParent =
  | { type: 'started'; initialised: boolean }
  | { type: 'stopped' }
  | { type: 'failed'; message: string }
  | { type: 'log'; line: string };

export const CHILD_CONFIG_ENV = 'SESSION_STREAM_PG_CONFIG';
