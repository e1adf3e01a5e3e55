// Every agent we know, and what the rest of the product asks of them. Adding an agent: its file
// under agents/ (see agent.ts) and one line in AGENTS.
import { isObject, str, UnknownFormatMapper } from './base';
import type { AgentDefinition, FormatDefinition } from './agent';
import { claude } from './agents/claude';
import { codex } from './agents/codex';
import { gemini } from './agents/gemini';
import type { AgentMapper } from './types';

export const AGENTS = [claude, codex, gemini] as const;

type Known = (typeof AGENTS)[number];
/** Our id of an agent (also its sessions' `source`). */
export type AgentKind = Known['kind'];
/** Every output format of every agent. */
export type AgentFormat = Known['formats'][number]['name'];
/** The formats of session files (`watch`). */
export type SessionFileFormat = NonNullable<Known['sessionFiles']>['format'];

const FORMATS: ReadonlyArray<FormatDefinition & { agent: AgentDefinition }> = AGENTS.flatMap((agent) => agent.formats.map((f) => ({ ...f, agent }))).sort((a, b) => a.detectRank - b.detectRank);

export const AGENT_FORMATS = FORMATS.map((f) => f.name) as readonly AgentFormat[];

export function isAgentFormat(value: string): value is AgentFormat {
  return (AGENT_FORMATS as readonly string[]).includes(value);
}

export function isAgentKind(value: string): value is AgentKind {
  return AGENTS.some((a) => a.kind === value);
}

export function agentOf(kind: AgentKind): AgentDefinition<AgentKind, AgentFormat> {
  return AGENTS.find((a) => a.kind === kind)! as AgentDefinition<AgentKind, AgentFormat>;
}

/** The agent a format belongs to. */
export function agentOfFormat(format: AgentFormat): AgentDefinition<AgentKind, AgentFormat> {
  return FORMATS.find((f) => f.name === format)!.agent as AgentDefinition<AgentKind, AgentFormat>;
}

/** The agent a command's name tells (`codex`, `claude`, `gemini`), if any. */
export function agentOfCommand(name: string): AgentDefinition<AgentKind, AgentFormat> | undefined {
  return AGENTS.find((a) => a.command === name) as AgentDefinition<AgentKind, AgentFormat> | undefined;
}

/** Agents that keep session files, with where. */
export function sessionFileAgents(): Array<AgentDefinition<AgentKind, AgentFormat> & { sessionFiles: NonNullable<AgentDefinition['sessionFiles']> }> {
  return AGENTS.filter((a) => a.sessionFiles) as never;
}

/** What people call a session's source ("Codex", "Claude Code", …; "demo", "agent"). */
export function sourceLabel(source: string | null | undefined): string | undefined {
  if (!source) return undefined;
  if (source === 'demo') return 'demo';
  if (source === 'other') return 'agent';
  return AGENTS.find((a) => a.kind === source)?.label;
}

export function createMapper(format: AgentFormat | undefined, options: { cwd?: string } = {}): AgentMapper {
  if (format === undefined) return new UnknownFormatMapper();
  return FORMATS.find((f) => f.name === format)!.createMapper(options);
}

/** The format one line shows, or undefined when it does not tell (not JSON, or shared by several). */
export function detectFormat(line: string): AgentFormat | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(json)) return undefined;
  const type = str(json.type) ?? '';
  return FORMATS.find((f) => f.detect(json, type))?.name as AgentFormat | undefined;
}
