/**
 * What show() costs on the benchmark's recording (1,000 goroutines, 100,000
 * events, 8 Ps), without drawing: the layout, the SVG layers and the
 * Cytoscape diff. Drawing is measured in Chromium by the extension's
 * `make bench`; this keeps the picture's own share from regressing.
 */
import './dom-shim';
import { Timeline } from '@go-slowmo/kernel-bridge/protocol';
import { synthetic } from '../../../kernel-bridge/bench/synthetic';
import { sceneOf } from '../../src/picture/scene';
import { PictureView } from '../../src/picture/view';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

describe('show() cost on 1,000 goroutines and 100,000 events', () => {
  const events = synthetic(100_000, { seed: 7, procs: 8, population: 1000 });
  const timeline = Timeline.from(events);
  const frames = 300;
  const step = Math.floor(events.length / frames);
  const states = Array.from({ length: frames }, (_, i) => timeline.stateAt(i * step + step - 1));

  test('the recording has about 1,000 goroutines alive', () => {
    const peak = Math.max(...states.map((s) => sceneOf(s).counts.live));
    expect(peak).toBeGreaterThan(800);
  });

  test('well under a frame per call while playing (every 333rd event) and per single step', () => {
    const view = new PictureView({ headless: true });
    for (const s of states.slice(0, 20)) view.show(s); // warm-up: JIT and first layout
    const play: number[] = [];
    for (const s of states) {
      const t0 = performance.now();
      view.show(s, { animate: false });
      play.push(performance.now() - t0);
    }
    const single: number[] = [];
    for (let seq = 50_000; seq < 50_300; seq++) {
      const s = timeline.stateAt(seq);
      const t0 = performance.now();
      view.show(s, { animate: false });
      single.push(performance.now() - t0);
    }
    const layout: number[] = [];
    for (const s of states) {
      const t0 = performance.now();
      sceneOf(s);
      layout.push(performance.now() - t0);
    }
    const nodes = view.cy.nodes().length;
    console.log(
      `show(): ${median(play).toFixed(2)} ms median playing, ${median(single).toFixed(2)} ms per ` +
        `single step, sceneOf alone ${median(layout).toFixed(2)} ms; ${nodes} nodes on screen`,
    );
    // A frame at 30 fps is 33 ms, and the canvas needs most of it.
    expect(median(play)).toBeLessThan(10);
    expect(median(single)).toBeLessThan(10);
    expect(nodes).toBeLessThan(600);
    view.dispose();
  });
});
