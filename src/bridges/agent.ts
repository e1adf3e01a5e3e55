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

/** Where hooks are installed: the user's own settings, or one project's. */
export type HookScope = 'user' | 'project';

/** What the hook installer and collector are given to find an agent's files. */
export interface HookPlace {
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The project, for the project scope. */
  cwd: string;
}

/** A viewer's answer to a permission request raised through a hook. */
export interface HookAnswer {
  allow: boolean;
  /** Why it was denied (the agent is told). */
  message?: string;
  /** Deny and stop the agent's turn too (Stop while it asks). */
  interrupt?: boolean;
}

/** One hook event we add: a tool matcher where the event takes one, `ask` for the permission request. */
export interface HookEvent {
  name: string;
  matcher?: string;
  ask?: boolean;
  /** Its own timeout in seconds where the agent caps it (Codex CLI: SessionEnd at most 3). */
  timeoutSeconds?: number;
}

/** A trust record an agent wants before it runs a hook (Codex CLI): a key and a hash, kept in a TOML file. */
export interface HookTrust {
  /** The TOML file the records go in. */
  file(place: HookPlace): string;
  /** The records for our entries, from the hooks file as it will be written (its real path, its JSON). */
  records(hooksFile: string, json: Record<string, unknown>, ours: (command: unknown) => boolean): Array<{ table: readonly string[]; key: string; value: string }>;
}

/** How an agent runs our hook (docs/hooks.md): where its hook settings are, which events, what it reads back. */
export interface HookDefinition {
  /** The settings file the hooks go into, for a scope; undefined when the agent has no such scope. */
  configFile(scope: HookScope, place: HookPlace): string | undefined;
  /** Where the agent keeps its session files (a transcript a hook names is followed only under it). */
  sessionsDir(place: HookPlace): string;
  events: readonly HookEvent[];
  /** The unit of a hook's `timeout` in its settings. */
  timeoutUnit: 's' | 'ms';
  /** More fields of our hook entry the agent reads (Gemini CLI: a name). */
  entry?: Record<string, unknown>;
  /** The event that says the session is over (else it ends with the agent's process). */
  endEvent?: string;
  /**
   * Where the agent shows its own prompt while our hook waits, the events after which a request
   * still waiting was answered there (the turn's end: all of them). The call's result in the
   * transcript settles the request about that one call.
   */
  settledBy?: { turn: readonly string[] };
  /** The event announcing a tool call with its id (`tool_use_id`), which a permission request about it follows. */
  callEvent?: string;
  /** Settings besides the hooks that the agent needs to run them, merged at install, taken back at uninstall. */
  settings?: ReadonlyArray<{ path: readonly string[]; value: unknown }>;
  /** Records the agent wants before it runs our hooks (Codex CLI's trusted hashes). */
  trust?: HookTrust;
  /** What a permission hook prints for a viewer's answer. */
  answer(answer: HookAnswer): unknown;
  /** What a hook of each event prints to stop the agent at its next step ('*': any event). */
  stop?(reason: string): Record<string, unknown>;
  /** The title of a permission request ("Bash: npm test"). */
  requestTitle(tool: string, input: Record<string, unknown>, cwd: string | undefined): string;
  /** What a viewer can do with a hooked session: true, or why not (shown to whoever tries). */
  can: { approve: true | string; stop: true | string; message: true | string; pause: true | string };
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
  /** How its own hooks feed us sessions it runs without `run` (`session-stream hooks install`). */
  hooks?: HookDefinition;
}

/** Declares an agent (keeps its literal kind and format names for the types derived from the registry). */
export function defineAgent<const K extends string, const F extends string, const S extends F>(definition: AgentDefinition<K, F, S>): AgentDefinition<K, F, S> {
  return definition;
}
