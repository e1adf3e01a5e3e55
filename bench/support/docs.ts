// docs/benchmarks.md and docs/reliability.md, generated from bench/results/latest.json after a full
// `npm run bench` (or by `npm run bench -- --docs-only` from the last results). What is written by
// hand lives in docs/benchmarks.intro.md (how to read the figures, the payload-budget measurements;
// copied in front) and docs/reliability.hardening.md (the hardening review; copied at the end).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FAULTS, faultTable, type FaultRow } from '../../test/faults/matrix';
import { RESULTS_DIR, type Figure } from './report';

const DOCS = path.resolve(__dirname, '../../docs');

interface Results {
  machine: Record<string, unknown>;
  suites: Record<string, { machine: Record<string, unknown>; options: { quick?: boolean }; figures: Figure[]; tables?: Array<{ title: string; rows: unknown[] }> }>;
}

const ORDER = ['stack', 'viewers', 'worker', 'stream', 'agents', 'hooks', 'control', 'long', 'timeline', 'payload', 'start', 'faults'];

function machineLine(m: Record<string, unknown>): string {
  return `${String(m.cpu)}, ${String(m.cores)} cores (1-min load ${String(m.loadavg1m ?? '?')} as the suite started), ${String(m.memoryGiB)} GiB, Node ${String(m.node)}, ${String(m.platform)}, commit \`${String(m.commit)}\`, ${String(m.at)}`;
}

function figures(f: Figure[]): string {
  return ['| figure | value | unit | note |', '|---|---:|---|---|', ...f.map((x) => `| ${x.name} | ${x.value} | ${x.unit} | ${x.note ?? ''} |`)].join('\n');
}

export function writeDocs(): string[] {
  const file = path.join(RESULTS_DIR, 'latest.json');
  if (!existsSync(file)) throw new Error('No bench/results/latest.json yet: run `npm run bench` first.');
  const r = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const intro = readFileSync(path.join(DOCS, 'benchmarks.intro.md'), 'utf8').trimEnd();
  const parts = [intro, '', '<!-- Everything below is generated from bench/results/latest.json by bench/support/docs.ts. -->', ''];
  for (const name of ORDER.filter((n) => r.suites[n] && n !== 'faults')) {
    const s = r.suites[name]!;
    parts.push(`## ${name}${s.options.quick ? ' (--quick)' : ''}`, '', `Measured on: ${machineLine(s.machine)}.`, '', figures(s.figures), '');
    if (name === 'stream' && existsSync(path.join(DOCS, 'latency.png'))) parts.push('![Latency distribution: ours, bare supabase-js and the naive RealtimeService](latency.png)', '');
  }
  if (r.suites.faults) parts.push('## faults', '', 'The fault matrix and what each fault does: [reliability.md](reliability.md).', '', figures(r.suites.faults.figures), '');
  writeFileSync(path.join(DOCS, 'benchmarks.md'), `${parts.join('\n').trimEnd()}\n`);

  const faults = r.suites.faults;
  const rel = [
    '# Reliability',
    '',
    'Every fault below is run by `npm run test:faults` (2 s outages, a shortened reconnect policy, asserted: ours must',
    'lose, duplicate and reorder nothing — a tier of `npm test`) and by `npm run bench -- faults` (the product’s',
    'reconnect policy, 1 s doubling to 30 s, 10 attempts; reported). For each fault a worker emits a known sequence —',
    '10 events before, 20 during, 10 after — while our `SessionEventStream` and the naive `RealtimeService` (kept',
    'verbatim with its bugs in `bench/baselines/`) watch the same session through the same fault proxy. “Recovered in”',
    'is the time from the fault’s end until every event emitted before it had arrived (— when some never did).',
    '',
    '## The faults',
    '',
    '| fault | what it does |',
    '|---|---|',
    ...FAULTS.map((f) => `| ${f.name} | ${f.does} |`),
    '',
  ];
  if (faults) {
    for (const t of faults.tables ?? []) rel.push(`## ${t.title}`, '', `Measured on: ${machineLine(faults.machine)}.`, '', faultTable(t.rows as FaultRow[]), '');
  } else rel.push('No fault-matrix results yet: `npm run bench -- faults`.', '');
  rel.push(
    '## Bad input',
    '',
    'Each entry point refuses bad input with a message that says what to do, and nothing already stored changes.',
    'The cases and the tests that check them:',
    '',
    '| entry point | cases | checked by |',
    '|---|---|---|',
    '| REST (`/rest/v1`) | invalid JSON, oversize bodies, unknown operators, unfiltered UPDATE/DELETE (refused as hosted Supabase’s pg-safeupdate does), SQL injection in filters and names, plus a seeded fuzz run (no 5xx) | `packages/local-supabase/test/badInput.test.ts`, `fuzz.test.ts` (same folder) |',
    '| Realtime frames | no or a wrong apikey (401), an unknown protocol version, a malformed frame (closed 1007), an oversize frame (1009), an event on a topic never joined, bad postgres_changes bindings (CHANNEL_ERROR with the reason), a forged access token | `packages/local-supabase/test/badInput.test.ts` |',
    '| Auth | a wrong password, a second sign-up, a weak password, a malformed email, a reused refresh token, a missing apikey, an expired or forged access token | `packages/local-supabase/test/auth.test.ts` |',
    '| `emit` (CLI) and the worker | an unknown session or type, data that is not JSON or fails the schema, data over 249 KiB (255,000 bytes), a `state_changed` event (the database’s to write), the anon key instead of the service-role key, a dead server (exit 2 or 1 with the reason); a batch with one event the database refuses stores the others | `test/integration/cli.worker.test.ts`, `worker.lifecycle.test.ts`, `test/unit/events.test.ts` |',
    '| Emit Test Event (VS Code) | JSON that does not parse, data failing the schema — shown under the input as you type; the event is only sent when valid | `test/e2e/workbench.test.ts` |',
    '| Webview protocol | messages of an unknown type or shape, or an oversize copy, from the webview are ignored by the host; HTML/script in any event field is shown as text under the panel’s CSP and never runs | `test/unit/protocol.test.ts`, `test/webview/timeline.test.ts` |',
    '| Comments (timeline, `addAnnotation`/`editAnnotation`/`deleteAnnotation`) | an empty or over-4-KiB body (in bytes, as the database counts; said before sending, the composer keeps the text), someone else’s session or comment (RLS, “you may only comment on sessions you can see…”), a forged author name (replaced by the token’s email), Markdown with HTML, images or `javascript:` links (shown as text, never rendered or followed), oversize or malformed comment messages from the webview | `test/integration/annotations.live.test.ts`, `database.annotations.test.ts`, `test/webview/comments.test.ts`, `test/unit/protocol.test.ts`, `test/unit/annotations.test.ts` |',
    '| File paths in `file_change` | `..`, absolute, symlinks out of the folder, Windows/UNC, NUL, over-long paths: refused, never opened | `test/unit/pathGuard.test.ts`, `test/extension/extension.test.ts` |',
    '| Malformed rows in the database | shown as “malformed” with the reason and raw row, never dropped | `test/unit/eventLog.test.ts`, `test/webview/timeline.test.ts` |',
    '| Agent text in VS Code’s own UI (notifications, tooltips, quick picks, status bar) | `[label](command:…)` links, `$(icon)`, Markdown and HTML, newlines, control and bidi-override characters: shown as text | `test/unit/untrusted.test.ts`, `test/e2e/workbench.test.ts` |',
    '| Agents’ session files (`watch`) | a line of hundreds of MB, a NUL byte, a file swapped for a link: one “too long” event, ␀, not read; the other files go on | `test/integration/trust.test.ts`, `test/unit/lineReader.test.ts` |',
    '',
    readFileSync(path.join(DOCS, 'reliability.hardening.md'), 'utf8').trimEnd(),
  );
  writeFileSync(path.join(DOCS, 'reliability.md'), `${rel.join('\n').trimEnd()}\n`);
  return [path.join(DOCS, 'benchmarks.md'), path.join(DOCS, 'reliability.md')];
}
