// `session-stream doctor` with the real CLIs on PATH: each found, with the version we test.
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCliToEnd } from '../support/cli';
import { agents, place, runner } from './support';

describe('doctor with the real agent CLIs', function () {
  this.timeout(60_000);

  it('finds each, at the version we test', async () => {
    const r = await runner();
    const p = place();
    const bin = path.dirname(agents().claude.bin);
    const result = await runCliToEnd(['doctor', '--json'], r.env(p, { PATH: `${bin}:${process.env.PATH}` }));
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const report = JSON.parse(result.stdout) as { agents: Array<{ what: string; level: string; detail: string }> };
    for (const [i, agent] of (['claude', 'codex', 'gemini'] as const).entries()) {
      assert.equal(report.agents[i]!.level, 'ok', report.agents[i]!.detail);
      assert.ok(report.agents[i]!.detail.startsWith(`${agents()[agent].version} at `), report.agents[i]!.detail);
    }
  });
});
