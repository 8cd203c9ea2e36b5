/**
 * The toy scheduler in bench/synthetic.ts keeps its own queues, written
 * independently of the reducer. Replaying its events through the reducer
 * must give the very same run queues, global queue and statuses at every
 * point checked, for several seeds and shapes (few or many Ps, creation
 * bursts that overflow a local queue), with no snapshot events to lean on.
 */
import { initialState, replay, summarize } from '../src/protocol';
import { SchedulerSim } from '../bench/synthetic';

test.each([
  [1, 1, 50],
  [2, 2, 100],
  [2026, 4, 300],
  [9, 8, 400],
])('seed %i, %i Ps, population %i: reducer and model agree', (seed, procs, population) => {
  const sim = new SchedulerSim({ seed, procs, population, snapshotRate: 0 });
  let state = initialState();
  // The first point where they disagree, else the last point checked.
  let compared: { reduced: object; model: object } | undefined;
  let points = 0;
  for (let upTo = 250; upTo <= 100_000; upTo += 250) {
    state = replay(sim.advance(upTo), state);
    const summary = summarize(state);
    const model = {
      procs: sim.procs.map((p) => ({ running: p.running, runnext: p.runnext, runq: p.runq })),
      globalq: sim.globalq,
      goroutines: Object.fromEntries([...sim.status].map(([goid, st]) => [String(goid), st])),
    };
    const reduced = {
      procs: summary.procs.map((p) => ({
        running: p.running ?? 0,
        runnext: p.runnext ?? 0,
        runq: p.runq,
      })),
      globalq: summary.globalq,
      goroutines: summary.goroutines,
    };
    points++;
    compared = { reduced: { seq: state.seq, ...reduced }, model: { seq: state.seq, ...model } };
    if (JSON.stringify(reduced) !== JSON.stringify(model)) break;
  }
  expect(points).toBeGreaterThan(0);
  expect(compared?.reduced).toEqual(compared?.model);
});
