// The hook every agent runs: a small POSIX shell script written by `session-stream hooks install`
// (docs/hooks.md). Starting Node for each tool call would cost more than the agent's own step, so
// the script only hands the event over through files: it writes it to the spool folder (ending
// with a mark, so the collector never takes half of one for all of it), starts the collector when none
// runs, and for a permission request waits — bounded — for a viewer's answer in answers/. Whatever
// goes wrong, it exits 0 having printed nothing: the agent goes on as it would without us (for a
// permission request: it asks in its terminal).
//
// The hand-off of an answer cannot race: whoever creates `answers/<id>.claim` first decides — the
// collector before it writes an answer, the script when it stops waiting. The script's id holds its
// process id, so the collector can tell when a hook that waited is gone (its agent took the answer
// in the terminal, or killed it).
import { open, rename, writeFile } from 'node:fs/promises';

/** The layout of the hooks folder, shared by the script, the installer and the collector. */
export const HOOK_FILES = {
  script: 'hook.sh',
  spool: 'spool',
  answers: 'answers',
  stop: 'stop',
  pid: 'collector.pid',
  log: 'collector.log',
  config: 'hooks.json',
  state: 'transcripts.json',
} as const;

/** How a spool record ends: a line holding only RS (036), which JSON never holds raw. */
export const SPOOL_END = '\n\x1e\n';

/** Set for an agent started by `session-stream run`, whose session streams already: the hook does nothing. */
export const RUN_MARK = 'SESSION_STREAM_RUN';

/** How long the script waits for the collector to take a permission request before it gives up (ms). */
export const ACK_TIMEOUT_MS = 5000;

/** Creates `file` only if nobody did: whoever does decides the request (the collector's side of the claim). */
export async function claim(file: string): Promise<boolean> {
  try {
    await (await open(file, 'wx', 0o600)).close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, file);
}

/** A word for a single-quoted shell string. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface HookScriptOptions {
  /** The hooks folder (absolute). */
  dir: string;
  /** How long a permission request waits for a viewer by default (SESSION_STREAM_HOOK_ANSWER_TIMEOUT_MS overrides it). */
  answerTimeoutMs: number;
  /** The collector's command, absolute paths (`node …/cli.js hooks collect`). */
  collector: readonly string[];
  /** The collector's environment: only these, never the agent's (it signs in with the saved login). */
  collectorEnv: Record<string, string>;
}

export function hookScript(o: HookScriptOptions): string {
  const q = shellQuote;
  const env = Object.entries(o.collectorEnv).map(([k, v]) => `${k}=${q(v)}`).join(' ');
  const collector = o.collector.map(q).join(' ');
  const ackTicks = Math.round(ACK_TIMEOUT_MS / 100);
  return `#!/bin/sh
# Agent Session Stream's hook, written by \`session-stream hooks install\` (\`hooks uninstall\` removes
# it). An agent runs it for each hook event: usage hook.sh AGENT EVENT [ask]. The event goes to the
# spool folder for the collector; for a permission request (ask) it waits for a viewer's answer at
# most SESSION_STREAM_HOOK_ANSWER_TIMEOUT_MS milliseconds, then prints it, or nothing (the agent
# then asks in its terminal). It never fails the agent: on any trouble it exits 0, printing nothing
# (having read what the agent wrote to it, so the agent's write never fails).
[ -z "\${${RUN_MARK}:-}" ] || exec cat >/dev/null
D=${q(o.dir)}
W=\${SESSION_STREAM_HOOK_ANSWER_TIMEOUT_MS:-${o.answerTimeoutMs}}
case $W in ''|*[!0-9]*) W=${o.answerTimeoutMs} ;; esac
umask 077
S="$D/${HOOK_FILES.spool}"
[ -d "$S" ] || exec cat >/dev/null
# The event, under a name of its own: p<pid>-<i>, created with noclobber (set -C) so a name still
# taken (a file of an earlier process with the same pid, not collected yet) is never written over.
# It ends with a line holding only the character 036 (RS, never raw in JSON), so the collector knows
# it is whole. Written in place with builtins and one cat: each extra process costs the agent a millisecond.
set -C
i=0
while :; do
  n="p$$-$i"
  { printf 'v1 %s %s %s\\n' "$1" "$2" "$PPID"; cat; printf '\\n\\036\\n'; } 2>/dev/null >"$S/$n" && break
  i=$((i + 1))
  [ "$i" -lt 50 ] || exec cat >/dev/null
done
set +C
# Stop from a viewer: the collector wrote what to print for this session (for this event, or any).
for s in "$D"/${HOOK_FILES.stop}/*; do
  [ -e "$s" ] || break
  sid=$(sed -n 's/.*"session_id"[[:space:]]*:[[:space:]]*"\\([A-Za-z0-9_-]*\\)".*/\\1/p' "$S/$n" 2>/dev/null | head -n 1)
  f="$D/${HOOK_FILES.stop}/$sid.$2"
  [ -f "$f" ] || f="$D/${HOOK_FILES.stop}/$sid"
  if [ -n "$sid" ] && [ -f "$f" ]; then
    cat "$f" 2>/dev/null
    exit 0
  fi
  break
done
# The collector: started when its pid file names no live process (it takes a lock itself).
p=
[ -r "$D/${HOOK_FILES.pid}" ] && read -r p <"$D/${HOOK_FILES.pid}"
if [ -z "$p" ] || ! kill -0 "$p" 2>/dev/null; then
  (cd / && env -i ${env} ${collector} </dev/null >>"$D/${HOOK_FILES.log}" 2>&1 &) 2>/dev/null
fi
[ "$3" = ask ] || exit 0
a="$D/${HOOK_FILES.answers}/$n"
i=0
m=$((W / 100))
while [ "$i" -lt "$m" ]; do
  if [ -f "$a" ]; then cat "$a" 2>/dev/null; rm -f "$a" "$a.claim" "$a.seen"; exit 0; fi
  # Not taken by the collector in time (not running, not signed in): no decision.
  [ "$i" -ge ${ackTicks} ] && [ ! -e "$a.seen" ] && [ ! -e "$a.claim" ] && break
  sleep 0.1 2>/dev/null || sleep 1
  i=$((i + 1))
done
if (set -C; : >"$a.claim") 2>/dev/null; then
  # Nobody answered: say so to the collector, decide nothing.
  printf 'v1 %s gave-up %s\\n{"id":"%s","waitedMs":%s}\\n\\036\\n' "$1" "$PPID" "$n" "$W" 2>/dev/null >"$S/$n-gave-up"
  rm -f "$a.seen"
  exit 0
fi
# The collector claimed it first: its answer is being written.
i=0
while [ "$i" -lt 50 ]; do
  if [ -f "$a" ]; then cat "$a" 2>/dev/null; rm -f "$a" "$a.claim" "$a.seen"; exit 0; fi
  sleep 0.1 2>/dev/null || sleep 1
  i=$((i + 1))
done
exit 0
`;
}
