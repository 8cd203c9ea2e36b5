/**
 * The cell option for the runtime's own traces: what it does to a cell's godebug, and that what
 * it makes is a godebug the protocol allows.
 */
import { godebugProblem } from '@go-slowmo/kernel-bridge/protocol';
import { hasRuntimeTraces, RUNTIME_TRACES, toggledGodebug } from '../src/runtime-traces-option';

test('on: the traces are added to what the cell had; off: they go, the rest stays', () => {
  expect(toggledGodebug(undefined)).toBe(RUNTIME_TRACES);
  expect(godebugProblem(RUNTIME_TRACES)).toBeUndefined();
  expect(toggledGodebug('asyncpreemptoff=1')).toBe(`asyncpreemptoff=1,${RUNTIME_TRACES}`);
  expect(toggledGodebug(RUNTIME_TRACES)).toBeUndefined();
  expect(toggledGodebug('schedtrace=5,scheddetail=1,asyncpreemptoff=1')).toBe('asyncpreemptoff=1');
  expect(hasRuntimeTraces('gctrace=1')).toBe(true);
  expect(hasRuntimeTraces('asyncpreemptoff=1')).toBe(false);
  expect(hasRuntimeTraces(undefined)).toBe(false);
});
