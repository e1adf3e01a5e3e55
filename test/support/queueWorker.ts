// A worker process for the fault matrix's "worker killed mid-queue": emits `count` thinking events
// (iterations from `first`) into a session through SessionLifecycleManager with a journal, prints
// "emitted" once they are all queued, and waits to be killed. Run with `node --import tsx`.
import { createSupabaseClient } from '../../src/core/supabaseClient';
import { Journal } from '../../src/worker/journal';
import { SessionLifecycleManager } from '../../src/worker/sessionLifecycleManager';

const [url, key, session, journalDir, first, count] = process.argv.slice(2);
const manager = new SessionLifecycleManager(createSupabaseClient(url!, key!), { journal: new Journal(journalDir!), retryInitialMs: 100, requestTimeoutMs: 2000 });
void (async () => {
  for (let i = 0; i < Number(count); i++) await manager.emitEvent(session!, 'thinking', { iteration: Number(first) + i });
  process.stdout.write('emitted\n');
  setInterval(() => undefined, 1000);
})();
