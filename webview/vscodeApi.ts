// The one wrapper around acquireVsCodeApi(): messages typed by each panel's protocol, and the
// panel's UI state.
import type { HealthWebviewMessage } from '../src/shared/healthProtocol';
import type { TimelineWebviewMessage } from '../src/shared/timelineProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

/** The timeline page's messages to the host. */
export function postTimeline(message: TimelineWebviewMessage): void {
  api.postMessage(message);
}

/** The health page's messages to the host. */
export function postHealth(message: HealthWebviewMessage): void {
  api.postMessage(message);
}

/** Calls `listener` with every host message `isMessage` accepts; anything else is ignored. */
export function onHostMessage<M>(listener: (message: M) => void, isMessage: (m: unknown) => m is M): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isMessage(event.data)) listener(event.data);
  });
}

export function loadState<S>(): Partial<S> {
  const s = api.getState();
  return s && typeof s === 'object' ? (s as Partial<S>) : {};
}

export function saveState<S>(state: S): void {
  api.setState(state);
}
