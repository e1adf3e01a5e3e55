/// <reference lib="dom" />
// The one plot of the benchmark report: the latency distribution (emit → callback) of ours, a bare
// supabase-js subscription and the naive RealtimeService, one panel per event rate, drawn by
// Chart.js in a real Chromium (@sparticuz/chromium + playwright-core) and saved as a PNG.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import chromium from '@sparticuz/chromium';
import { chromium as playwright } from 'playwright-core';

export interface LatencySamples {
  rate: number;
  ours: number[];
  bare: number[];
  naive: number[];
}

/** Percentile curve points (p0…p100 in 0.5 steps), so the page gets a few hundred points, not 45,000. */
function curve(values: number[]): Array<{ x: number; y: number }> {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  return Array.from({ length: 201 }, (_, i) => ({ x: sorted[Math.min(sorted.length - 1, Math.floor((i / 200) * sorted.length))]!, y: i / 2 }));
}

export async function plotLatency(samples: LatencySamples[], file: string, title: string): Promise<void> {
  // chart.js's `exports` map hides dist/chart.umd.js; its main entry sits in the same folder.
  const chartJs = readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
  const browser = await playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
  try {
    const width = 420 * samples.length;
    const page = await browser.newPage({ viewport: { width, height: 420 }, deviceScaleFactor: 2 });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff;font-family:sans-serif">
      <div style="display:flex">${samples.map((_, i) => `<div style="width:420px;height:400px"><canvas id="c${i}"></canvas></div>`).join('')}</div></body></html>`);
    await page.addScriptTag({ content: chartJs });
    await page.evaluate('window.__name = (f) => f'); // tsx names the functions it passes to the page
    const series = samples.map((s) => ({ rate: s.rate, ours: curve(s.ours), bare: curve(s.bare), naive: curve(s.naive), n: s.ours.length }));
    await page.evaluate(
      ({ series, title }) => {
        const Chart = (window as unknown as { Chart: new (el: HTMLCanvasElement, config: unknown) => unknown }).Chart;
        series.forEach((s, i) => {
          new Chart(document.getElementById(`c${i}`) as HTMLCanvasElement, {
            type: 'line',
            data: {
              datasets: [
                { label: 'ours (SessionEventStream)', data: s.ours, borderColor: '#1a85ff', borderWidth: 2, pointRadius: 0 },
                { label: 'bare supabase-js', data: s.bare, borderColor: '#6b6b6b', borderWidth: 2, borderDash: [6, 4], pointRadius: 0 },
                { label: 'naive RealtimeService', data: s.naive, borderColor: '#d18616', borderWidth: 2, borderDash: [2, 3], pointRadius: 0 },
              ],
            },
            options: {
              animation: false,
              responsive: true,
              maintainAspectRatio: false,
              plugins: { title: { display: true, text: `${title} — ${s.rate} events/s` }, legend: { position: 'bottom' } },
              scales: {
                // Only 1, 2 and 5 × 10ⁿ on the log axis (80 and 90 would overlap).
                x: { type: 'logarithmic', title: { display: true, text: 'emit → callback latency (ms, log scale)' }, ticks: { maxRotation: 0, callback: (v: number | string) => (/^[125]0*$/.test(String(v)) ? String(v) : '') } },
                y: { min: 0, max: 100, title: { display: true, text: 'percentile' } },
              },
            },
          });
        });
      },
      { series, title },
    );
    await page.screenshot({ path: file });
  } finally {
    await browser.close();
  }
}
