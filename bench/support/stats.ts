import { readFile } from 'node:fs/promises';

/** Nearest-rank percentile of unsorted samples (0 when empty). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(samples: readonly number[]): { p50: number; p95: number; p99: number; max: number; n: number } {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99), max: percentile(samples, 100), n: samples.length };
}

/** Milliseconds on a monotonic clock, comparable across callbacks of one process. */
export const now = (): number => performance.now();

/**
 * Calls `send(i)` `count` times at `perSecond`, on schedule (a late tick catches up instead of
 * drifting); resolves when every send has settled.
 */
export async function paced(perSecond: number, count: number, send: (i: number) => Promise<unknown>): Promise<void> {
  const start = now();
  const inFlight: Array<Promise<unknown>> = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds (user + system) a process has used so far (Linux /proc). */
export async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
