// Benchmark output: every figure on a line of its own (`<suite> <figure>: <value> <unit>`, names
// kept stable, docs/architecture.md), a Markdown table per suite, and bench/results/latest.json with the
// machine facts. Figures are measurements of this run; ratios are against a baseline measured in
// the same run, never against numbers written down somewhere.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export const RESULTS_DIR = path.resolve(__dirname, '../results');

export class SuiteReport {
  readonly figures: Figure[] = [];
  /** Rows that are a table rather than figures (the fault matrix), kept as they are. */
  readonly tables: Array<{ title: string; markdown: string; rows: unknown[] }> = [];
  /** The machine as the suite starts (its load average says how quiet it was). */
  readonly machine = machineFacts();
  constructor(readonly suite: string) {}

  table(title: string, markdown: string, rows: unknown[]): void {
    this.tables.push({ title, markdown, rows });
    process.stdout.write(`${this.suite} ${title}:\n${markdown}\n`);
  }

  add(name: string, value: number, unit: string, note?: string): void {
    const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
    this.figures.push({ name, value: rounded, unit, note });
    process.stdout.write(`${this.suite} ${name}: ${rounded}${unit ? ` ${unit}` : ''}${note ? `  (${note})` : ''}\n`);
  }

  markdown(): string {
    const rows = this.figures.map((f) => `| ${f.name} | ${f.value} | ${f.unit} | ${f.note ?? ''} |`);
    const tables = this.tables.flatMap((t) => [`#### ${t.title}`, '', t.markdown, '']);
    return [`### ${this.suite}`, '', ...(rows.length ? ['| figure | value | unit | note |', '|---|---:|---|---|', ...rows, ''] : []), ...tables].join('\n');
  }
}

export function machineFacts(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout: leave it unknown.
  }
  return { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg1m: Math.round(os.loadavg()[0]! * 100) / 100, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}`, commit, at: new Date().toISOString() };
}

/** Merges this run's suites into bench/results/latest.json (other suites' last results are kept). */
export function writeResults(reports: SuiteReport[], options: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, 'latest.json');
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { suites?: Record<string, unknown> }) : {};
  const suites = { ...(previous.suites ?? {}) } as Record<string, unknown>;
  for (const r of reports) suites[r.suite] = { machine: r.machine, options, figures: r.figures, tables: r.tables.map(({ title, rows }) => ({ title, rows })) };
  writeFileSync(file, `${JSON.stringify({ machine: machineFacts(), suites }, null, 2)}\n`);
  return file;
}
