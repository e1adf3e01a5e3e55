// Waiting in tests: a plain sleep, and `until`, which polls a probe (sync or async) until it gives a
// truthy value and returns it, or fails naming what it waited for. Tests never assert on how long
// something took; the timeout only bounds a test that would otherwise hang.

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function until<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000, intervalMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
