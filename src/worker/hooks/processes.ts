// Which process a hook's agent is, and whether a process still runs: how the collector knows that a
// hooked agent has ended (its session ends with it) and that a waiting hook is gone.
import { existsSync, readFileSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'busybox', 'env', 'timeout']);

/**
 * The agent's process from the hook's parent: the first ancestor that is not a shell (agents run
 * hooks through `sh -c` or `bash -c`). Linux only (/proc); elsewhere the session ends with its
 * SessionEnd hook, or when idle.
 */
export function agentProcess(ppid: number): number | undefined {
  let pid = ppid;
  for (let depth = 0; pid > 1 && depth < 4; depth++) {
    const stat = procStat(pid);
    if (!stat) return undefined;
    if (!SHELLS.has(stat.comm)) return pid;
    pid = stat.ppid;
  }
  return undefined;
}

function procStat(pid: number): { comm: string; ppid: number } | undefined {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  try {
    const text = readFileSync(file, 'utf8');
    // pid (comm) state ppid …; comm may hold spaces and parentheses.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const ppid = Number(text.slice(close + 2).split(' ')[1]);
    return { comm, ppid };
  } catch {
    return undefined;
  }
}
