// `npm run test:faults` (and the `faults` tier of `npm test`): the fault matrix in a bounded form —
// 2 s outages, a shortened reconnect policy — against an in-process local stack (the gateway and
// PostgreSQL restarts need its handles). Ours must show 0 lost, 0 duplicated, 0 out of order in
// every row; the baseline's rows are printed beside them and written to test-results/faults.md.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from '@agent-session-stream/local-supabase';
import { faultTable, FAULTS, runFaultMatrix, type FaultRow } from './matrix';

describe('fault matrix: ours vs the naive RealtimeService, same session, same faults', function () {
  this.timeout(300_000);
  let stack: Stack;
  const rows: FaultRow[] = [];
  before(async () => {
    stack = await startStack({ port: 0, logLevel: (process.env.SESSION_STREAM_LOG as 'error' | undefined) ?? 'error' });
  });
  after(async () => {
    await stack?.stop();
    const out = path.resolve(__dirname, '../../test-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'faults.md'), `${faultTable(rows)}\n`);
    process.stdout.write(`\n${faultTable(rows)}\n`);
  });

  for (const fault of FAULTS) {
    it(`${fault.name}: every event exactly once, in order (${fault.does})`, async () => {
      const got = await runFaultMatrix({ stack, outageMs: 2000, faults: [fault], policy: { initialMs: 250, maxMs: 2000, maxAttempts: 10 } });
      rows.push(...got);
      for (const r of got.filter((x) => x.client.startsWith('ours'))) {
        assert.deepEqual({ client: r.client, lost: r.lost, duplicated: r.duplicated, outOfOrder: r.outOfOrder, received: r.received }, { client: r.client, lost: 0, duplicated: 0, outOfOrder: 0, received: r.expected }, `${fault.name}: ${JSON.stringify(r)}`);
      }
    });
  }
});
