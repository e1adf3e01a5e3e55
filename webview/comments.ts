// Comments on events in the timeline: a thread under each commented row (Markdown through
// markdown-it with raw HTML off, so what people type is never parsed as HTML; images off, links
// checked by markdown-it's validateLink), Edit and Delete on your own, and one composer docked at
// the bottom of the view — not inside the virtualized rows, which are recycled while you type.
// The composer closes only when the host's reply says the comment was stored; on failure (an error
// reply) it keeps the text and shows why. A draft survives a reload of the view (UI state).
import MarkdownIt from 'markdown-it';
import { annotationBodyProblem, MAX_ANNOTATION_BYTES, type Annotation } from '../src/shared/annotations';
import { addCommentRequest, editCommentRequest, type TimelineHostMessage } from '../src/shared/timelineProtocol';
import { h } from './dom';
import { request } from './hostRequests';
import { relativeTime, type Draft } from './model';
import { postTimeline } from './vscodeApi';

const md = new MarkdownIt({ html: false, linkify: true, breaks: true }).disable(['image']);
// Only web and mail links: not vscode:, command:, file:, data:, javascript: or relative ones.
md.validateLink = (url: string) => /^(https?:|mailto:)/i.test(url.trim());

export class Comments {
  private readonly byId = new Map<string, Annotation>();
  private readonly versions = new Map<string, number>();
  private me = '';
  /** The save waited for; an answer to any other (the composer was closed meanwhile) is dropped. */
  private pending: Promise<null> | undefined;
  private readonly text = h('textarea', { class: 'composer-text', rows: '3', 'aria-label': 'Comment (Markdown)', placeholder: 'Comment in Markdown. Ctrl+Enter to save, Esc to cancel.' }) as HTMLTextAreaElement;
  private readonly title = h('div', { class: 'composer-title' });
  private readonly hint = h('span', { class: 'composer-hint muted', 'aria-live': 'polite' });
  private readonly save = h('vscode-button', {}, 'Save');
  readonly composer = h('form', { class: 'composer', hidden: '', 'aria-label': 'Comment' });
  private draft: Draft | undefined;

  constructor(
    /** The rows of these events must be drawn again. */
    private readonly changed: (eventIds: Set<string>) => void,
    private readonly persist: (draft: Draft | undefined) => void,
    private readonly focusList: () => void,
  ) {
    const cancel = h('vscode-button', { secondary: '' }, 'Cancel');
    this.composer.append(this.title, this.text, h('div', { class: 'composer-actions' }, this.hint, cancel, this.save));
    this.composer.addEventListener('submit', (e) => e.preventDefault());
    this.save.addEventListener('click', () => this.submit());
    cancel.addEventListener('click', () => this.close());
    this.text.addEventListener('input', () => this.validate());
    this.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.submit();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
      }
    });
  }

  /** Everything, as `init` sends it. */
  reset(all: Annotation[], me: string): void {
    const touched = new Set([...this.byId.values()].map((a) => a.eventId));
    this.byId.clear();
    this.me = me;
    this.apply(all, [], touched);
  }

  onMessage(m: Extract<TimelineHostMessage, { type: 'annotations' }>): void {
    this.apply(m.upserted, m.removed, new Set());
  }

  private apply(upserted: Annotation[], removed: string[], touched: Set<string>): void {
    for (const id of removed) {
      const held = this.byId.get(id);
      if (held) touched.add(held.eventId);
      this.byId.delete(id);
    }
    for (const a of upserted) {
      this.byId.set(a.id, a);
      touched.add(a.eventId);
    }
    for (const id of touched) this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
    if (touched.size > 0) this.changed(touched);
  }

  /** Part of a row's cache key: changes when the event's thread does. */
  version(eventId: string): number {
    return this.versions.get(eventId) ?? 0;
  }

  /** The thread of comments for an event (oldest first), or null. */
  thread(eventId: string, now: number): HTMLElement | null {
    const notes = [...this.byId.values()].filter((a) => a.eventId === eventId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    if (notes.length === 0) return null;
    return h('ul', { class: 'thread', 'aria-label': `${notes.length} comment${notes.length === 1 ? '' : 's'}` }, ...notes.map((a) => this.note(a, now)));
  }

  private note(a: Annotation, now: number): HTMLElement {
    const body = h('div', { class: 'note-body' });
    body.innerHTML = md.render(a.body); // markdown-it with html: false escapes any HTML in the text
    const mine = a.userId === this.me;
    const created = Date.parse(a.createdAt);
    return h(
      'li',
      { class: `note${mine ? ' mine' : ''}`, 'data-note': a.id },
      h(
        'div',
        { class: 'note-head' },
        h('strong', {}, mine ? 'You' : a.authorName),
        ' ',
        h('time', { class: 'muted', datetime: a.createdAt, title: new Date(created).toLocaleString() }, relativeTime(created, now)),
        a.editedAt ? h('span', { class: 'muted', title: `Edited ${new Date(a.editedAt).toLocaleString()}` }, ' (edited)') : null,
        mine ? h('button', { class: 'link-button', type: 'button', 'data-edit-note': a.id, 'aria-label': 'Edit your comment' }, 'Edit') : null,
        mine ? h('button', { class: 'link-button', type: 'button', 'data-delete-note': a.id, 'aria-label': 'Delete your comment' }, 'Delete') : null,
      ),
      body,
    );
  }

  /** A click in the list on a comment control; true when it was one. */
  onClick(target: HTMLElement, eventId: string | undefined, label: string): boolean {
    const edit = target.closest<HTMLElement>('[data-edit-note]');
    const remove = target.closest<HTMLElement>('[data-delete-note]');
    if (edit) {
      const a = this.byId.get(edit.dataset.editNote!);
      if (a) this.open({ eventId: a.eventId, id: a.id, label: `Edit your comment on ${label}`, body: a.body });
    } else if (remove) {
      postTimeline({ type: 'deleteAnnotation', id: remove.dataset.deleteNote! });
    } else if (target.closest('[data-comment]') && eventId) {
      this.open({ eventId, label: `Comment on ${label}`, body: '' });
    } else return false;
    return true;
  }

  open(draft: Draft): void {
    const keep = this.draft && this.draft.eventId === draft.eventId && this.draft.id === draft.id;
    this.draft = keep ? { ...draft, body: this.text.value } : draft;
    this.title.textContent = draft.label;
    this.text.value = this.draft.body;
    this.composer.hidden = false;
    this.validate();
    this.text.focus();
  }

  private close(): void {
    this.draft = undefined;
    this.pending = undefined;
    this.save.removeAttribute('disabled');
    this.composer.hidden = true;
    this.text.value = '';
    this.persist(undefined);
    this.focusList();
  }

  private validate(): boolean {
    if (!this.draft) return false;
    this.draft.body = this.text.value;
    this.persist(this.draft);
    const problem = this.text.value.length > 0 ? annotationBodyProblem(this.text.value) : undefined;
    const bytes = new TextEncoder().encode(this.text.value).length;
    this.hint.textContent = problem ?? (bytes > MAX_ANNOTATION_BYTES * 0.8 ? `${bytes} / ${MAX_ANNOTATION_BYTES} bytes` : '');
    this.composer.classList.toggle('invalid', problem !== undefined);
    return problem === undefined && this.text.value.trim() !== '';
  }

  private submit(): void {
    if (!this.draft || this.pending) return;
    if (!this.validate()) {
      this.hint.textContent = annotationBodyProblem(this.text.value) ?? '';
      return;
    }
    this.save.setAttribute('disabled', '');
    this.hint.textContent = 'Saving…';
    const { eventId, id } = this.draft;
    const body = this.text.value;
    const saving = id ? request(editCommentRequest, { id, body }) : request(addCommentRequest, { eventId, body });
    this.pending = saving;
    saving.then(
      () => this.saved(saving),
      (error: Error) => this.saved(saving, error.message || 'Could not save the comment.'),
    );
  }

  private saved(saving: Promise<null>, failure?: string): void {
    if (this.pending !== saving) return;
    this.pending = undefined;
    this.save.removeAttribute('disabled');
    if (failure === undefined) this.close();
    else this.hint.textContent = failure;
  }
}
