// Entry of the timeline webview bundle (the UI itself arrives with the timeline issue).
declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscode = acquireVsCodeApi();
vscode.postMessage({ type: 'ready' });
