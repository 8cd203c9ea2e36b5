/**
 * The timeline under a learner's hands, for `make bench`: in the page, one
 * gesture per animation frame for a few seconds (the wheel zooming in and
 * out around a moving pointer, a sideways pan, the lanes scrolled), then how
 * many frames the timeline drew per second and how long each took to draw.
 * Measured in headless Chromium, with its real canvas.
 */
import type { Locator } from 'playwright-core';

export interface TimelineFigures {
  fps: number;
  /** Milliseconds per frame drawn: the median and the 95th percentile. */
  median: number;
  p95: number;
  frames: number;
  /** Rectangles filled in the last frame (what culling and merging left). */
  rects: number;
  rows: number;
  /** Milliseconds to draw a frame with the whole run in view (the most slices), median of 30. */
  whole: number;
}

/** Drives the open timeline of `run` for `ms` milliseconds. */
export function driveTimeline(run: Locator, ms = 5000): Promise<TimelineFigures> {
  return run.evaluate(
    (el, duration) =>
      new Promise<TimelineFigures>((resolve) => {
        type View = {
          stats: { frames: number; rects: number; recent: number[] };
          rows: { rows: unknown[] };
          scroller: HTMLElement;
          scrollY: number;
          fitAll(): void;
          draw(): void;
          invalidate(): void;
        };
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;
        /** The whole run in view, at the top (the P lanes, the busiest), drawn 30 times over. */
        const whole = (): number => {
          v.fitAll();
          v.scroller.scrollTop = 0;
          v.scrollY = 0;
          const times: number[] = [];
          for (let k = 0; k < 30; k++) {
            const s = performance.now();
            v.invalidate();
            v.draw();
            times.push(performance.now() - s);
          }
          return median(times);
        };
        const node = el.querySelector('.jp-slowmo-timeline-view') as unknown as {
          slowmoTimeline: View;
        };
        const v = node.slowmoTimeline;
        const canvas = el.querySelector('.jp-slowmo-timeline-canvas') as HTMLCanvasElement;
        const box = canvas.getBoundingClientRect();
        const f0 = v.stats.frames;
        v.stats.recent.length = 0;
        const t0 = performance.now();
        let i = 0;
        const step = (): void => {
          const now = performance.now();
          if (now - t0 >= duration) {
            const times = [...v.stats.recent].sort((a, b) => a - b);
            const at = (q: number) =>
              times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
            resolve({
              fps: ((v.stats.frames - f0) * 1000) / (now - t0),
              median: at(0.5),
              p95: at(0.95),
              frames: v.stats.frames - f0,
              rects: v.stats.rects,
              rows: v.rows.rows.length,
              whole: whole(),
            });
            return;
          }
          // 24 frames zooming in (to about a 30th of the run), 24 out, around a pointer that
          // wanders; every third a pan.
          const zoomIn = Math.floor(i / 24) % 2 === 0;
          const x = box.left + 200 + ((i * 13) % Math.max(1, box.width - 260));
          const pan = i % 3 === 2;
          canvas.dispatchEvent(
            new WheelEvent('wheel', {
              deltaX: pan ? 60 : 0,
              deltaY: pan ? 0 : zoomIn ? -100 : 100,
              clientX: x,
              clientY: box.top + 60,
              bubbles: true,
              cancelable: true,
            }),
          );
          // Up and down through the Ps and the first goroutines.
          v.scroller.scrollTop = (i * 9) % 320;
          i++;
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }),
    ms,
  );
}
