/**
 * The heap checks (protocol/checks/heap.ts) on hand-made GC lens streams: freed by a cycle,
 * never white at the end of a mark phase (from a global, from a site), shaded by the write
 * barrier, born black; what each says when it passes and when it fails; a malformed one named
 * by its field. heap-checks-ebpf.test.ts checks them on real recordings.
 */
import { evaluateCheckpoint, ProtocolError, type CheckInput } from '../src/protocol';
import { functionLines } from '../src/protocol/checks/heap-site';
import { script, type Script } from './support/events';

const K1 = 0xc000010000;
const K2 = 0xc000010010;
const D1 = 0xc000020000;
const D2 = 0xc000020010;
const N = 0xc000030000;

const at = (line: number, fn = 'main.main') => ({ file: 'main.go', line, fn });

/** Allocations: two kept (line 10), two dropped (line 20); then cycle 1's mark phase begins. */
function allocated(): Script {
  return script()
    .add('run.start', {
      goVersion: 'go1.22.12',
      gomaxprocs: 2,
      backend: 'ebpf',
      fidelity: { runq: true, runnext: true, steals: true, lines: false },
      gcLens: { perSpan: false, maxObjects: 20000 },
    })
    .add('heap.alloc', { addr: K1, size: 16, noscan: false, ...at(10) })
    .add('heap.alloc', { addr: K2, size: 16, noscan: false, ...at(10) })
    .add('heap.alloc', { addr: D1, size: 16, noscan: false, ...at(20) })
    .add('heap.alloc', { addr: D2, size: 16, noscan: false, ...at(20) })
    .add('gc', { phase: 'mark' });
}

/** The kept list marked from a global; `withK2` false leaves its second node white. */
function markKept(s: Script, withK2 = true): Script {
  s.add('gc.color', { addr: K1, color: 'grey', by: 'mark', root: 'globals', g: 5 });
  s.add('gc.color', { addr: K1, color: 'black', by: 'mark', g: 5 });
  if (withK2) {
    s.add('gc.color', { addr: K2, color: 'grey', by: 'mark', from: K1, g: 5 });
    s.add('gc.color', { addr: K2, color: 'black', by: 'mark', g: 5 });
  }
  return s;
}

/** Two cycles: in the first, N is born black (line 30) and the dropped list freed by the sweep. */
function twoCycles(k2InCycle2 = true): Script {
  const s = markKept(allocated());
  s.add('heap.alloc', { addr: N, size: 16, noscan: false, ...at(30, 'main.grow'), g: 7 });
  s.add('gc.color', { addr: N, color: 'black', by: 'alloc', g: 7 });
  s.add('gc', { phase: 'marktermination' }).add('gc', { phase: 'off' });
  s.add('heap.free', { addr: D1, size: 16 }).add('heap.free', { addr: D2, size: 16 });
  s.add('gc', { phase: 'mark' });
  markKept(s, k2InCycle2).add('gc.color', { addr: N, color: 'black', by: 'mark', from: K2 });
  return s.add('gc', { phase: 'marktermination' }).add('gc', { phase: 'off' });
}

const check = (s: Script, spec: CheckInput, source?: string) =>
  evaluateCheckpoint(spec, s.events, { source });

describe('heap checks on hand-made streams', () => {
  test('freed: the dropped objects by cycle 1; the kept ones never', () => {
    const s = twoCycles();
    const freed = check(s, {
      type: 'heap',
      claim: 'freed',
      site: { line: 20 },
      byCycle: 1,
      min: 2,
    });
    expect(freed).toEqual({
      passed: true,
      reason:
        '2 of the 2 objects allocated at line 20 were freed by the sweep after GC cycle 1 (needed at least 2); the last of the 2 needed at event 16',
      seq: 15,
    });
    const kept = check(s, { type: 'heap', claim: 'freed', site: { line: 10, file: 'main.go' } });
    expect(kept.passed).toBe(false);
    expect(kept.reason).toBe(
      '0 of the 2 objects allocated at main.go:10 were freed (needed at least 1): the rest were still reached by the marking (something kept pointing to them), or not swept yet',
    );
    const late = check(s, { type: 'heap', claim: 'freed', site: { line: 10 }, byCycle: 3 });
    expect(late.reason).toMatch(/: only 2 GC cycles ran$/);
    const none = check(s, { type: 'heap', claim: 'freed', site: { line: 99 } });
    expect(none.reason).toBe('no object was allocated at line 99 (the lens saw 5 allocations)');
  });

  test('neverWhite: from a global, and from a site', () => {
    const s = twoCycles();
    expect(check(s, { type: 'heap', claim: 'neverWhite' })).toEqual({
      passed: true,
      reason:
        'none of the 3 objects of the program reached from a global was white at the end of a mark phase (2 mark phases checked, the last ending at event 23)',
      seq: 22,
    });
    const dropped = check(s, { type: 'heap', claim: 'neverWhite', from: { line: 20 } });
    expect(dropped).toEqual({
      passed: false,
      reason:
        "object 0xc000020000 allocated at main.go:20 was still white at the end of GC cycle 1's mark phase (event 13), with 1 other: the collector did not reach it, so the sweep frees it",
      seq: 12,
    });
  });

  test('neverWhite from a global remembers what earlier cycles reached', () => {
    const r = check(twoCycles(false), { type: 'heap', claim: 'neverWhite', from: 'globals' });
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(
      /^object 0xc000010010 allocated at main.go:10, reached from a global, was still white at the end of GC cycle 2's mark phase/,
    );
  });

  test("neverWhite does not judge a mark phase that ended past the lens's limit", () => {
    const s = markKept(allocated()).add('gc', { phase: 'marktermination' });
    s.add('gc', { phase: 'mark' }).add('heap.limit', { objects: 20000 });
    s.add('gc', { phase: 'marktermination' });
    expect(check(s, { type: 'heap', claim: 'neverWhite', from: { line: 10 } })).toEqual({
      passed: true,
      reason:
        'none of the 2 objects allocated at line 10 was white at the end of a mark phase (1 mark phase checked, the last ending at event 11); the lens stopped following the heap after 20000 allocations, at event 13, and later mark phases went unchecked',
      seq: 10,
    });
    const early = markKept(allocated()).add('heap.limit', { objects: 20000 });
    early.add('gc', { phase: 'marktermination' });
    expect(check(early, { type: 'heap', claim: 'neverWhite' }).reason).toBe(
      'no GC mark phase ended in the run while the lens followed the heap, so no object was checked; the lens stopped following the heap after 20000 allocations, at event 11, and later mark phases went unchecked',
    );
  });

  test('neverWhite needs a mark phase that ended', () => {
    const r = check(markKept(allocated()), { type: 'heap', claim: 'neverWhite' });
    expect(r).toEqual({
      passed: false,
      reason: 'no GC mark phase ended in the run, so no object was checked',
    });
  });

  test('barrier: none in the plain run; one shade passes min 1 and fails min 2', () => {
    const plain = check(twoCycles(), { type: 'heap', claim: 'barrier' });
    expect(plain.reason).toBe(
      'the write barrier shaded 0 objects while the collector marked (needed at least 1): the barrier shades the objects whose pointers the program moves during marking, and none moved in the 2 mark phases',
    );
    const s = twoCycles();
    s.add('gc', { phase: 'mark' }).add('gc.color', {
      addr: K2,
      color: 'grey',
      by: 'barrier',
      g: 3,
    });
    expect(check(s, { type: 'heap', claim: 'barrier' })).toEqual({
      passed: true,
      reason:
        'the write barrier shaded 1 object while the collector marked (needed at least 1); the first at event 26, by g3',
      seq: 25,
    });
    expect(check(s, { type: 'heap', claim: 'barrier', min: 2 }).passed).toBe(false);
  });

  test('bornBlack: at its site, by function name, and not at another', () => {
    const s = twoCycles();
    expect(check(s, { type: 'heap', claim: 'bornBlack', site: { fn: 'main.grow' } })).toEqual({
      passed: true,
      reason:
        '1 object allocated in main.grow was born black, allocated while the collector marked (needed at least 1); the first at event 12, by g7',
      seq: 11,
    });
    const kept = check(s, { type: 'heap', claim: 'bornBlack', site: { line: 10 } });
    expect(kept.reason).toBe(
      '0 objects allocated at line 10 were born black, allocated while the collector marked (needed at least 1): none allocated at line 10 was allocated during the 2 mark phases',
    );
  });

  test("a site's fn goes by the source's function when the check has it (inlined calls)", () => {
    const source = ['package main', '', 'func grow() {', '\t_ = 1', '}', '', 'func main() {}'];
    expect(functionLines(source.join('\n'), 'main.grow')).toEqual([3, 5]);
    expect(functionLines(source.join('\n'), 'main.shrink')).toBeNull();
    // N's recorded fn is main.grow but its line 30 is not in grow's body here.
    const s = twoCycles();
    const spec: CheckInput = { type: 'heap', claim: 'bornBlack', site: { fn: 'main.grow' } };
    expect(check(s, spec, source.join('\n')).passed).toBe(false);
    // An allocation recorded in main.main at a line of grow's body is grow's.
    const inlined: string[] = Array.from({ length: 40 }, (_, i) =>
      i === 27 ? 'func grow() {' : '',
    );
    inlined[31] = '}';
    expect(check(s, spec, inlined.join('\n')).passed).toBe(true);
  });

  test('a run without the lens says the cell needs gc: true', () => {
    const r = check(script().start(), { type: 'heap', claim: 'barrier' });
    expect(r).toEqual({
      passed: false,
      reason:
        'the GC lens was off, so the run holds no heap events: the cell needs gc: true, under eBPF',
    });
  });

  test('a malformed heap check names its field', () => {
    const bad: [unknown, string][] = [
      [{ type: 'heap', claim: 'teleport' }, 'claim'],
      [{ type: 'heap', claim: 'freed' }, 'site'],
      [{ type: 'heap', claim: 'freed', site: {} }, 'site'],
      [{ type: 'heap', claim: 'freed', site: { line: 3, lines: 4 } }, 'site'],
      [{ type: 'heap', claim: 'barrier', min: 0 }, 'min'],
      [{ type: 'heap', claim: 'freed', site: { line: 3 }, byCycle: 0 }, 'byCycle'],
      [{ type: 'all', of: [{ type: 'heap', claim: 'neverWhite', from: 'stack' }] }, 'of[0].from'],
    ];
    for (const [spec, field] of bad) {
      let err: unknown;
      try {
        evaluateCheckpoint(spec as CheckInput, twoCycles().events);
      } catch (e) {
        err = e;
      }
      expect([spec, err instanceof ProtocolError && err.field]).toEqual([spec, field]);
    }
  });
});
