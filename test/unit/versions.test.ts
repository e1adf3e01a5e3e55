import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AGENT_PACKAGES, isTested, TESTED_VERSIONS, versionIn, versionNote } from '../../src/bridges/versions';

describe('the agent versions we test', () => {
  it('are the versions the agents tier installs (test/agents/install/package.json)', () => {
    const pinned = (JSON.parse(readFileSync(path.resolve(__dirname, '../agents/install/package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    for (const agent of ['claude', 'codex', 'gemini'] as const) assert.ok(TESTED_VERSIONS[agent].includes(pinned[AGENT_PACKAGES[agent]]!), `${agent}: ${pinned[AGENT_PACKAGES[agent]]} is tested`);
  });

  it('reads a version from what each CLI prints, and says whether it is tested', () => {
    assert.equal(versionIn('2.1.197 (Claude Code)'), '2.1.197');
    assert.equal(versionIn('codex-cli 0.171.0'), '0.171.0');
    assert.equal(versionIn('0.61.0\n'), '0.61.0');
    assert.equal(versionIn('no version'), undefined);
    assert.equal(isTested('codex', '0.171.0'), true);
    assert.equal(versionNote('gemini', '0.61.0'), 'Gemini CLI 0.61.0: a version we test.');
    assert.match(versionNote('codex', '0.200.1'), /^Codex CLI 0\.200\.1: not a version we test \(we test 0\.171\.0\); followed as far as its output format allows/);
  });
});
