// Every text the extension shows in VS Code's own UI that carries something an agent or the
// database wrote (a title, a message, a path, a request): built here, without the VS Code API, so
// each sink's neutralising is one function with a unit test (test/unit/untrusted.test.ts). The
// rules are in src/shared/untrusted.ts.
import type { AgentRequest, SessionCommand } from '../shared/commands';
import { describeOutcome } from '../shared/commands';
import type { SessionStats } from '../shared/events';
import { commandUri } from './commandIds';
import { labelText, markdownText, notificationText, oneLine } from '../shared/untrusted';

export function statsLine(stats: SessionStats | undefined): string {
  if (!stats) return '';
  return `${stats.iterations} steps · ${stats.toolCalls} tool calls · ${stats.inputTokens.toLocaleString()} in / ${stats.outputTokens.toLocaleString()} out tokens`;
}

/** Notifications of the watched session's completion and errors. */
export const notices = {
  completed: (title: string, message: unknown, stats: SessionStats | undefined) => `✓ ${notificationText(title, 120)}: ${notificationText(message, 400)} (${statsLine(stats)})`,
  failed: (title: string, message: unknown, stats: SessionStats | undefined) => {
    const s = statsLine(stats);
    return `${notificationText(title, 120)} failed: ${notificationText(message, 400)}${s ? ` (${s})` : ''}`;
  },
  commandProblem: (title: string, message: unknown) => `${notificationText(title, 120)}: ${notificationText(message, 400)}`,
  needsYou: (title: string, request: AgentRequest) => `"${notificationText(title, 120)}" needs you: ${notificationText(request.title, 300)}`,
  outcome: (title: string, handled: SessionCommand) => `"${notificationText(title, 120)}": ${notificationText(describeOutcome(handled), 400)}`,
  noAnswer: (title: string, kind: string) => `No answer yet from the agent's runner of "${notificationText(title, 120)}". The ${kind} stays queued and is handled when the runner is connected (is the agent running under session-stream run?).`,
  notSteerable: (title: string, state: string, why: string) => `"${notificationText(title, 120)}" is ${state}: ${why}.`,
  stopConfirm: (title: string) => `Stop the agent of "${notificationText(title, 120)}"?`,
  approveShown: (request: AgentRequest) => `Approve ${notificationText(request.title, 200)}?`,
  fileRefused: (path: string, reason: string) => `Agent Session Stream did not open "${notificationText(path, 200)}": ${notificationText(reason, 200)}.`,
  fileMissing: (path: string, folder: string) => `The agent changed ${notificationText(path, 200)}, but it is not in ${notificationText(folder, 100)} (on another machine, or deleted since).`,
  fileNotInGit: (path: string) => `${notificationText(path, 200)} is not in a git repository; opening the file instead.`,
  tooLargeForClipboard: (title: string, mb: number) => `"${notificationText(title, 120)}" is more than ${mb} MB as Markdown, too much for the clipboard.`,
  exporting: (title: string) => `Exporting "${notificationText(title, 120)}"…`,
  /** An error's message as a notification shows it (database and server errors quote what they were given). */
  error: (message: unknown) => notificationText(message, 1000),
};

/** Status bar text (drawn with icons: the icon is ours, the rest is text). */
export const statusTexts = {
  watching: (title: string, what: string) => `$(broadcast) ${labelText(title, 40)} · ${labelText(what, 40)}`,
  needsYou: (title: string) => `$(bell-dot) ${labelText(title, 40)} · needs you`,
  outcome: (handled: SessionCommand) => `$(check) ${labelText(describeOutcome(handled), 200)}`,
  deleted: (path: string) => `$(trash) Agent deleted ${labelText(path, 200)}`,
};

/** Quick pick items and input box titles (drawn with icons too). */
export const pickTexts = {
  session: (s: { title: string; state: string; cwd?: string | null; id: string }, icon: string, when: string, source: string | undefined) => ({
    label: `$(${icon}) ${labelText(s.title, 200)}`,
    description: `${s.state} · ${when}${source ? ` · ${source}` : ''}`,
    detail: s.cwd ? `${labelText(s.cwd, 300)} · ${s.id}` : s.id,
  }),
  plainSession: (s: { title: string; state: string; id: string }) => ({ label: labelText(s.title, 200), description: s.state, detail: s.id }),
  request: (r: AgentRequest) => ({ label: labelText(r.title, 200), detail: r.detail ? labelText(r.detail.split('\n')[0], 200) : undefined }),
  requestDescription: (r: AgentRequest) => labelText(r.title, 200),
  menuTitle: (title: string, what: string) => `${labelText(title, 120)} — ${labelText(what, 40)}`,
  denyTitle: (r: AgentRequest) => `Deny: ${labelText(r.title, 120)}`,
  replyTitle: (r: AgentRequest) => `Reply: ${labelText(r.title, 120)}`,
  messageTitle: (title: string) => `Message to the agent of "${labelText(title, 120)}"`,
  copyLinkTitle: (title: string) => `Copy Link to Event of "${labelText(title, 120)}"`,
  agent: (name: string, icon: string, bin: string) => ({ label: `$(${icon}) ${name}`, description: labelText(bin, 300) }),
  /** A Run Agent… terminal's name: the agent and the task, on one line. */
  runTerminalName: (agent: string, task: string) => oneLine(`${agent}: ${task}`, 60),
};

/** A Sessions view item: its label and description are plain text, its tooltip Markdown. */
export const treeTexts = {
  label: (title: string) => oneLine(title, 200),
  description: (state: string, when: string, source: string | undefined, watching: boolean) => `${state} · ${when}${source ? ` · ${source}` : ''}${watching ? ' · watching' : ''}`,
  tooltip: (s: { title: string; state: string; created_at: string; cwd?: string | null; id: string }, source: string | undefined, requests: readonly AgentRequest[]) =>
    `**${markdownText(s.title, 300)}**\n\n${markdownText(s.state)}, started ${markdownText(new Date(s.created_at).toLocaleString())}${source ? ` · ${markdownText(source)}` : ''}${s.cwd ? `\n\nin ${markdownText(s.cwd, 500)}` : ''}${requests.map((r) => `\n\n$(bell-dot) ${markdownText(r.title, 300)}`).join('')}\n\n${markdownText(s.id)}`,
};

/** The status bar item's tooltip (Markdown with icons, trusted only for our own link at its end). */
export function statusTooltip(o: {
  title: string;
  state: string;
  connection: string;
  reason?: string;
  events: number;
  joins: number;
  lastEventAt?: number;
  latencyMs?: number;
  viewers: readonly string[];
  requests: readonly AgentRequest[];
  click: string;
}): string {
  let md = `**Agent Session Stream**\n\n${markdownText(o.title, 300)} — ${markdownText(o.state)}\n\n$(pulse) ${markdownText(o.connection)}${o.reason ? `: ${markdownText(o.reason, 300)}` : ''}\n\n`;
  md += `${o.events} events · ${o.joins} joins`;
  if (o.lastEventAt) md += ` · last event ${markdownText(new Date(o.lastEventAt).toLocaleTimeString())}`;
  if (o.latencyMs !== undefined) md += ` · latency ${Math.round(o.latencyMs)} ms`;
  if (o.viewers.length > 0) md += `\n\n$(eye) ${o.viewers.length} watching: ${markdownText(o.viewers.join(', '), 500)}`;
  for (const r of o.requests) md += `\n\n$(bell-dot) Needs you: ${markdownText(r.title, 300)}`;
  return `${md}\n\n${markdownText(o.click)} [Watch another session](${commandUri('sessionStream.selectSession')})`;
}

/** A timeline editor tab's title. */
export const panelTitle = (title: string) => oneLine(title, 120);
