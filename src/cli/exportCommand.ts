// `session-stream export --session ID [--format jsonl|markdown] [--out FILE] [--since-seq N]`: a
// session of any length, read a page at a time and written as it comes (constant memory), as the
// signed-in user.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { exportSession, type ExportFormat } from '../core/exportSession';
import { intOption, sessionOption, UsageError } from './args';
import { signedInUser } from './userAuth';

export const exportHelp = `Usage: session-stream export --session ID [--format jsonl|markdown] [--out FILE] [--since-seq N]

Writes a whole session — any length, read a page at a time — to FILE or standard output:
  jsonl     one event per line: {"id","sessionId","seq","type","data","createdAt"} (default)
  markdown  a header (title, state, duration, tokens), commands in fenced blocks with their
            output, file changes with their diffs: what you paste into a pull request
  --since-seq N   only the events after number N`;

async function writeTo(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

export async function runExport(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { session: { type: 'string' }, format: { type: 'string', default: 'jsonl' }, out: { type: 'string' }, 'since-seq': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) return void process.stdout.write(`${exportHelp}\n`), 0;
  const sessionId = sessionOption(values.session);
  const format = values.format as ExportFormat;
  if (format !== 'jsonl' && format !== 'markdown') throw new UsageError(`--format must be jsonl or markdown, got "${values.format}"`);
  const afterSeq = intOption('--since-seq', values['since-seq'], 0, 0, Number.MAX_SAFE_INTEGER);
  const user = await signedInUser();
  const out: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  try {
    const started = Date.now();
    const n = await exportSession(user.client, sessionId, format, (chunk) => writeTo(out, chunk), { afterSeq });
    if (values.out) {
      out.end();
      await once(out, 'finish');
      process.stderr.write(`Exported ${n.toLocaleString('en-US')} events to ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
    }
    return 0;
  } finally {
    user.dispose();
  }
}
