// The timeline's way into a session of any length: pages of it when the list scrolls past what it
// holds or jumps (a link, a search hit, the overview bar), search over the whole session on the
// server, counts per type for the filters, and exports of the whole session (JSON Lines or
// Markdown, a page at a time) — read as the signed-in user, for one panel.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import * as vscode from 'vscode';
import { exportSession, sessionHeader, type ExportFormat } from '../core/exportSession';
import { typeCounts } from '../core/pages';
import { answerPage, answerSearch } from '../core/timelineAnswers';
import type { PageParams, PageResult, SearchParams, SearchResult, TimelineHostMessage } from '../shared/timelineProtocol';
import type { AuthService } from './auth';
import { notices } from './texts';

/** The whole session goes to the clipboard up to this size; past it, to a file. */
const CLIPBOARD_LIMIT = 4 * 1024 * 1024;

/** A link to one event: opens its timeline there, in any window of a user who may see it. */
export async function eventLink(sessionId: string, seq: number): Promise<string> {
  const uri = vscode.Uri.parse(`${vscode.env.uriScheme}://agent-session-stream.agent-session-stream/event`).with({ query: new URLSearchParams({ session: sessionId, seq: String(seq) }).toString() });
  return (await vscode.env.asExternalUri(uri)).toString(true);
}

/** Reads a link made by `eventLink` (as given, or as the browser shows it): the session and the event number. */
export function parseEventLink(text: string): { sessionId: string; seq: number } | undefined {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(text.trim(), true);
  } catch {
    return undefined;
  }
  const query = new URLSearchParams(uri.query);
  const sessionId = query.get('session') ?? '';
  const seq = Number(query.get('seq'));
  if (!/^[0-9a-f-]{36}$/i.test(sessionId) || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { sessionId, seq };
}

export class PanelHistory {
  constructor(
    private readonly auth: AuthService,
    private readonly sessionId: string,
    private readonly post: (m: TimelineHostMessage) => void,
    private readonly title: () => string,
  ) {}

  page(params: PageParams): Promise<PageResult> {
    return answerPage(this.auth.signedInClient(), this.sessionId, params);
  }

  search(params: SearchParams): Promise<SearchResult> {
    return answerSearch(this.auth.signedInClient(), this.sessionId, params);
  }

  /** Counts per type over the whole session, for the filter buttons (left out where the project cannot count). */
  async counts(total: number): Promise<void> {
    try {
      this.post({ type: 'counts', counts: await typeCounts(this.auth.signedInClient(), this.sessionId), total });
    } catch {
      // An older project without the counting function: the filters count what is loaded.
    }
  }

  /** The whole session to a file the user picks, read a page at a time. */
  async exportTo(format: ExportFormat): Promise<void> {
    const ext = format === 'jsonl' ? 'jsonl' : 'md';
    const target = await vscode.window.showSaveDialog({ filters: format === 'jsonl' ? { 'JSON Lines': ['jsonl'] } : { Markdown: ['md'] }, saveLabel: 'Export', defaultUri: vscode.Uri.file(`session-${this.sessionId.slice(0, 8)}.${ext}`) });
    if (!target) return;
    const out = createWriteStream(target.fsPath);
    const n = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: notices.exporting(this.title()), cancellable: false }, async (progress) => {
      let written = 0;
      const count = await exportSession(this.auth.signedInClient(), this.sessionId, format, async (chunk) => {
        if (!out.write(chunk)) await once(out, 'drain');
        written += chunk.length;
        progress.report({ message: `${(written / 1024 / 1024).toFixed(1)} MB` });
      });
      out.end();
      await once(out, 'finish');
      return count;
    });
    void vscode.window.showInformationMessage(`Exported ${n.toLocaleString()} events to ${target.fsPath}.`);
  }

  /** The whole session as Markdown to the clipboard; a session too long for it goes to a file instead. */
  async copyMarkdown(): Promise<void> {
    const client = this.auth.signedInClient();
    const header = await sessionHeader(client, this.sessionId);
    let text = '';
    let tooLong = false;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Copying the session as Markdown' }, () =>
      exportSession(client, this.sessionId, 'markdown', async (chunk) => {
        if (text.length + chunk.length > CLIPBOARD_LIMIT) {
          tooLong = true;
          throw new Error('too long for the clipboard');
        }
        text += chunk;
      }, { header }).catch((error: Error) => {
        if (!tooLong) throw error;
      }),
    );
    if (tooLong) {
      const choice = await vscode.window.showWarningMessage(notices.tooLargeForClipboard(header.title, CLIPBOARD_LIMIT / 1024 / 1024), 'Export to a File…');
      if (choice) await this.exportTo('markdown');
      return;
    }
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage('$(copy) The session, as Markdown, is on the clipboard', 3000);
  }
}
