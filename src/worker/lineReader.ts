// Whole lines of a growing file, read in bounded chunks: however large the file or one of its
// lines, memory stays bounded. A line longer than `maxLineBytes` is not kept — only its size and
// its start, so it can be shown as "a line too long" — and reading goes on after it. Files are
// opened without following a symbolic link, and (on Linux) only when what was opened lies under
// `root`: a link swapped in after the folder was listed cannot make us read another file.
import { constants } from 'node:fs';
import { open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export type ReadLine =
  /** A whole line (without its newline); `end` is the byte offset after its newline. */
  | { kind: 'line'; text: string; end: number }
  /** A line over the limit: its size in bytes and its first characters. */
  | { kind: 'long'; bytes: number; head: string; end: number };

/** A long line whose newline has not been reached yet: where it started and how far it was read. */
export interface Skipping {
  start: number;
  head: string;
  scannedTo: number;
}

export interface ReadResult {
  lines: ReadLine[];
  /** The offset after the last whole line (where the next read of lines starts). */
  next: number;
  /** Set when a long line goes on past what was read: resume scanning at `scannedTo`. */
  skipping?: Skipping;
  /** The file's size when it was read. */
  size: number;
}

export interface ReadOptions {
  /** Read at most this many bytes in one call (default 16 MiB). */
  budgetBytes?: number;
  /** A line over this is kept only as its size (default 8 MiB). */
  maxLineBytes?: number;
  /** Stop at this offset (default: the end of the file). */
  to?: number;
  /** A long line that an earlier call did not finish. */
  skipping?: Skipping;
  /** Only read a file that lies under this folder (checked on Linux through /proc). */
  root?: string;
  chunkBytes?: number;
}

export class FileRefused extends Error {}

const HEAD_CHARS = 200;

async function openChecked(file: string, root: string | undefined): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new FileRefused(`${file} is a symbolic link now; not read`);
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) throw new FileRefused(`${file} is not a regular file; not read`);
    if (root && process.platform === 'linux') {
      const opened = await readlink(`/proc/self/fd/${handle.fd}`);
      const base = await realpath(root);
      if (opened !== base && !opened.startsWith(base + path.sep)) throw new FileRefused(`${file} leads out of ${root} (to ${opened}); not read`);
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The whole lines of `file` from byte `from` (see the file's comment). */
export async function readWholeLines(file: string, from: number, o: ReadOptions = {}): Promise<ReadResult> {
  const maxLine = o.maxLineBytes ?? 8 * 1024 * 1024;
  const chunk = Buffer.alloc(o.chunkBytes ?? 1024 * 1024);
  // A line up to the limit always fits in one call.
  const budget = Math.max(o.budgetBytes ?? 16 * 1024 * 1024, maxLine + chunk.length);
  const handle = await openChecked(file, o.root);
  try {
    const size = (await handle.stat()).size;
    const end = Math.min(o.to ?? size, size);
    let skipping = o.skipping;
    let pos = skipping ? skipping.scannedTo : from;
    const limit = Math.min(end, pos + budget);
    const lines: ReadLine[] = [];
    let next = skipping ? skipping.start : from;
    let lineStart = next;
    let carry: Buffer[] = [];
    let carried = 0;
    while (pos < limit) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, limit - pos), pos);
      if (bytesRead === 0) break;
      let i = 0;
      while (i < bytesRead) {
        const nl = chunk.indexOf(0x0a, i);
        if (nl < 0 || nl >= bytesRead) {
          if (!skipping) {
            carry.push(Buffer.from(chunk.subarray(i, bytesRead)));
            carried += bytesRead - i;
            if (carried > maxLine) {
              skipping = { start: lineStart, head: Buffer.concat(carry).subarray(0, HEAD_CHARS * 4).toString('utf8').slice(0, HEAD_CHARS), scannedTo: 0 };
              carry = [];
              carried = 0;
            }
          }
          break;
        }
        const lineEnd = pos + nl + 1;
        if (skipping) {
          lines.push({ kind: 'long', bytes: pos + nl - skipping.start, head: skipping.head, end: lineEnd });
          skipping = undefined;
        } else {
          const piece = chunk.subarray(i, nl);
          if (carried + piece.length > maxLine) {
            const head = Buffer.concat([...carry, piece]).subarray(0, HEAD_CHARS * 4).toString('utf8').slice(0, HEAD_CHARS);
            lines.push({ kind: 'long', bytes: carried + piece.length, head, end: lineEnd });
          } else {
            lines.push({ kind: 'line', text: Buffer.concat([...carry, piece]).toString('utf8').replace(/\r$/, ''), end: lineEnd });
          }
          carry = [];
          carried = 0;
        }
        next = lineEnd;
        lineStart = lineEnd;
        i = nl + 1;
      }
      pos += bytesRead;
    }
    return { lines, next, size, ...(skipping ? { skipping: { ...skipping, scannedTo: pos } } : {}) };
  } finally {
    await handle.close();
  }
}
