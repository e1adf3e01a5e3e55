// The page of every webview panel: a strict CSP with a per-load nonce (scripts and styles only
// from the bundle folder, no inline code but the nonce'd tags), one bundle's script and style.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Webviews may load only from here (`localResourceRoots`). */
export function bundleRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** `bundle` names dist/webview/<bundle>.js and .css; `data` become data-* attributes of #app. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string, data: Record<string, string> = {}): string {
  const nonce = randomBytes(16).toString('base64');
  const root = bundleRoot(extensionUri);
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, `${bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, `${bundle}.css`));
  const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data:`, `style-src ${webview.cspSource} 'nonce-${nonce}'`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  const attrs = Object.entries(data).map(([k, v]) => ` data-${k}="${escapeAttr(v)}"`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}" nonce="${nonce}">
<title>${escapeAttr(title)}</title>
</head>
<body>
<div id="app"${attrs}></div>
<script type="module" nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
