/**
 * The benchmark's recording (1,000 goroutines, 100,000 events, 8 Ps) in the
 * live view: it must stay a picture of bounded size however many goroutines
 * there are. Its speed is measured by the extension's `make bench`.
 */
import './dom-shim';
import { Timeline } from '@go-slowmo/kernel-bridge/protocol';
import { synthetic } from '../../../kernel-bridge/bench/synthetic';
import { sceneOf } from '../../src/picture/scene';
import { PictureView } from '../../src/picture/view';

describe('the live view on 1,000 goroutines and 100,000 events', () => {
  const events = synthetic(100_000, { seed: 7, procs: 8, population: 1000 });
  const timeline = Timeline.from(events);
  const frames = 300;
  const step = Math.floor(events.length / frames);
  const states = Array.from({ length: frames }, (_, i) => timeline.stateAt(i * step + step - 1));

  test('the recording has about 1,000 goroutines alive', () => {
    const peak = Math.max(...states.map((s) => sceneOf(s).counts.live));
    expect(peak).toBeGreaterThan(800);
  });

  test('a thousand goroutines stay a bounded picture: collapsed, not thousands of nodes', () => {
    // Timing lives in `make bench` (frames per second in Chromium); this is the
    // property that keeps it fast: what is drawn does not grow with the run.
    const view = new PictureView({ headless: true });
    let most = 0;
    for (const s of states) {
      view.show(s, { animate: false });
      most = Math.max(most, view.cy.nodes().length);
    }
    expect(most).toBeLessThan(600);
    view.dispose();
  });
});
