// The agent versions the agents tier runs for real (test/agents/install/package.json pins the same;
// a unit test keeps the two equal), and what `run`, `watch` and `doctor` say about a version they
// see. A version that is not here still works as far as its output format allows.
import { AGENTS, type AgentKind } from './registry';

export type { AgentKind } from './registry';

/** The full product name of each agent ("Codex CLI"). */
export const AGENT_LABELS = Object.fromEntries(AGENTS.map((a) => [a.kind, a.productName])) as Record<AgentKind, string>;

/** The npm package each agent ships as. */
export const AGENT_PACKAGES = Object.fromEntries(AGENTS.map((a) => [a.kind, a.npmPackage])) as Record<AgentKind, string>;

/** Versions tested here against the real CLIs (docs/agent-bridges.md, "Supported versions"); each agent's file in agents/ names them. */
export const TESTED_VERSIONS = Object.fromEntries(AGENTS.map((a) => [a.kind, a.testedVersions])) as Record<AgentKind, readonly string[]>;

/** The semver in what an agent prints about itself ("2.1.197 (Claude Code)", "codex-cli 0.171.0"). */
export function versionIn(text: string | undefined): string | undefined {
  return /\b(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\b/.exec(text ?? '')?.[1];
}

export function isTested(agent: AgentKind, version: string): boolean {
  return TESTED_VERSIONS[agent].includes(version);
}

/** One line about the version seen: tested, or not (and what that means). */
export function versionNote(agent: AgentKind, version: string | undefined): string {
  const label = AGENT_LABELS[agent];
  if (!version) return `${label} (its version could not be told); followed as far as its output format allows.`;
  if (isTested(agent, version)) return `${label} ${version}: a version we test.`;
  return `${label} ${version}: not a version we test (we test ${TESTED_VERSIONS[agent].join(', ')}); followed as far as its output format allows — tell us what looks wrong.`;
}
