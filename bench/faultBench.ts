// `npm run bench -- faults`: the fault matrix of test/faults/ with the product's reconnect policy
// (1 s doubling to 30 s, 10 attempts) and 5 s outages (2 s with --quick), ours beside the naive
// RealtimeService. It runs its own in-process local stack: restarting the gateway and PostgreSQL
// needs the stack's handles, which the shared bench stack (a separate process) does not expose.
import { startStack } from '@agent-session-stream/local-supabase';
import { faultTable, runFaultMatrix } from '../test/faults/matrix';
import type { BenchOptions } from './support/benchStack';
import { SuiteReport } from './support/report';

export async function faultBench(options: Pick<BenchOptions, 'quick'>): Promise<SuiteReport> {
  const report = new SuiteReport('faults');
  const stack = await startStack({ port: 0, logLevel: 'error' });
  try {
    const outageMs = options.quick ? 2000 : 5000;
    const rows = await runFaultMatrix({ stack, outageMs });
    const ours = rows.filter((r) => r.client.startsWith('ours'));
    const naive = rows.filter((r) => r.client.startsWith('naive'));
    const sum = (xs: typeof rows, k: 'lost' | 'duplicated' | 'outOfOrder' | 'expected') => xs.reduce((a, r) => a + r[k], 0);
    report.add('ours lost', sum(ours, 'lost'), 'events', `of ${sum(ours, 'expected')} over ${ours.length} rows`);
    report.add('ours duplicated', sum(ours, 'duplicated'), 'events');
    report.add('ours out of order', sum(ours, 'outOfOrder'), 'events');
    report.add('naive lost', sum(naive, 'lost'), 'events', `of ${sum(naive, 'expected')} over ${naive.length} rows`);
    report.add('ours worst recovery', Math.max(...ours.map((r) => r.recoverMs ?? Number.NaN)), 'ms', `fault end → backlog delivered, ${outageMs / 1000} s outages`);
    report.table(`fault matrix (${outageMs / 1000} s outages, product reconnect policy)`, faultTable(rows), rows);
  } finally {
    await stack.stop();
  }
  return report;
}
