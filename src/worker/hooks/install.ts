// `session-stream hooks install|uninstall|status` (docs/hooks.md): our hook in each agent's own
// settings. The settings are the user's: they are edited in place (jsonc-parser, as VS Code edits
// settings.json: comments and layout kept), only our entries are added or taken out, the file as
// it was before the first install is kept beside it (`<file>.session-stream-backup`) and put back
// byte for byte at uninstall when nothing else changed since. An entry is ours when its command
// is our hook script's (…/hooks/hook.sh AGENT EVENT).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseToml } from 'smol-toml';
import { agentOf, type AgentKind, type HookPlace, type HookScope } from '../../bridges';
import { HOOK_FILES, hookScript, shellQuote, type HookScriptOptions } from './hookScript';

export const BACKUP_SUFFIX = '.session-stream-backup';

/** What the collector reads: where each hooked agent keeps its session files, the answer time. */
export interface CollectorConfig {
  version: 1;
  answerTimeoutMs: number;
  agents: Partial<Record<AgentKind, { sessionsDir: string; files: string[] }>>;
  /** The command the hook starts the collector with (absolute paths), so status can tell it still exists. */
  collector?: readonly string[];
}

export interface HookInstallOptions extends HookPlace {
  scope: HookScope;
  agents: readonly AgentKind[];
  /** The hooks folder (our script, spool, answers). */
  dir: string;
  answerTimeoutMs: number;
  collector: HookScriptOptions['collector'];
  collectorEnv: HookScriptOptions['collectorEnv'];
}

export interface AgentHookState {
  agent: AgentKind;
  /** The settings file (undefined: the agent has no settings for this scope). */
  file?: string;
  /** Our events found in it. */
  events: string[];
  /** What install/uninstall did: `added`, `updated`, `unchanged`, `removed`, `restored`, `none`. */
  change?: 'added' | 'updated' | 'unchanged' | 'removed' | 'restored' | 'none';
  /** Why this agent's file was left alone (it is not JSON, …), with what to do. */
  problem?: string;
  /** Where the file as it was before the first install is kept. */
  backup?: string;
}

/** The file's own indentation (its first indented line), so our entries look like the rest. */
function formatOf(text: string): { tabSize: number; insertSpaces: boolean; eol: string } {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return { tabSize: indent.startsWith('\t') ? 1 : indent.length, insertSpaces: !indent.startsWith('\t'), eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** The command our hook entry runs for an event. */
export function hookCommand(dir: string, agent: AgentKind, event: string, ask = false): string {
  return `${shellQuote(path.join(dir, HOOK_FILES.script))} ${agent} ${event}${ask ? ' ask' : ''}`;
}

/** Whether a hook entry's command is ours (as hookCommand makes it, wherever the hooks folder is). */
export function isOurCommand(command: unknown): boolean {
  return typeof command === 'string' && /[/\\]hooks[/\\]hook\.sh' (claude|codex|gemini) [A-Za-z]+( ask)?$/.test(command);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function readSettings(file: string): { text: string; json: Json; existed: boolean } {
  if (!existsSync(file)) return { text: '', json: {}, existed: false };
  const text = readFileSync(file, 'utf8');
  const errors: ParseError[] = [];
  const json: unknown = text.trim() === '' ? {} : parse(text, errors, { allowTrailingComma: true });
  if (errors.length > 0) {
    const e = errors[0]!;
    const line = text.slice(0, e.offset).split('\n').length;
    throw new HookFileError(`${file} is not valid JSON (${printParseErrorCode(e.error)} on line ${line}); fix it, then run this again. Nothing was changed.`);
  }
  if (!isObject(json)) throw new HookFileError(`${file} does not hold a JSON object; fix it, then run this again. Nothing was changed.`);
  return { text, json, existed: true };
}

export class HookFileError extends Error {}

/** A hooks list (`[{matcher, hooks:[…]}]`) without our entries (groups left empty go too). */
function withoutOurs(groups: unknown): unknown[] {
  if (!Array.isArray(groups)) return [];
  const out: unknown[] = [];
  for (const g of groups) {
    if (!isObject(g) || !Array.isArray(g.hooks)) {
      out.push(g);
      continue;
    }
    const kept = g.hooks.filter((h) => !(isObject(h) && isOurCommand(h.command)));
    if (kept.length === g.hooks.length) out.push(g);
    else if (kept.length > 0) out.push({ ...g, hooks: kept });
  }
  return out;
}

function ourEvents(json: Json): string[] {
  const hooks = isObject(json.hooks) ? json.hooks : {};
  return Object.entries(hooks)
    .filter(([, groups]) => Array.isArray(groups) && groups.some((g) => isObject(g) && Array.isArray(g.hooks) && g.hooks.some((h) => isObject(h) && isOurCommand(h.command))))
    .map(([name]) => name);
}

function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function edit(text: string, at: (string | number)[], value: unknown): string {
  return applyEdits(text, modify(text, at, value, { formattingOptions: formatOf(text) }));
}

/** The settings text with our entries in place (replacing any of ours already there). */
function addOurs(text: string, json: Json, agent: AgentKind, o: HookInstallOptions): string {
  const def = agentOf(agent).hooks!;
  let out = text.trim() === '' ? '{}\n' : text;
  const hooks = isObject(json.hooks) ? json.hooks : {};
  // Ours for an event no longer hooked (installed by an earlier version) go.
  for (const [name, groups] of Object.entries(hooks)) {
    if (def.events.some((e) => e.name === name)) continue;
    const kept = withoutOurs(groups);
    if (Array.isArray(groups) && kept.length !== groups.length) out = edit(out, ['hooks', name], kept.length > 0 ? kept : undefined);
  }
  for (const e of def.events) {
    // The agent waits longer for the hook than the hook waits for an answer.
    const seconds = e.timeoutSeconds ?? (e.ask ? Math.ceil(o.answerTimeoutMs / 1000) + 15 : 15);
    const timeout = def.timeoutUnit === 'ms' ? seconds * 1000 : seconds;
    const ours = { ...(e.matcher !== undefined ? { matcher: e.matcher } : {}), hooks: [{ ...def.entry, type: 'command', command: hookCommand(o.dir, agent, e.name, e.ask), timeout }] };
    out = edit(out, ['hooks', e.name], [...withoutOurs(hooks[e.name]), ours]);
  }
  for (const s of def.settings ?? []) out = edit(out, [...s.path], s.value);
  return out;
}

/** The settings text without our entries; the settings we added are taken back when the backup did not have them. */
function removeOurs(text: string, json: Json, agent: AgentKind, before: Json | undefined): string {
  const def = agentOf(agent).hooks!;
  let out = text;
  const hooks = isObject(json.hooks) ? json.hooks : {};
  for (const [name, groups] of Object.entries(hooks)) {
    const kept = withoutOurs(groups);
    if (Array.isArray(groups) && kept.length === groups.length) continue;
    out = edit(out, ['hooks', name], kept.length > 0 ? kept : undefined);
  }
  const after = parse(out) as Json;
  if (isObject(after.hooks) && Object.keys(after.hooks).length === 0 && !(before && 'hooks' in before)) out = edit(out, ['hooks'], undefined);
  for (const s of def.settings ?? []) {
    const had = valueAt(before ?? {}, s.path);
    if (isDeepStrictEqual(valueAt(parse(out) as Json, s.path), s.value) && !isDeepStrictEqual(had, s.value)) out = edit(out, [...s.path], had);
  }
  return out;
}

function valueAt(json: Json, at: readonly string[]): unknown {
  let v: unknown = json;
  for (const k of at) v = isObject(v) ? v[k] : undefined;
  return v;
}

/** Writes our hook script and adds our hooks to each agent's settings. */
export function installHooks(o: HookInstallOptions): AgentHookState[] {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  chmodSync(o.dir, 0o700);
  for (const sub of [HOOK_FILES.spool, HOOK_FILES.answers, HOOK_FILES.stop]) mkdirSync(path.join(o.dir, sub), { recursive: true, mode: 0o700 });
  writeAtomic(path.join(o.dir, HOOK_FILES.script), hookScript(o));
  chmodSync(path.join(o.dir, HOOK_FILES.script), 0o700);
  const states = o.agents.map((agent) => installOne(agent, o));
  // The collector's view of what is hooked (every scope installed so far keeps its files listed).
  const config = readCollectorConfig(o.dir) ?? { version: 1, answerTimeoutMs: o.answerTimeoutMs, agents: {} };
  config.answerTimeoutMs = o.answerTimeoutMs;
  config.collector = o.collector;
  for (const s of states) {
    if (!s.file || s.problem) continue;
    const files = new Set(config.agents[s.agent]?.files ?? []);
    files.add(s.file);
    config.agents[s.agent] = { sessionsDir: agentOf(s.agent).hooks!.sessionsDir(o), files: [...files] };
  }
  writeAtomic(path.join(o.dir, HOOK_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  return states;
}

function installOne(agent: AgentKind, o: HookInstallOptions): AgentHookState {
  const def = agentOf(agent).hooks;
  const file = def?.configFile(o.scope, o);
  if (!def || !file) return { agent, events: [], change: 'none', problem: `${agentOf(agent).productName} has no ${o.scope} settings for hooks; use --scope user` };
  try {
    const { text, json, existed } = readSettings(file);
    const next = addOurs(text, json, agent, o);
    // Records the agent wants before it runs our hooks, checked before anything is written.
    const trust = def.trust ? trustEdit(def.trust, o, file, parse(next) as Json) : undefined;
    if (next === text && (!trust || trust.next === trust.text)) return { agent, file, events: ourEvents(json), change: 'unchanged', backup: existsSync(`${file}${BACKUP_SUFFIX}`) ? `${file}${BACKUP_SUFFIX}` : undefined };
    keepBackup(file, existed);
    if (trust) {
      keepBackup(trust.file, trust.existed);
      writeAtomic(trust.file, trust.next);
    }
    const had = ourEvents(json).length > 0;
    writeAtomic(file, next);
    return { agent, file, events: ourEvents(parse(next) as Json), change: had ? 'updated' : 'added', backup: `${file}${BACKUP_SUFFIX}` };
  } catch (error) {
    if (error instanceof HookFileError) return { agent, file, events: [], problem: error.message };
    throw error;
  }
}

/** The file as it was before we first touched it; "absent" is kept as an empty backup. */
function keepBackup(file: string, existed: boolean): void {
  const backup = `${file}${BACKUP_SUFFIX}`;
  if (existsSync(backup)) return;
  mkdirSync(path.dirname(file), { recursive: true });
  if (existed) copyFileSync(file, backup);
  else writeFileSync(backup, '');
  chmodSync(backup, 0o600);
}

const TRUST_BEGIN = '# session-stream hooks: begin (written by `session-stream hooks install`; `session-stream hooks uninstall` takes it out)';
const TRUST_END = '# session-stream hooks: end';

const tomlKey = (k: string) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));

/** The TOML text without our block. */
function withoutTrust(text: string): string {
  const begin = text.indexOf(TRUST_BEGIN);
  if (begin < 0) return text;
  const end = text.indexOf(TRUST_END, begin);
  const after = end < 0 ? text.length : end + TRUST_END.length + (text[end + TRUST_END.length] === '\n' ? 1 : 0);
  return text.slice(0, begin).replace(/\n\n$/, '\n') + text.slice(after);
}

/** The trust file's text with our records (replacing ours), parsed to be sure the agent can read it. */
function trustEdit(trust: NonNullable<NonNullable<ReturnType<typeof agentOf>['hooks']>['trust']>, place: HookPlace, hooksFile: string, json: Json): { file: string; text: string; next: string; existed: boolean } {
  const file = trust.file(place);
  const existed = existsSync(file);
  const text = existed ? readFileSync(file, 'utf8') : '';
  try {
    parseToml(text);
  } catch (error) {
    throw new HookFileError(`${file} is not valid TOML (${(error as Error).message.split('\n')[0]}); fix it, then run this again. Nothing was changed.`);
  }
  // The agent names the hooks file by its real path.
  mkdirSync(path.dirname(hooksFile), { recursive: true });
  const real = path.join(realpathSync(path.dirname(hooksFile)), path.basename(hooksFile));
  const records = trust.records(real, json, isOurCommand);
  const bare = withoutTrust(text);
  const block = [TRUST_BEGIN, ...records.map((r) => `[${r.table.map(tomlKey).join('.')}]\n${tomlKey(r.key)} = ${JSON.stringify(r.value)}`), TRUST_END].join('\n');
  const next = records.length === 0 ? bare : `${bare}${bare && !bare.endsWith('\n') ? '\n' : ''}${bare ? '\n' : ''}${block}\n`;
  try {
    parseToml(next);
  } catch (error) {
    throw new HookFileError(`${file} could not take the records that let the agent run our hooks (${(error as Error).message.split('\n')[0]}); nothing was changed. Is [hooks.state] written in another form there?`);
  }
  return { file, text, next, existed };
}

/** Takes our records out of the trust file; back to its exact bytes when nothing else changed. */
function untrust(trust: NonNullable<NonNullable<ReturnType<typeof agentOf>['hooks']>['trust']>, place: HookPlace): void {
  const file = trust.file(place);
  const backup = `${file}${BACKUP_SUFFIX}`;
  if (!existsSync(file)) return;
  const next = withoutTrust(readFileSync(file, 'utf8'));
  if (existsSync(backup)) {
    const before = readFileSync(backup, 'utf8');
    const same = (() => {
      try {
        return isDeepStrictEqual(parseToml(next), parseToml(before));
      } catch {
        return false;
      }
    })();
    if (same) {
      if (before === '') rmSync(file);
      else writeAtomic(file, before);
      rmSync(backup);
      return;
    }
  }
  writeAtomic(file, next);
}

/** Takes our hooks out of each agent's settings (the file as it was, when nothing else changed). */
export function uninstallHooks(o: HookPlace & { scope: HookScope; agents: readonly AgentKind[]; dir: string }): AgentHookState[] {
  const states = o.agents.map((agent) => uninstallOne(agent, o));
  const config = readCollectorConfig(o.dir);
  if (config) {
    for (const s of states) {
      const entry = config.agents[s.agent];
      if (!entry || !s.file) continue;
      entry.files = entry.files.filter((f) => f !== s.file);
      if (entry.files.length === 0) delete config.agents[s.agent];
    }
    writeAtomic(path.join(o.dir, HOOK_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
  }
  return states;
}

function uninstallOne(agent: AgentKind, o: HookPlace & { scope: HookScope }): AgentHookState {
  const def = agentOf(agent).hooks;
  const file = def?.configFile(o.scope, o);
  if (!def || !file) return { agent, events: [], change: 'none' };
  try {
    if (def.trust) untrust(def.trust, o);
    const backup = `${file}${BACKUP_SUFFIX}`;
    const hasBackup = existsSync(backup);
    const beforeText = hasBackup ? readFileSync(backup, 'utf8') : undefined;
    const before = beforeText === undefined || beforeText === '' ? undefined : (parse(beforeText) as Json);
    if (!existsSync(file)) {
      if (hasBackup) rmSync(backup);
      return { agent, file, events: [], change: 'none' };
    }
    const { text, json } = readSettings(file);
    if (ourEvents(json).length === 0 && !hasBackup) return { agent, file, events: [], change: 'none' };
    const next = removeOurs(text, json, agent, before);
    const result = parse(next) as Json;
    // Nothing else changed since the first install: the file goes back exactly as it was.
    if (hasBackup && beforeText === '' && Object.keys(result).length === 0) {
      rmSync(file);
      rmSync(backup);
      return { agent, file, events: [], change: 'restored' };
    }
    if (hasBackup && before && isDeepStrictEqual(result, before)) {
      writeAtomic(file, beforeText!);
      rmSync(backup);
      return { agent, file, events: [], change: 'restored' };
    }
    if (next !== text) writeAtomic(file, next);
    return { agent, file, events: [], change: next !== text ? 'removed' : 'none', backup: hasBackup ? backup : undefined };
  } catch (error) {
    if (error instanceof HookFileError) return { agent, file, events: [], problem: error.message };
    throw error;
  }
}

/** What is installed for each agent in a scope. */
export function hookStatus(o: HookPlace & { scope: HookScope; agents: readonly AgentKind[] }): AgentHookState[] {
  return o.agents.map((agent) => {
    const file = agentOf(agent).hooks?.configFile(o.scope, o);
    if (!file) return { agent, events: [] };
    try {
      return { agent, file, events: ourEvents(readSettings(file).json) };
    } catch (error) {
      if (error instanceof HookFileError) return { agent, file, events: [], problem: error.message };
      throw error;
    }
  });
}

export function readCollectorConfig(dir: string): CollectorConfig | undefined {
  const file = path.join(dir, HOOK_FILES.config);
  if (!existsSync(file)) return undefined;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as CollectorConfig;
    return json.version === 1 && isObject(json.agents) ? json : undefined;
  } catch {
    return undefined;
  }
}
