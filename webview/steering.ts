// The timeline's steering bar: Stop, Pause / Resume and Send Message for the states that allow
// them ("Stopping…" while this window's command waits for the agent's runner), and — while the
// agent waits for its user — what it asks, with Approve / Deny or Reply. An approval's input is
// shown whole (scrollable), or its start with a mark that it was cut and a way to read all of it in
// a read-only editor; Approve is for exactly that (the host sends its hash). The host asks for what
// it must (the stop's confirmation, the message, a denial's reason, a cut input read in full) in VS
// Code's own dialogs. Built only when the session changes, so a button keeps the keyboard focus
// while events stream in.
import type { AgentRequest, CommandKind } from '../src/shared/commands';
import type { SessionView } from '../src/shared/timelineProtocol';
import { h } from './dom';
import { postTimeline } from './vscodeApi';

const BUTTONS: Array<{ kind: CommandKind; label: string; icon: string; secondary?: boolean }> = [
  { kind: 'message', label: 'Send Message', icon: 'comment', secondary: true },
  { kind: 'pause', label: 'Pause', icon: 'debug-pause', secondary: true },
  { kind: 'resume', label: 'Resume', icon: 'debug-continue' },
  { kind: 'stop', label: 'Stop', icon: 'debug-stop', secondary: true },
];

function button(kind: CommandKind, label: string, options: { agentRequestId?: string; secondary?: boolean; disabled?: boolean; describedBy?: string; shownWhole?: boolean } = {}): HTMLElement {
  const b = h('vscode-button', { 'data-control': kind, secondary: options.secondary ? '' : undefined, disabled: options.disabled ? '' : undefined, 'aria-describedby': options.describedBy }, label);
  b.addEventListener('click', () => {
    if (b.hasAttribute('disabled')) return;
    postTimeline(options.agentRequestId ? { type: 'control', kind, agentRequestId: options.agentRequestId, ...(options.shownWhole ? { shownWhole: true } : {}) } : { type: 'control', kind });
  });
  return b;
}

/** The whole input (scrollable), or its start and how much is left out. */
function requestDetail(r: AgentRequest, id: string): HTMLElement[] {
  if (!r.detail) return [];
  const pre = h('pre', { class: 'needs-you-detail', tabindex: '0', 'aria-label': r.kind === 'approval' ? 'The input the agent would go on with' : 'What the agent asks', id: `${id}-detail` }, r.detail);
  if (r.kind !== 'approval') return [pre];
  const open = h('vscode-button', { secondary: '', 'data-show-input': r.id }, r.detailCut ? 'Open Whole Input' : 'Open in Editor');
  open.addEventListener('click', () => postTimeline({ type: 'showInput', agentRequestId: r.id }));
  const mark = r.detailCut
    ? h('div', { class: 'needs-you-cut', role: 'note' }, `Cut: the first ${r.detail.length.toLocaleString()} characters of ${(r.inputBytes ?? 0).toLocaleString()} bytes are shown. Approve opens the whole input first.`)
    : '';
  return [pre, h('div', { class: 'needs-you-more' }, mark, open)];
}

/** Fills `el` for `session`; hidden when there is nothing to steer. */
export function renderSteering(el: HTMLElement, session: SessionView | undefined): void {
  const allowed = session?.commands ?? [];
  const requests = session?.requests ?? [];
  el.hidden = allowed.length === 0;
  if (el.hidden) return el.replaceChildren();
  const pending = session?.pending;
  const bar = h(
    'div',
    { class: 'steer-bar', role: 'toolbar', 'aria-label': 'Steer the agent' },
    ...BUTTONS.filter((b) => allowed.includes(b.kind) && !(b.kind === 'message' && requests.some((r) => r.kind === 'question'))).map((b) => button(b.kind, b.label, { secondary: b.secondary, disabled: pending !== undefined })),
    pending ? h('span', { class: 'pending', role: 'status' }, pending) : '',
  );
  const asks = requests.map((r, i) => {
    const id = `request-${i}`;
    return h(
      'div',
      { class: 'needs-you', role: 'alert' },
      h('div', { class: 'needs-you-title', id }, h('strong', {}, 'Needs you: '), r.title),
      ...requestDetail(r, id),
      h(
        'div',
        { class: 'needs-you-actions' },
        ...(r.kind === 'approval'
          ? [button('approve', r.detailCut ? 'Approve…' : 'Approve', { agentRequestId: r.id, disabled: pending !== undefined, describedBy: `${id} ${id}-detail`, shownWhole: !r.detailCut }), button('deny', 'Deny…', { agentRequestId: r.id, secondary: true, disabled: pending !== undefined, describedBy: id })]
          : [button('message', 'Reply…', { agentRequestId: r.id, disabled: pending !== undefined, describedBy: id })]),
      ),
    );
  });
  el.replaceChildren(bar, ...asks);
}
