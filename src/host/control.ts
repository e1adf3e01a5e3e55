// Steering from VS Code: Stop (asks first), Pause / Resume, Send Message, and Approve / Deny / Reply
// when the agent waits — from the timeline header, the Sessions view and the status-bar menu. A
// command shows "Stopping…" until its runner says what became of it (seen on the session's own
// stream); a refused or unsupported one says why. When a session of yours starts to wait, a
// notification takes you to it.
import * as vscode from 'vscode';
import { ApprovalError } from '../core/approvals';
import { CommandError, sendCommand } from '../core/commands';
import { checkCommand, commandsFor, parseWaitingFor, PENDING_LABELS, type AgentRequest, type CommandKind, type SessionCommand } from '../shared/commands';
import type { AuthService } from './auth';
import { executeCommand } from './commandApi';
import { readConfig } from './config';
import type { RequestInputs } from './requestInput';
import { notices, pickTexts, statusTexts } from './texts';
import type { SessionSummary } from '../shared/sessions';
import type { SessionsModel } from './sessions';
import type { StreamRegistry } from './streams';

/** How long a command may wait for its runner before the user is told it is still queued. */
const ANSWER_TIMEOUT_MS = 60_000;

interface Pending {
  command: SessionCommand;
  release(): void;
}

export class SessionControl implements vscode.Disposable {
  private readonly pending = new Map<string, Pending[]>();
  /** Requests already notified, so a list refresh does not notify twice. */
  private readonly notified = new Set<string>();
  private readonly listeners: vscode.Disposable[];

  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsModel,
    private readonly streams: StreamRegistry,
    private readonly log: vscode.LogOutputChannel,
    private readonly inputs: RequestInputs,
  ) {
    this.listeners = [sessions.onDidChangeSessions((all) => this.notifyWaiting(all))];
  }

  /** Tells the model what is on its way to `sessionId` ("Stopping…" for the first command still unanswered). */
  private publishPending(sessionId: string): void {
    const first = this.pending.get(sessionId)?.[0];
    this.sessions.setPending(sessionId, first ? PENDING_LABELS[first.command.kind] : undefined);
  }

  /**
   * Runs one steering action on `session` as the user asked for it: a stop is confirmed, a message
   * typed, a request picked; then the command is sent, and its outcome reported when it comes.
   */
  async run(kind: CommandKind, session: SessionSummary, options: { agentRequestId?: string; body?: string; shownWhole?: boolean } = {}): Promise<void> {
    if (!commandsFor(session.state).includes(kind)) {
      void vscode.window.showInformationMessage(notices.notSteerable(session.title, session.state, kind === 'resume' ? 'it is not paused' : kind === 'approve' || kind === 'deny' ? 'it is not waiting for an answer' : 'there is nothing to steer'));
      return;
    }
    const requests = parseWaitingFor(session.waiting_for);
    let agentRequestId = options.agentRequestId;
    let body = options.body;
    let inputHash: string | undefined;
    if (kind === 'stop') {
      const stop = 'Stop Agent';
      const choice = await vscode.window.showWarningMessage(notices.stopConfirm(session.title), { modal: true, detail: 'It is interrupted as with Ctrl-C (then harder if it does not stop), and the session ends as cancelled.' }, stop);
      if (choice !== stop) return;
    } else if (kind === 'approve' || kind === 'deny') {
      const request = agentRequestId ? requests.find((r) => r.id === agentRequestId) : await this.pickRequest(requests, kind);
      if (!request) return;
      agentRequestId = request.id;
      if (kind === 'approve') {
        // An approval is for exactly the input shown, whole: in the timeline (when it showed all of
        // it), else in a read-only editor first.
        let whole: { text: string; hash: string };
        try {
          whole = await this.inputs.load(this.auth.signedInClient(), session.id, request);
        } catch (error) {
          if (error instanceof ApprovalError) return void vscode.window.showWarningMessage(notices.error(error.message));
          throw error;
        }
        if (!options.shownWhole) {
          await this.inputs.show(request, whole.text);
          const approve = 'Approve';
          const choice = await vscode.window.showWarningMessage(notices.approveShown(request), { modal: true, detail: `${whole.text.length.toLocaleString()} characters, shown whole in the editor. The agent goes on with exactly this input.` }, approve);
          if (choice !== approve) return;
        }
        inputHash = whole.hash;
      }
      if (kind === 'deny' && body === undefined) {
        body = await vscode.window.showInputBox({ title: pickTexts.denyTitle(request), prompt: 'Why? The agent is told (optional).', ignoreFocusOut: true, validateInput: (v) => checkCommand('deny', v, request.id) });
        if (body === undefined) return;
      }
    } else if (kind === 'message' && body === undefined) {
      const question = agentRequestId ? requests.find((r) => r.id === agentRequestId) : requests.find((r) => r.kind === 'question');
      if (question) agentRequestId = question.id;
      body = await vscode.window.showInputBox({
        title: question ? pickTexts.replyTitle(question) : pickTexts.messageTitle(session.title),
        prompt: question ? 'Your answer' : 'The agent reads it as a message from you (after its current step).',
        ignoreFocusOut: true,
        validateInput: (v) => checkCommand('message', v, undefined),
      });
      if (!body) return;
    }
    let command: SessionCommand;
    try {
      command = await sendCommand(this.auth.signedInClient(), session.id, kind, { body: body || undefined, agentRequestId, inputHash });
    } catch (error) {
      if (error instanceof CommandError) return void vscode.window.showErrorMessage(notices.error(error.message));
      throw error;
    }
    this.sessions.markSentHere(command.id);
    this.log.info(`sent ${kind} to session ${session.id.slice(0, 8)} (${command.id})`);
    this.watch(command, session.title);
  }

  /** Opens the whole input of a waiting request of `sessionId` in a read-only editor. */
  async showInput(sessionId: string, agentRequestId: string): Promise<void> {
    const session = this.sessions.find(sessionId);
    const request = parseWaitingFor(session?.waiting_for).find((r) => r.id === agentRequestId);
    if (!session || !request) return void vscode.window.showInformationMessage('That request is no longer waiting.');
    try {
      const whole = await this.inputs.load(this.auth.signedInClient(), sessionId, request);
      await this.inputs.show(request, whole.text);
    } catch (error) {
      if (error instanceof ApprovalError) return void vscode.window.showWarningMessage(notices.error(error.message));
      throw error;
    }
  }

  private async pickRequest(requests: AgentRequest[], kind: 'approve' | 'deny'): Promise<AgentRequest | undefined> {
    const approvals = requests.filter((r) => r.kind === 'approval');
    if (approvals.length <= 1) return approvals[0] ?? requests[0];
    const picked = await vscode.window.showQuickPick(
      approvals.map((r) => ({ ...pickTexts.request(r), request: r })),
      { placeHolder: kind === 'approve' ? 'Approve which request?' : 'Deny which request?' },
    );
    return picked?.request;
  }

  /** Follows the command on its session's stream until it is handled, then says how it went. */
  private watch(command: SessionCommand, title: string): void {
    const lease = this.streams.acquire(command.sessionId);
    let done = false;
    const finish = (handled: SessionCommand | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      subscription.dispose();
      lease.dispose();
      const list = (this.pending.get(command.sessionId) ?? []).filter((p) => p.command.id !== command.id);
      if (list.length > 0) this.pending.set(command.sessionId, list);
      else this.pending.delete(command.sessionId);
      this.publishPending(command.sessionId);
      if (!handled) {
        void vscode.window.showWarningMessage(notices.noAnswer(title, command.kind));
      } else if (handled.outcome === 'done') {
        vscode.window.setStatusBarMessage(statusTexts.outcome(handled), 4000);
      } else {
        void vscode.window.showWarningMessage(notices.outcome(title, handled));
      }
    };
    const subscription = lease.stream.onDidChangeCommands((commands) => {
      const mine = commands.find((c) => c.id === command.id && c.handledAt);
      if (mine) finish(mine);
    });
    const timer = setTimeout(() => finish(undefined), ANSWER_TIMEOUT_MS);
    this.pending.set(command.sessionId, [...(this.pending.get(command.sessionId) ?? []), { command, release: () => finish(undefined) }]);
    this.publishPending(command.sessionId);
    // Handled before the stream had it (a reload after the join brings it too).
    const known = lease.stream.commands.get(command.id);
    if (known?.handledAt) finish(known);
  }

  /** A session of yours waits for you: say so once per request, with a way to answer or look. */
  private notifyWaiting(all: readonly SessionSummary[]): void {
    if (readConfig().notifications === 'off') return;
    for (const s of all) {
      if (s.state !== 'waiting') continue;
      for (const r of parseWaitingFor(s.waiting_for)) {
        if (this.notified.has(r.id)) continue;
        this.notified.add(r.id);
        const actions = r.kind === 'approval' ? ['Approve', 'Deny', 'Open Timeline'] : ['Reply', 'Open Timeline'];
        void vscode.window.showWarningMessage(notices.needsYou(s.title, r), ...actions).then((choice) => {
          const fresh = this.sessions.find(s.id) ?? s;
          if (choice === 'Open Timeline') void executeCommand('sessionStream.openTimeline', s.id);
          else if (choice === 'Approve' || choice === 'Deny') void this.run(choice === 'Approve' ? 'approve' : 'deny', fresh, { agentRequestId: r.id }).catch((e: Error) => this.log.error(e.message));
          else if (choice === 'Reply') void this.run('message', fresh, { agentRequestId: r.id }).catch((e: Error) => this.log.error(e.message));
        });
      }
    }
  }

  dispose(): void {
    for (const list of [...this.pending.values()]) for (const p of list) p.release();
    for (const l of this.listeners) l.dispose();
  }
}

/** The status-bar menu of the watched session: open its timeline, steer it, or watch another. */
export async function sessionMenu(session: SessionSummary, control: SessionControl, sessions: SessionsModel): Promise<void> {
  const allowed = commandsFor(session.state);
  const requests = parseWaitingFor(session.waiting_for);
  type Item = vscode.QuickPickItem & { run(): Thenable<unknown> | Promise<unknown> };
  const items: Item[] = [{ label: '$(list-flat) Open Timeline', run: () => executeCommand('sessionStream.openTimeline', session.id) }];
  const status = sessions.statusOf(session);
  if (allowed.includes('approve') && requests.some((r) => r.kind === 'approval')) {
    const first = requests.find((r) => r.kind === 'approval')!;
    items.push({ label: '$(check) Approve', description: pickTexts.requestDescription(first), run: () => control.run('approve', session) }, { label: '$(close) Deny', description: pickTexts.requestDescription(first), run: () => control.run('deny', session) });
  }
  if (allowed.includes('message')) items.push({ label: requests.some((r) => r.kind === 'question') ? '$(reply) Reply' : '$(comment) Send Message…', run: () => control.run('message', session) });
  if (allowed.includes('pause')) items.push({ label: '$(debug-pause) Pause', run: () => control.run('pause', session) });
  if (allowed.includes('resume')) items.push({ label: '$(debug-continue) Resume', run: () => control.run('resume', session) });
  if (allowed.includes('stop')) items.push({ label: '$(debug-stop) Stop…', run: () => control.run('stop', session) });
  items.push({ label: '$(broadcast) Watch Another Session…', run: () => executeCommand('sessionStream.selectSession') });
  const picked = await vscode.window.showQuickPick(items, { title: pickTexts.menuTitle(session.title, status.pending ?? session.state), placeHolder: 'Open the timeline, or steer the agent' });
  await picked?.run();
}
