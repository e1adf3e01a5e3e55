// The collector a hook starts has to outlive whatever installed the hooks. Installed from VS Code,
// the command line ships inside the extension, whose folder changes with every update
// (…/extensions/<publisher>.<name>-<version>/dist/cli.js): a hook naming it would start nothing
// after the next update. So the extension places a copy of its bundled command line in the hooks
// folder (collector/cli.js, one self-contained file) and names that copy in the hook script; each
// start of the extension puts its own newer bundle there (compared by content, written whole, then
// renamed, so a hook starting the collector at that moment reads the old file or the new one).
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';

/** Where the copy lives in the hooks folder. */
export function collectorCopyPath(dir: string): string {
  return path.join(dir, 'collector', 'cli.js');
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Puts `bundled` (the command line of this install) at the copy's place unless the same bytes are
 * there already; returns the copy's path and whether it was written.
 */
export function placeCollectorCopy(dir: string, bundled: string): { file: string; changed: boolean } {
  const file = collectorCopyPath(dir);
  if (!existsSync(bundled)) throw new Error(`The command line to copy is missing (${bundled}): reinstall the extension.`);
  if (existsSync(file) && digest(file) === digest(bundled)) return { file, changed: false };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  copyFileSync(bundled, tmp);
  renameSync(tmp, file);
  return { file, changed: true };
}
