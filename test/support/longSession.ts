// A long session made in the database directly, for tests and the `long` benchmark: N events of
// realistic mixed types and sizes (thinking with text, commands with output, file changes with
// diffs, the odd error), numbered 1..N as the database would number them, written in batches with
// the per-row triggers off (they would broadcast every row) and the table out of the Realtime
// publication meanwhile (or the local Realtime would read every one of those rows from the WAL —
// minutes of work, for a session nobody watches yet).
// A few words are planted for search: "zebracorn" in 1 event of 200,000 (rare), "npm" in about a
// third of them (common).
import type pg from 'pg';

/** Inserts `count` events into `sessionId` (which must have none yet); resolves with the seconds it took. */
export async function fillSession(admin: pg.Client, sessionId: string, count: number, batch = 50_000): Promise<number> {
  const started = Date.now();
  await admin.query('alter publication supabase_realtime drop table public.session_events');
  await admin.query('begin');
  try {
    await admin.query("set local session_replication_role = 'replica'");
    for (let from = 1; from <= count; from += batch) {
      const to = Math.min(count, from + batch - 1);
      await admin.query(
        `insert into public.session_events (session_id, session_seq, event_type, event_data, created_at)
         select $1::uuid, i,
           case when i % 100 = 0 then 'error' when i % 50 = 1 then 'state_changed' when i % 10 < 4 then 'thinking' when i % 10 < 8 then 'terminal' else 'file_change' end,
           case
             when i % 100 = 0 then jsonb_build_object('message', 'step ' || i || ' failed: npm test exited 1')
             when i % 50 = 1 then jsonb_build_object('from', 'running', 'to', 'running', 'reason', 'checkpoint ' || i)
             when i % 10 < 4 then jsonb_build_object('iteration', i, 'toolsUsed', jsonb_build_array('read_file', 'bash'), 'kind', 'reasoning',
               'text', 'Looking at step ' || i || ': ' || repeat('the parser keeps a cursor and reads tokens one by one; ', (1 + (i % 7) * 3)::int) || case when i % 200000 = 72 then ' zebracorn ' else '' end)
             when i % 10 < 8 then jsonb_build_object('command', case when i % 3 = 0 then 'npm test -- --grep case' || i else 'git diff --stat HEAD~' || (i % 9) end,
               'output', repeat('✔ case ' || i || ' passes in ' || (i % 97) || ' ms' || E'\\n', (2 + (i % 11) * 4)::int), 'error', '', 'exitCode', (i % 13 = 0)::int)
             else jsonb_build_object('path', 'src/module' || (i % 400) || '/file' || (i % 37) || '.ts', 'action', 'write',
               'diff', '@@ -1,3 +1,3 @@' || E'\\n' || '-export const v' || i || ' = 1;' || E'\\n' || '+export const v' || i || ' = 2;' || E'\\n', 'additions', 1, 'deletions', 1)
           end,
           timestamptz '2026-12-01 08:00:00+00' + (i * interval '50 milliseconds')
         from generate_series($2::bigint, $3::bigint) as i`,
        [sessionId, from, to],
      );
    }
    await admin.query('insert into public.session_event_counters (session_id, last_seq) values ($1, $2) on conflict (session_id) do update set last_seq = excluded.last_seq', [sessionId, count]);
    await admin.query('commit');
  } catch (error) {
    await admin.query('rollback');
    throw error;
  } finally {
    await admin.query('alter publication supabase_realtime add table public.session_events');
  }
  // Fresh rows are slow on their first read (hint bits, the visibility map): vacuum them now, as a
  // database that has lived with them would have.
  await admin.query('vacuum (analyze) public.session_events');
  return (Date.now() - started) / 1000;
}
