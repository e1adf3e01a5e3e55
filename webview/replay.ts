// Replay: plays the session back at 1–20× (or scrubs to a moment); the timeline shows only what
// had happened by then. `at` is the replay time in ms, undefined when showing everything live.
import type { TimelineEntry } from '../src/shared/entries';
import { h } from './dom';
import { totals } from './model';

const SPEEDS = [1, 2, 5, 10, 20];

export class Replay {
  at: number | undefined;
  private playing = false;
  private speed = 1;
  private lastFrame = 0;
  readonly playButton = h('button', { class: 'toggle', type: 'button', title: 'Replay the session' }, '▶ Replay');
  readonly speedSelect = h('select', { 'aria-label': 'Replay speed' }, ...SPEEDS.map((s) => h('option', { value: String(s) }, `${s}×`)));
  readonly scrub = h('input', { type: 'range', min: '0', max: '1000', value: '1000', 'aria-label': 'Replay position', class: 'scrub' }) as HTMLInputElement;

  constructor(
    private readonly entries: () => TimelineEntry[],
    /** Draw the list again (the replay time moved). */
    private readonly refresh: () => void,
    /** Playing starts by following the end of what is shown. */
    private readonly follow: () => void,
  ) {
    this.playButton.addEventListener('click', () => this.toggle());
    this.speedSelect.addEventListener('change', () => (this.speed = Number(this.speedSelect.value)));
    this.scrub.addEventListener('input', () => this.scrubTo(Number(this.scrub.value)));
  }

  private toggle(): void {
    if (this.playing) {
      this.playing = false;
      this.playButton.textContent = '▶ Replay';
      return;
    }
    const t = totals(this.entries());
    if (!t.start) return;
    if (this.at === undefined || this.at >= t.end) this.at = t.start;
    this.playing = true;
    this.playButton.textContent = '⏸ Pause';
    this.follow();
    this.lastFrame = performance.now();
    const frame = (now: number) => {
      if (!this.playing) return;
      this.at! += (now - this.lastFrame) * this.speed;
      this.lastFrame = now;
      const end = totals(this.entries()).end;
      if (this.at! >= end) return this.stop();
      this.scrub.value = String(Math.round(((this.at! - t.start) / Math.max(1, end - t.start)) * 1000));
      this.refresh();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  private scrubTo(position: number): void {
    const t = totals(this.entries());
    this.at = position >= 1000 ? undefined : t.start + ((t.end - t.start) * position) / 1000;
    this.refresh();
  }

  private stop(): void {
    this.playing = false;
    this.at = undefined;
    this.playButton.textContent = '▶ Replay';
    this.scrub.value = '1000';
    this.refresh();
  }
}
