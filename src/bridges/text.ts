// Small text helpers of the bridges: the command as the user would type it, paths relative to the
// agent's working directory, and unified diffs (jsdiff) with their +/− counts.
import path from 'node:path';
import { createPatch } from 'diff';
import { parse as parseShell } from 'shell-quote';

const SHELLS = /^(?:\/usr\/bin\/|\/bin\/|\/usr\/local\/bin\/)?(?:ba|z|da|k)?sh$/;

/** `bash -lc 'npm test'` → `npm test`; anything else as it is. Accepts Codex's older argv arrays. */
export function unwrapShell(command: unknown): string {
  const argv = Array.isArray(command) ? command.map(String) : typeof command === 'string' ? parseShell(command) : [];
  if (argv.length === 3 && typeof argv[0] === 'string' && SHELLS.test(argv[0]) && (argv[1] === '-lc' || argv[1] === '-c') && typeof argv[2] === 'string') return argv[2];
  return Array.isArray(command) ? command.map(String).join(' ') : typeof command === 'string' ? command : String(command ?? '');
}

/** `file` relative to `cwd` when it lies inside it (POSIX or Windows paths); otherwise as given. */
export function relativeTo(cwd: string | undefined, file: string): string {
  if (!cwd) return file;
  const p = /^[A-Za-z]:[\\/]/.test(file) || /^[A-Za-z]:[\\/]/.test(cwd) ? path.win32 : path.posix;
  if (!p.isAbsolute(file)) return file;
  const relative = p.relative(cwd, file);
  return relative && !relative.startsWith('..') && !p.isAbsolute(relative) ? relative.split(p.sep).join('/') : file;
}

export interface DiffInfo {
  diff: string;
  additions: number;
  deletions: number;
}

/** +/− line counts of a unified diff (headers not counted). */
export function countDiff(diff: string): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+')) additions++;
    else if (line.startsWith('-')) deletions++;
  }
  return { additions, deletions };
}

/** A unified diff of `before` → `after` (for an edit given as old and new text). */
export function diffOfStrings(file: string, before: string, after: string): DiffInfo {
  const patch = createPatch(file, before, after, '', '', { context: 3 });
  const diff = patch.slice(patch.indexOf('---')).replace(/^--- .*$/m, `--- ${side('a', file)}`).replace(/^\+\+\+ .*$/m, `+++ ${side('b', file)}`);
  return { diff, ...countDiff(diff) };
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

/** A unified diff from structured hunks (Claude Code's `structuredPatch`). */
export function diffOfHunks(file: string, hunks: readonly Hunk[], created = false): DiffInfo {
  const body = hunks.map((h) => `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@\n${h.lines.join('\n')}`).join('\n');
  const diff = `--- ${created ? '/dev/null' : side('a', file)}\n+++ ${side('b', file)}\n${body}\n`;
  return { diff, ...countDiff(diff) };
}

/** `a/src/x.ts` for a relative path, an absolute path as it is (git's diff header convention). */
function side(prefix: 'a' | 'b', file: string): string {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) ? file : `${prefix}/${file}`;
}

/** First line, at most `max` characters. */
export function headline(text: string, max = 120): string {
  const first = text.trim().split('\n')[0] ?? '';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
