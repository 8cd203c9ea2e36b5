/**
 * The program's regions and logs as the goroutine lanes draw them: nested
 * regions stack by depth and end where their end says, a missed end is
 * closed by the next region at its depth, an open region reaches the run's
 * end; what is drawn is found under the pointer with its words.
 */
import { parseEvent, type SlowmoEvent } from '@go-slowmo/kernel-bridge/protocol';
import { logWords, markAt, regionWords } from '../../src/timeline/annotation-draw';
import { AnnotationBuilder, userAnnotations } from '../../src/timeline/annotations';

function stream(raw: object[]): SlowmoEvent[] {
  return raw.map((r, seq) => parseEvent({ seq, t: seq * 1000, m: 0, p: 0, g: 5, ...r }));
}

const region = (begin: boolean, name: string, depth: number, g = 5) => ({
  kind: 'user.region',
  begin,
  task: 1,
  name,
  depth,
  g,
});

const events = stream([
  { kind: 'user.task', begin: true, task: 1, parent: 0, name: 'job' },
  region(true, 'outer', 0),
  region(true, 'inner', 1),
  { kind: 'user.log', task: 1, category: 'step', message: 'half way' },
  region(false, 'inner', 1),
  region(false, 'outer', 0),
  region(true, 'lost-end', 0, 6),
  // g6's first region's end was not seen: a new region at depth 0 closes it.
  region(true, 'second', 0, 6),
  region(true, 'left-open', 0, 7),
]);

describe('user annotations', () => {
  const ann = userAnnotations(events, 50_000);

  it('stacks nested regions by depth and ends them at their ends', () => {
    const g5 = ann.regions.get(5)!;
    expect(g5.map((r) => [r.name, r.depth, r.start, r.end, r.open])).toEqual([
      ['outer', 0, 1000, 5000, false],
      ['inner', 1, 2000, 4000, false],
    ]);
    expect(g5[0]!.startSeq).toBe(1);
  });

  it('closes a region whose end was missed when another begins at its depth', () => {
    const g6 = ann.regions.get(6)!;
    expect(g6.map((r) => [r.name, r.end, r.open])).toEqual([
      ['lost-end', 7000, false],
      ['second', 50_000, true],
    ]);
  });

  it('lets an open region reach the given end, and counts everything', () => {
    expect(ann.regions.get(7)!.map((r) => [r.name, r.end, r.open])).toEqual([
      ['left-open', 50_000, true],
    ]);
    expect(ann.count).toBe(6);
  });

  it('keeps logs with their goroutine, moment and task name', () => {
    const [log] = ann.logs.get(5)!;
    expect(log).toMatchObject({ t: 3000, seq: 3, category: 'step', message: 'half way' });
    expect(logWords(log!, ann.tasks)).toBe('g5 logged [step] "half way" in task 1 "job" at 3 µs');
  });

  it('says a region in words', () => {
    const inner = ann.regions.get(5)![1]!;
    expect(regionWords(inner, ann.tasks)).toMatch(
      /^region "inner" of g5 in task 1 "job", nested 1 deep: for 2 µs/,
    );
  });

  it('gives the same answer fed event by event as at once', () => {
    const b = new AnnotationBuilder();
    for (const e of events.slice(0, 3)) b.append(e);
    expect(
      b
        .annotations()
        .regions.get(5)!
        .every((r) => r.open),
    ).toBe(true);
    for (const e of events.slice(3)) b.append(e);
    expect(b.annotations(50_000)).toEqual(ann);
  });

  it('finds the mark under the pointer, a log before the band it sits on', () => {
    const band = { x0: 10, x1: 100, y0: 20, y1: 40, seq: 1, text: 'band' };
    const log = { x0: 40, x1: 47, y0: 25, y1: 32, seq: 3, text: 'log' };
    expect(markAt([band, log], 43, 28)?.text).toBe('log');
    expect(markAt([band, log], 80, 30)?.text).toBe('band');
    expect(markAt([band, log], 200, 30)).toBeNull();
  });
});
