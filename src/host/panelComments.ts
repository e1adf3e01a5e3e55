// A timeline panel's comments and read marker, as the signed-in user: adds, edits and deletes
// comments the webview asks for (a delete is confirmed first; an add or edit that fails is the
// request's error reply, so the composer keeps the text and says why), loads where the user left
// off, and moves that marker forward as they read (at most every few seconds; the database never
// moves it back).
import * as vscode from 'vscode';
import { withTimeout } from '../core/clock';
import { addAnnotation, deleteAnnotation, editAnnotation, fetchReadMarker, saveReadMarker } from '../core/annotations';
import type { ParamsOf } from '../shared/requests';
import type { addCommentRequest, editCommentRequest, TimelineWebviewMessage } from '../shared/timelineProtocol';
import type { AuthService } from './auth';

const SAVE_READ_MS = 3000;
const MARKER_WAIT_MS = 2000;

type CommentMessage = Extract<TimelineWebviewMessage, { type: 'deleteAnnotation' | 'read' }>;

export class PanelComments implements vscode.Disposable {
  private readonly marker: Promise<number | undefined>;
  private readSeq = -1;
  private savedSeq = -1;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly auth: AuthService,
    private readonly sessionId: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.marker = fetchReadMarker(this.auth.signedInClient(), sessionId).catch((error: unknown) => {
      this.log.warn(`${(error as Error).message} (the timeline opens at the end)`);
      return undefined;
    });
  }

  /** The signed-in user's id ('' when signed out): their own comments can be edited. */
  get me(): string {
    return this.auth.state.kind === 'signedIn' ? this.auth.state.userId : '';
  }

  /** Where the user left off; a slow server does not hold the timeline back for long. */
  async readMarker(): Promise<number | undefined> {
    const seq = await withTimeout(this.marker, MARKER_WAIT_MS);
    if (seq !== undefined) this.savedSeq = Math.max(this.savedSeq, seq);
    return seq;
  }

  /** Stores a new comment (it comes back through the stream, like everyone else's). */
  async add(params: ParamsOf<typeof addCommentRequest>): Promise<null> {
    await addAnnotation(this.auth.signedInClient(), this.sessionId, params.eventId, params.body);
    return null;
  }

  async edit(params: ParamsOf<typeof editCommentRequest>): Promise<null> {
    await editAnnotation(this.auth.signedInClient(), params.id, params.body);
    return null;
  }

  async handle(message: CommentMessage): Promise<void> {
    switch (message.type) {
      case 'deleteAnnotation': {
        const answer = await vscode.window.showWarningMessage('Delete this comment?', { modal: true, detail: 'Everyone watching this session sees it disappear.' }, 'Delete');
        if (answer !== 'Delete') return;
        try {
          await deleteAnnotation(this.auth.signedInClient(), message.id);
        } catch (error) {
          void vscode.window.showErrorMessage((error as Error).message);
        }
        return;
      }
      case 'read':
        this.read(message.seq);
        return;
    }
  }

  private read(seq: number): void {
    if (seq <= this.readSeq) return;
    this.readSeq = seq;
    this.saveTimer ??= setTimeout(() => void this.saveRead(), SAVE_READ_MS);
  }

  private async saveRead(): Promise<void> {
    this.saveTimer = undefined;
    const seq = this.readSeq;
    if (seq <= this.savedSeq || this.auth.state.kind !== 'signedIn') return;
    try {
      this.savedSeq = await saveReadMarker(this.auth.signedInClient(), this.sessionId, seq);
    } catch (error) {
      this.log.warn((error as Error).message);
    }
  }

  /** Saves a pending read position now (the panel is closing). */
  dispose(): void {
    if (this.saveTimer === undefined) return;
    clearTimeout(this.saveTimer);
    void this.saveRead();
  }
}
