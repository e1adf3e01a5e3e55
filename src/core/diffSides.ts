// The two sides of a change, rebuilt from the unified diff an event carries, for VS Code's diff
// editor: only what the diff shows (its hunks with their context), with a marker line where the
// diff leaves lines out. Works when the agent ran on another machine: nothing is read from disk.
import { parsePatch } from 'diff';

export interface DiffSides {
  before: string;
  after: string;
  /** The file as the diff names it (its new name). */
  path: string | undefined;
}

export function sidesOfDiff(diff: string): DiffSides {
  const [patch] = parsePatch(diff);
  const before: string[] = [];
  const after: string[] = [];
  let oldNext = 1;
  let newNext = 1;
  for (const hunk of patch?.hunks ?? []) {
    if (hunk.oldStart > oldNext) before.push(gap(oldNext, hunk.oldStart - 1));
    if (hunk.newStart > newNext) after.push(gap(newNext, hunk.newStart - 1));
    for (const line of hunk.lines) {
      const text = line.slice(1);
      if (line.startsWith('-')) before.push(text);
      else if (line.startsWith('+')) after.push(text);
      else if (line.startsWith(' ')) {
        before.push(text);
        after.push(text);
      }
    }
    oldNext = hunk.oldStart + hunk.oldLines;
    newNext = hunk.newStart + hunk.newLines;
  }
  const name = patch?.newFileName && patch.newFileName !== '/dev/null' ? patch.newFileName : patch?.oldFileName;
  return { before: before.join('\n'), after: after.join('\n'), path: name?.replace(/^[ab]\//, '') };
}

function gap(from: number, to: number): string {
  return from === to ? `⋯ line ${from} is not in the change` : `⋯ lines ${from}–${to} are not in the change`;
}
