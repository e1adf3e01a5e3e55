// `session-stream export --session ID [--format jsonl|markdown] [--out FILE] [--since-seq N]`: a
// session of any length, read a page at a time and written as it comes (constant memory), as the
// signed-in user.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { exportSession, type ExportFormat } from '../core/exportSession';
import { sessionOption } from './args';
import { choiceOption, defineCommand, wholeOption, type CommandSpec } from './options';
import { signedInUser } from './userAuth';

export const EXPORT = {
  name: 'export',
  summary: 'write a whole session (any length) as JSON Lines or Markdown',
  about: `Writes a whole session — any length, read a page at a time — to FILE or standard output:
  jsonl     one event per line: {"id","sessionId","seq","type","data","createdAt"}
  markdown  a header (title, state, duration, tokens), commands in fenced blocks with their
            output, file changes with their diffs: what you paste into a pull request`,
  options: {
    session: { type: 'string', value: 'ID', required: true, help: 'the session (its id)' },
    format: { type: 'string', choices: ['jsonl', 'markdown'], default: 'jsonl', help: 'how it is written, as above' },
    out: { type: 'string', value: 'FILE', help: 'write to FILE instead of standard output' },
    'since-seq': { type: 'string', value: 'N', whole: { min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 }, help: 'only the events after number N' },
  },
} as const satisfies CommandSpec;

async function writeTo(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

export const exportCommand = defineCommand(EXPORT, async ({ values }) => {
  const sessionId = sessionOption(values.session);
  const format: ExportFormat = choiceOption(EXPORT, 'format', values.format);
  const afterSeq = wholeOption(EXPORT, 'since-seq', values['since-seq']);
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
});
