// `npm run bench [-- <suite>…] [--quick]`: runs the named suites (all when none), prints each
// figure as `<suite> <figure>: <value> <unit>`, then one Markdown table, and writes
// bench/results/latest.json. A benchmark, not a test: it never fails on a figure.
import { parseArgs } from 'node:util';
import { RESULTS_DIR, writeResults, type SuiteReport } from './support/report';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBenchStack, type BenchOptions } from './support/benchStack';
import { writeDocs } from './support/docs';
import { plotLatency, type LatencySamples } from './support/plot';
import { agentsBench } from './agentsBench';
import { controlBench } from './controlBench';
import { faultBench } from './faultBench';
import { hooksBench } from './hooksBench';
import { longBench } from './longBench';
import { payloadBench } from './payloadBench';
import { stackBench } from './stackBench';
import { startBench } from './startBench';
import { samples, streamBench } from './streamBench';
import { timelineBench } from './timelineBench';
import { viewersBench } from './viewersBench';
import { workerBench } from './workerBench';

// The timeline runs first: it measures a browser page, which the load the other suites leave behind
// (sockets closing, a gateway still draining) would slow down (a full run once measured 650 ms for
// a first paint that takes 65–110 ms on a quiet machine). Each suite records the load average.
const SUITES: Record<string, (options: BenchOptions) => Promise<SuiteReport>> = {
  timeline: timelineBench,
  stack: stackBench,
  worker: workerBench,
  stream: streamBench,
  agents: agentsBench,
  hooks: hooksBench,
  control: controlBench,
  long: longBench,
  faults: faultBench,
  payload: payloadBench,
  viewers: viewersBench,
  start: startBench,
};

/** The raw emit → callback latencies of the last stream run, for the plot. */
const SAMPLES = path.join(RESULTS_DIR, 'latency-samples.json');

async function docs(): Promise<void> {
  if (existsSync(SAMPLES)) {
    const png = path.resolve(__dirname, '../docs/latency.png');
    await plotLatency(JSON.parse(readFileSync(SAMPLES, 'utf8')) as LatencySamples[], png, 'emit → callback');
    process.stdout.write(`plot: ${png}\n`);
  }
  process.stdout.write(`docs: ${writeDocs().join(', ')}\n`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'docs-only': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    process.stdout.write(`Usage: npm run bench -- [${Object.keys(SUITES).join('|')}]… [--quick] [--docs-only]\n  A full run of every suite also regenerates docs/benchmarks.md, docs/reliability.md and docs/latency.png;\n  --docs-only regenerates the Markdown from bench/results/latest.json without measuring.\n`);
    return 0;
  }
  if (values['docs-only']) {
    await docs();
    return 0;
  }
  const unknown = positionals.filter((s) => !(s in SUITES));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}\n`);
    return 2;
  }
  // --quick leaves out the suites with stacks and a VS Code of their own (the fault matrix also runs
  // as `npm run test:faults`) and the million-event session unless they are named.
  const names = positionals.length > 0 ? positionals : Object.keys(SUITES).filter((n) => !values.quick || !['faults', 'payload', 'start', 'long'].includes(n));
  const reports: SuiteReport[] = [];
  const stack = await startBenchStack();
  try {
    for (const name of names) reports.push(await SUITES[name]!({ quick: values.quick, stack }));
  } finally {
    await stack.stop();
  }
  process.stdout.write(`\n${reports.map((r) => r.markdown()).join('\n')}\n`);
  process.stdout.write(`results: ${writeResults(reports, { quick: values.quick })}\n`);
  if (samples.length > 0) writeFileSync(SAMPLES, JSON.stringify(samples));
  // A full run of every suite also refreshes the docs (plot included) from these results.
  if (!values.quick && names.length === Object.keys(SUITES).length) await docs();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
