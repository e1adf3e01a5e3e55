// The one wrapper around acquireVsCodeApi() (style rule 4): typed messages and UI state.
import type { HostMessage, WebviewMessage } from '../src/shared/protocol';
import type { UiState } from './model';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

export function onHostMessage(listener: (message: HostMessage) => void, isHostMessage: (m: unknown) => m is HostMessage): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isHostMessage(event.data)) listener(event.data);
  });
}

export function loadState(): Partial<UiState> {
  const s = api.getState();
  return s && typeof s === 'object' ? (s as Partial<UiState>) : {};
}

export function saveState(state: UiState): void {
  api.setState(state);
}
