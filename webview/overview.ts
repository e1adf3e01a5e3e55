// The overview bar beside the list: where the rows on screen are in the whole session, however
// long (the list's own scrollbar covers only what is held). Its thumb spans the numbers on screen
// out of the session's length; a click or a drag on the track, or the keys (Home, End, Page Up,
// Page Down, arrows) jump there. A scrollbar to assistive technology (role, value, label).
import { h } from './dom';

export class OverviewBar {
  readonly el = h('div', { class: 'overview', role: 'scrollbar', 'aria-orientation': 'vertical', 'aria-label': 'Position in the whole session', tabindex: '0', 'aria-valuemin': '1' });
  private readonly thumb = h('div', { class: 'overview-thumb' });
  private total = 0;
  private first = 0;
  private last = 0;
  private dragging = false;

  constructor(private readonly jump: (seq: number) => void) {
    this.el.append(this.thumb);
    this.el.addEventListener('pointerdown', (e) => {
      this.dragging = true;
      this.el.setPointerCapture(e.pointerId);
      this.preview(e.clientY);
    });
    this.el.addEventListener('pointermove', (e) => this.dragging && this.preview(e.clientY));
    this.el.addEventListener('pointerup', (e) => {
      if (!this.dragging) return;
      this.dragging = false;
      this.jump(this.seqAt(e.clientY));
    });
    this.el.addEventListener('keydown', (e) => {
      const span = Math.max(1, this.last - this.first + 1);
      const to: Record<string, number> = { Home: 1, End: this.total, PageUp: this.first - Math.ceil(this.total / 10), PageDown: this.first + Math.ceil(this.total / 10), ArrowUp: this.first - span, ArrowDown: this.first + span };
      if (!(e.key in to) || this.total === 0) return;
      e.preventDefault();
      e.stopPropagation();
      this.jump(Math.max(1, Math.min(this.total, to[e.key]!)));
    });
  }

  /** The rows on screen are numbers `first`..`last` of `total`. */
  update(first: number, last: number, total: number): void {
    this.total = total;
    this.first = first;
    this.last = last;
    this.el.hidden = total === 0;
    this.el.setAttribute('aria-valuemax', String(Math.max(1, total)));
    this.el.setAttribute('aria-valuenow', String(Math.max(1, first)));
    this.el.setAttribute('aria-valuetext', total ? `Events ${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()}` : 'No events');
    if (!this.dragging) this.place(first, last);
  }

  private place(first: number, last: number): void {
    const t = Math.max(1, this.total);
    const top = ((Math.max(1, first) - 1) / t) * 100;
    const height = Math.max(2, ((last - first + 1) / t) * 100);
    this.thumb.style.top = `${Math.min(100 - height, top)}%`;
    this.thumb.style.height = `${height}%`;
  }

  private seqAt(clientY: number): number {
    const r = this.el.getBoundingClientRect();
    const f = Math.max(0, Math.min(1, (clientY - r.top) / Math.max(1, r.height)));
    return Math.max(1, Math.min(this.total, Math.round(f * this.total)));
  }

  private preview(clientY: number): void {
    const seq = this.seqAt(clientY);
    const span = Math.max(1, this.last - this.first);
    this.place(seq, seq + span);
  }
}
