// `npm test`: every tier in order (lint, types, build, unit, integration, …), then ONE closing line
// "N passed, N failed" over all mocha tiers. Exits non-zero when any step fails.
// Usage: npm test [-- tier ...]   e.g. `npm test -- unit` runs only the unit tier.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const bin = (name) => path.resolve('node_modules', '.bin', name);

const steps = [
  { name: 'lint', cmd: [bin('eslint'), '.'] },
  { name: 'typecheck', cmd: [bin('tsc'), '-p', '.', '--noEmit'], also: [[bin('tsc'), '-p', 'webview', '--noEmit'], [bin('tsc'), '-p', 'packages/local-supabase', '--noEmit']] },
  { name: 'build', cmd: ['node', 'esbuild.js'] },
  { name: 'unit', mocha: 'test/unit/.mocharc.json' },
  { name: 'webview', mocha: 'test/webview/.mocharc.json' },
  // The local stack's own tests (packages/local-supabase): its protocols with unmodified supabase-js.
  { name: 'stack', mocha: 'test/.mocharc.json', cwd: 'packages/local-supabase' },
  { name: 'integration', mocha: 'test/integration/.mocharc.json' },
  // The faults, ours vs a naive baseline; ours must lose, duplicate and reorder nothing.
  { name: 'faults', mocha: 'test/faults/.mocharc.json' },
  // The real agent CLIs (Claude Code, Codex CLI, Gemini CLI at pinned versions, installed once into
  // .session-stream/agents/) driven by a scripted model, through the stack and the command line.
  { name: 'agents', mocha: 'test/agents/.mocharc.json' },
  // A real VS Code (code-server from npm, installed once into .session-stream/) with the extension.
  { name: 'extension', script: [bin('tsx'), 'scripts/testExtension.ts'] },
  // The same VS Code driven through its UI by Playwright in Chromium, as a user would.
  { name: 'e2e', mocha: 'test/e2e/.mocharc.json' },
];

const only = process.argv.slice(2);
const selected = only.length ? steps.filter((s) => only.includes(s.name)) : steps;
if (only.length && selected.length !== only.length) {
  console.error(`Unknown tier in ${only.join(' ')}; tiers: ${steps.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

const statsDir = mkdtempSync(path.join(os.tmpdir(), 'session-stream-test-'));
const totals = { passes: 0, failures: 0, pending: 0 };
const rows = [];
let failed = false;

function run(cmd, env = {}, cwd = undefined) {
  const result = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', cwd, env: { ...process.env, ...env } });
  return result.status === 0;
}

for (const step of selected) {
  const started = Date.now();
  console.log(`\n━━ ${step.name} ━━`);
  let ok;
  if (step.mocha || step.script) {
    const statsFile = path.join(statsDir, `${step.name}.json`);
    // Every mocha tier reports through the same reporter, which writes the stats file.
    const mocha = [bin('mocha'), '--config', step.mocha, '--reporter', path.resolve('test/support/summaryReporter.cjs')];
    ok = run(step.script ?? mocha, { SESSION_STREAM_TEST_STATS: statsFile }, step.cwd);
    if (existsSync(statsFile)) {
      const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
      totals.passes += stats.passes;
      totals.failures += stats.failures;
      totals.pending += stats.pending;
      rows.push(`${step.name}: ${stats.passes} passed, ${stats.failures} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } else {
      totals.failures += 1;
      rows.push(`${step.name}: crashed before reporting (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      ok = false;
    }
  } else {
    ok = run(step.cmd) && (step.also ?? []).every((cmd) => run(cmd));
    rows.push(`${step.name}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (!ok) totals.failures += 1;
  }
  if (!ok) failed = true;
}
rmSync(statsDir, { recursive: true, force: true });

console.log('\n━━ summary ━━');
for (const row of rows) console.log(row);
if (totals.pending > 0) {
  console.log(`${totals.pending} pending test(s): skipped tests are not allowed.`);
  failed = true;
}
console.log(`${totals.passes} passed, ${totals.failures} failed`);
process.exit(failed ? 1 : 0);
