// A request's whole input in a read-only editor (scheme `agent-session-stream-input`), so a viewer
// can read every line of what an approval lets through before approving it.
import * as vscode from 'vscode';
import { wholeInput } from '../core/approvals';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { AgentRequest } from '../shared/commands';

export const INPUT_SCHEME = 'agent-session-stream-input';

export class RequestInputs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(INPUT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? 'This request is no longer waiting.';
  }

  /** Reads and checks the whole input of `request` (see core/approvals.ts); its text and hash. */
  load(client: SupabaseClient, sessionId: string, request: AgentRequest): Promise<{ text: string; hash: string }> {
    return wholeInput(client, sessionId, request);
  }

  /** Opens `text` (the whole input of `request`) read-only, beside the active editor. */
  async show(request: AgentRequest, text: string): Promise<void> {
    const key = `/${encodeURIComponent(request.id)}.json`;
    this.texts.set(key, text);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: INPUT_SCHEME, path: key }));
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  dispose(): void {
    this.registration.dispose();
  }
}
