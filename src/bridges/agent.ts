// What an agent is to us, in one place: its names, its icon, the binary and package it ships as,
// the versions we test, its output formats (how to tell them and the mapper for each), where it
// keeps its session files, how `run` starts and steers it. One file per agent under agents/
// defines one; registry.ts lists them. Nothing else names an agent.
import type { AgentMapper } from './types';

/** One output format of an agent: a stream it prints (`run`) or a file it writes (`import`, `watch`). */
export interface FormatDefinition<F extends string = string> {
  name: F;
  kind: 'stream' | 'file';
  /**
   * Whether one JSON line (an object; `type` is its `type` field or '') shows this format. Formats
   * are asked in `detectRank` order, lowest first: a format whose lines can look like another's
   * (a Claude Code transcript line is also a message) is asked before the other.
   */
  detect(json: Record<string, unknown>, type: string): boolean;
  detectRank: number;
  createMapper(options: { cwd?: string }): AgentMapper;
}

/** Where an agent keeps its session files, for `watch` and `doctor`. */
export interface SessionFiles<F extends string = string> {
  format: F;
  /** The folder under the user's home (`~/.claude/projects`). */
  dir(home: string): string;
  /** Whether a file (its name, and the name of the folder it is in) is a session file. */
  isSessionFile(name: string, parent: string): boolean;
  /** A file beside a session file that holds the folder the agent worked in, if the agent keeps one. */
  projectRootFile?(sessionFile: string): string;
  /** How the files look, in the `watch` help ("~/.gemini/tmp/*\/chats"). */
  shown?(home: string): string;
}

export interface AgentDefinition<K extends string = string, F extends string = string, S extends F = F> {
  /** Our id of the agent; also `coding_sessions.source` of its sessions. */
  kind: K;
  /** What people call its sessions ("Codex", "Claude Code"). */
  label: string;
  /** The product's full name ("Codex CLI"), where its version is told. */
  productName: string;
  /** A codicon id (https://code.visualstudio.com/api/references/icons-in-labels) for pickers. */
  icon: string;
  /** The command on PATH. */
  command: string;
  /** The npm package it ships as. */
  npmPackage: string;
  /** Versions tested here against the real CLI (the agents tier installs the newest). */
  testedVersions: readonly string[];
  /** How `run` learns the version: from the agent's own first line, or from its package (else `--version`). */
  versionFrom: 'output' | 'package' | 'package-or-ask';
  formats: readonly FormatDefinition<F>[];
  /** The format `run` reads from the agent's output. */
  runFormat: F;
  sessionFiles?: SessionFiles<S>;
  run: {
    /** What the agent needs to print a stream we can read, when the command (joined) shows it will not. */
    outputAdvice(args: string): string | undefined;
    /** Why a message cannot reach it while it runs (when it takes no input). */
    noInputReason: string;
    /** The command that runs `task` streamed (and, when the agent can, steerable): for Run Agent… in VS Code. */
    commandFor(task: string): string[];
  };
}

/** Declares an agent (keeps its literal kind and format names for the types derived from the registry). */
export function defineAgent<const K extends string, const F extends string, const S extends F>(definition: AgentDefinition<K, F, S>): AgentDefinition<K, F, S> {
  return definition;
}
