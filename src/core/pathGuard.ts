// Where may a FILE_CHANGE path from an event lead? Only to a file inside the workspace folder the
// session is bound to. Event data comes from the database, so it is untrusted input: absolute
// paths, `..` escapes (with either slash), drive letters, UNC paths, NUL bytes and symlinks that
// point out of the folder are refused with a reason, never opened.
import { realpath } from 'node:fs/promises';
import path from 'node:path';

export type GuardResult =
  | { ok: true; absolute: string; relative: string; exists: boolean }
  | { ok: false; reason: string };

const MAX_PATH = 4096;

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  // `..` or `../x` climbs out; a name that merely starts with two dots (`..env`) does not.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The deepest existing ancestor's real path, joined with the rest (for files not written yet). */
async function realOrNearest(target: string): Promise<{ real: string; exists: boolean }> {
  const rest: string[] = [];
  let current = target;
  for (;;) {
    try {
      const real = await realpath(current);
      return { real: path.join(real, ...rest.reverse()), exists: rest.length === 0 };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
      const parent = path.dirname(current);
      if (parent === current) return { real: target, exists: false };
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

export async function resolveInWorkspace(root: string, candidate: unknown): Promise<GuardResult> {
  if (typeof candidate !== 'string' || candidate.trim() === '') return { ok: false, reason: 'the path is empty' };
  if (candidate.length > MAX_PATH) return { ok: false, reason: `the path is ${candidate.length} characters long (limit ${MAX_PATH})` };
  if (candidate.includes('\u0000')) return { ok: false, reason: 'the path contains a NUL byte' };
  // Windows-style separators count as separators everywhere: `..\\..\\x` must not slip through.
  const normalized = candidate.replace(/\\/g, '/');
  if (normalized.startsWith('/') || /^[a-zA-Z]:/.test(normalized) || normalized.startsWith('//')) {
    return { ok: false, reason: 'absolute paths are not accepted; events must name files relative to the workspace folder' };
  }
  if (normalized.split('/').includes('..')) return { ok: false, reason: 'the path climbs out with ".."' };
  const rootReal = await realpath(root);
  const lexical = path.resolve(rootReal, normalized);
  if (!inside(rootReal, lexical)) return { ok: false, reason: 'the path leads outside the workspace folder' };
  const { real, exists } = await realOrNearest(lexical);
  if (!inside(rootReal, real)) return { ok: false, reason: 'the path goes through a symbolic link that leads outside the workspace folder' };
  // The real path is what gets opened: a link swapped in after this check is not followed.
  return { ok: true, absolute: real, relative: path.relative(rootReal, lexical), exists };
}
