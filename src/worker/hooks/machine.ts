// What is hooked on this machine, in one place for `session-stream hooks status` and VS Code's
// Agents view: for each agent its settings file, our events in it and whether its CLI is here;
// the collector (running or not, events waiting in the spool, whether the command the hook starts
// it with still exists) and its log's last lines.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AGENTS, type AgentKind, type HookPlace, type HookScope } from '../../bridges';
import { whichCommand } from '../agentVersion';
import { HOOK_FILES } from './hookScript';
import { hookStatus, readCollectorConfig, type AgentHookState } from './install';
import { isAlive } from './processes';

/** The agents that can be hooked. */
export const HOOKED_AGENTS: readonly AgentKind[] = AGENTS.filter((a) => a.hooks).map((a) => a.kind);

export interface MachineHookStatus {
  agents: Array<AgentHookState & { /** The agent's CLI on PATH, when it is installed. */ bin?: string }>;
  collector: {
    pid?: number;
    running: boolean;
    /** Events the hooks handed over that are not stored yet. */
    spooled: number;
    logFile: string;
    /** The last lines of its log. */
    lastLog: string[];
  };
  /** What stops sessions from streaming, each with what to do (the sign-in is the caller's to check). */
  problems: string[];
}

export function readCollectorPid(dir: string): number | undefined {
  const file = path.join(dir, HOOK_FILES.pid);
  const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function machineHookStatus(place: HookPlace & { scope: HookScope; agents: readonly AgentKind[]; dir: string }, again: string): MachineHookStatus {
  const agents = hookStatus(place).map((s) => ({ ...s, bin: whichCommand(AGENTS.find((a) => a.kind === s.agent)!.command, place.env as NodeJS.ProcessEnv) }));
  const problems: string[] = [];
  if (agents.some((s) => s.events.length > 0)) {
    const tilde = (f: string) => f.replace(place.home, '~');
    const script = path.join(place.dir, HOOK_FILES.script);
    const config = readCollectorConfig(place.dir);
    if (!existsSync(script)) problems.push(`the hook script ${tilde(script)} is missing: ${again}`);
    if (!config) problems.push(`the collector's settings (${tilde(path.join(place.dir, HOOK_FILES.config))}) are missing: ${again}`);
    const gone = config?.collector?.slice(0, 2).find((part) => path.isAbsolute(part) && !existsSync(part));
    if (gone) problems.push(`the collector cannot start: ${tilde(gone)} is gone (moved or uninstalled): ${again}`);
  }
  const pid = readCollectorPid(place.dir);
  const spoolDir = path.join(place.dir, HOOK_FILES.spool);
  const logFile = path.join(place.dir, HOOK_FILES.log);
  return {
    agents,
    collector: {
      pid,
      running: pid !== undefined && isAlive(pid),
      spooled: existsSync(spoolDir) ? readdirSync(spoolDir).filter((n) => !n.startsWith('.')).length : 0,
      logFile,
      lastLog: existsSync(logFile) ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-3).filter(Boolean) : [],
    },
    problems,
  };
}
