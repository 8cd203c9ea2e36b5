/**
 * The heap checks (protocol/checks/heap.ts) on real GC lens recordings (eBPF, `slowmo run --gc`)
 * of the probe's acceptance programs, on the oldest and the newest supported Go: gclist.go keeps
 * a 1,000-node list from a global and drops a 500-node one; gcmover.go moves nodes of a list
 * while the collector marks it. Their list-building functions are inlined into main, so the
 * sites named by function are found through the source (heap-site.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { evaluateCheckpoint, parseEvent, type CheckInput, type SlowmoEvent } from '../src/protocol';
import { ebpfDescribe } from './support/bridge';
import { oldestAndNewestGo } from './support/lesson-suites';

jest.setTimeout(300_000);

const TESTDATA = path.join(__dirname, '..', '..', 'bpf', 'internal', 'probe', 'testdata');
const ROOT = path.join(__dirname, '..', '..');

function record(program: string, go: string): SlowmoEvent[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'slowmo-heapcheck-'));
  const file = path.join(dir, 'main.go');
  writeFileSync(file, program);
  const args = ['--no-install', 'slowmo', 'run', file, '--gc', '--procs', '2', '--go', go];
  const r = spawnSync('npx', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  expect([r.status, r.stderr]).toEqual([0, '']);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => parseEvent(l));
}

describe.each(oldestAndNewestGo())('heap checks on Go %s', (go) => {
  ebpfDescribe()('real recordings', () => {
    const list = readFileSync(path.join(TESTDATA, 'gclist.go'), 'utf8');
    const mover = readFileSync(path.join(TESTDATA, 'gcmover.go'), 'utf8');
    const outcome = (spec: CheckInput, events: SlowmoEvent[], source: string) => {
      const r = evaluateCheckpoint(spec, events, { source });
      return [r.passed, r.reason];
    };

    test('gclist: the dropped list is freed by cycle 2, the kept one never white', () => {
      const events = record(list, go);
      const dropped = { fn: 'main.buildDropped' };
      const freed: CheckInput = { type: 'heap', claim: 'freed', site: dropped, byCycle: 2 };
      expect(outcome({ ...freed, min: 500 }, events, list)).toEqual([
        true,
        expect.stringMatching(/^500 of the 500 objects allocated in main.buildDropped were freed/),
      ]);
      const kept: CheckInput = { type: 'heap', claim: 'freed', site: { fn: 'main.buildKept' } };
      expect(outcome(kept, events, list)).toEqual([
        false,
        expect.stringMatching(/^0 of the 1000 objects allocated in main.buildKept were freed/),
      ]);
      const keptWhite: CheckInput = { type: 'heap', claim: 'neverWhite', from: kept.site };
      expect(outcome(keptWhite, events, list)).toEqual([
        true,
        expect.stringMatching(/^none of the 1000 objects allocated in main.buildKept was white/),
      ]);
      const droppedWhite: CheckInput = { type: 'heap', claim: 'neverWhite', from: dropped };
      expect(outcome(droppedWhite, events, list)).toEqual([
        false,
        expect.stringMatching(/was still white at the end of GC cycle 1's mark phase .*499 others/),
      ]);
    });

    test('gcmover: the write barrier shades moved nodes; none of the list is white', () => {
      const events = record(mover, go);
      const barrier = outcome({ type: 'heap', claim: 'barrier', min: 1 }, events, mover);
      expect(barrier).toEqual([
        true,
        expect.stringMatching(/^the write barrier shaded \d+ object/),
      ]);
      const nodes: CheckInput = { type: 'heap', claim: 'neverWhite', from: { fn: 'main.build' } };
      expect(outcome(nodes, events, mover)).toEqual([
        true,
        expect.stringMatching(/^none of the 5000 objects allocated in main.build was white/),
      ]);
      expect(outcome({ type: 'heap', claim: 'neverWhite' }, events, mover)[0]).toBe(true);
    });
  });
});
