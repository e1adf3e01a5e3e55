// Reading the spool the hook script writes (hookScript.ts): which records are there, in the order
// they were written, and whether each is whole. A record is `v1 AGENT EVENT PPID`, a newline, the
// event's JSON as the agent gave it, and the end mark (SPOOL_END). Its name holds the hook's
// process id: `p<pid>-<i>` (`<time>-<pid>` from scripts before the end mark, renamed in whole),
// with `-gave-up` for the record a permission request leaves when nobody answered it.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isAgentKind, type AgentKind } from '../../bridges';
import { SPOOL_END } from './hookScript';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const NAME = /^(?:p(\d+)-\d+|\d+-(\d+))(-gave-up)?$/;

export interface SpoolRecord {
  /** The request's id (the file name without `-gave-up`). */
  name: string;
  agent: AgentKind;
  event: string;
  /** The hook's parent: the agent, or the shell it ran the hook with. */
  ppid: number;
  /** The hook's own process. */
  hookPid: number;
  payload: Record<string, unknown>;
}

export type SpoolRead = { kind: 'record'; record: SpoolRecord } | { kind: 'unreadable'; why: string } | { kind: 'partial' };

/** The spool's record names, oldest first (by the time each was written). */
export async function spoolNames(dir: string): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => NAME.test(n));
  const timed = await Promise.all(names.map(async (name) => ({ name, at: (await stat(path.join(dir, name), { bigint: true }).catch(() => undefined))?.mtimeNs })));
  return timed
    .filter((t): t is { name: string; at: bigint } => t.at !== undefined)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((t) => t.name);
}

/**
 * One record. `partial` while its hook still writes it; a record without its end mark whose hook
 * is gone (killed mid-write) is taken when what is there parses, else it is unreadable.
 */
export async function readSpoolRecord(dir: string, name: string, alive: (pid: number) => boolean): Promise<SpoolRead> {
  const m = NAME.exec(name);
  if (!m) return { kind: 'unreadable', why: 'not a spool record' };
  const hookPid = Number(m[1] ?? m[2]);
  let text = await readFile(path.join(dir, name), 'utf8');
  if (text.endsWith(SPOOL_END)) text = text.slice(0, -SPOOL_END.length);
  else if (m[1] !== undefined && alive(hookPid)) return { kind: 'partial' };
  const nl = text.indexOf('\n');
  const [version, agent, event, ppid] = (nl < 0 ? text : text.slice(0, nl)).split(' ');
  let payload: unknown;
  try {
    payload = JSON.parse(text.slice(nl + 1));
  } catch {
    payload = undefined;
  }
  if (version !== 'v1' || !agent || !isAgentKind(agent) || !event || !isObject(payload)) return { kind: 'unreadable', why: `not a hook event we can read (from ${agent ?? 'an unknown agent'})` };
  return { kind: 'record', record: { name: name.replace(/-gave-up$/, ''), agent, event, ppid: Number(ppid) || 0, hookPid, payload } };
}
