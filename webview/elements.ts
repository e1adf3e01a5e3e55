// The one place that registers the UI components (style rule 4): @vscode-elements/elements, the
// maintained successor of @vscode/webview-ui-toolkit. Only what the timeline uses is imported.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
