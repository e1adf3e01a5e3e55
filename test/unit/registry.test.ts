// The agent registry (src/bridges/registry.ts): each agent is defined once, whole and consistent,
// and everything the product asks of an agent comes from its definition.
import assert from 'node:assert/strict';
import { AGENT_FORMATS, AGENTS, agentOfCommand, agentOfFormat, createMapper, detectFormat, sourceLabel } from '../../src/bridges';
import { AGENT_LABELS, AGENT_PACKAGES, TESTED_VERSIONS } from '../../src/bridges/versions';

describe('the agent registry', () => {
  it('each agent, and each format, is defined once; detection asks formats in one order', () => {
    assert.equal(new Set(AGENTS.map((a) => a.kind)).size, AGENTS.length);
    assert.equal(new Set(AGENTS.map((a) => a.command)).size, AGENTS.length);
    assert.equal(new Set(AGENT_FORMATS).size, AGENT_FORMATS.length);
    const ranks = AGENTS.flatMap((a) => a.formats.map((f) => f.detectRank));
    assert.equal(new Set(ranks).size, ranks.length, 'two formats with the same detectRank would be asked in an arbitrary order');
  });

  it("an agent's run format is one of its streams, its session files one of its file formats", () => {
    for (const agent of AGENTS) {
      assert.equal(agent.formats.find((f) => f.name === agent.runFormat)?.kind, 'stream', agent.kind);
      if (agent.sessionFiles) assert.equal(agent.formats.find((f) => f.name === agent.sessionFiles!.format)?.kind, 'file', agent.kind);
    }
  });

  it('a format maps with its own mapper, and belongs to its agent', () => {
    for (const agent of AGENTS) {
      for (const format of agent.formats) {
        assert.equal(createMapper(format.name).format, format.name);
        assert.equal(agentOfFormat(format.name).kind, agent.kind);
      }
    }
    assert.equal(createMapper(undefined).format, 'unknown');
  });

  it('names, packages, versions and commands come from the definitions', () => {
    for (const agent of AGENTS) {
      assert.equal(sourceLabel(agent.kind), agent.label);
      assert.equal(AGENT_LABELS[agent.kind], agent.productName);
      assert.equal(AGENT_PACKAGES[agent.kind], agent.npmPackage);
      assert.deepEqual(TESTED_VERSIONS[agent.kind], agent.testedVersions);
      assert.equal(agentOfCommand(agent.command), agent);
      assert.ok(agent.testedVersions.length > 0 && agent.icon.length > 0);
      const argv = agent.run.commandFor('fix the "test"');
      assert.equal(argv[0], agent.command);
      assert.ok(argv.includes('fix the "test"'), 'the task is one argument, never parsed by a shell');
      assert.equal(agent.run.outputAdvice(argv.join(' ')), undefined, `${agent.kind}: Run Agent's own command prints a stream we read`);
    }
    assert.equal(sourceLabel('demo'), 'demo');
    assert.equal(sourceLabel('other'), 'agent');
    assert.equal(sourceLabel('someday'), undefined);
    assert.equal(agentOfCommand('vim'), undefined);
  });

  it('detection: a line of no known format, or not JSON, tells nothing', () => {
    for (const line of ['', 'plain text', '[]', '42', '{"type":"something-else"}']) assert.equal(detectFormat(line), undefined);
  });
});
