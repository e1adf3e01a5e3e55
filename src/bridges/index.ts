// The bridges' entry: what an agent's output means (types.ts), every agent and what it can do
// (registry.ts, from the definitions in agents/), a mapper for a format, and the format of an
// output when it was not given (from its first JSON lines).
export * from './types';
export type { AgentDefinition, FormatDefinition, HookAnswer, HookDefinition, HookEvent, HookPlace, HookScope, HookTrust, SessionFiles } from './agent';
export * from './registry';
