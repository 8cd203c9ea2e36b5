/** The patterns list: a note's sentence and its time range, a click handing the note back. */
import '../picture/dom-shim';
import type { PatternNote } from '@go-slowmo/kernel-bridge/protocol';
import { PatternsList, rangeWords } from '../../src/timeline/patterns-list';

const note: PatternNote = {
  kind: 'long-runnable',
  start: 1_000_000,
  end: 41_000_000,
  startSeq: 12,
  endSeq: 90,
  text: 'g7 waited 40 ms in the run queue',
  p: -1,
  goid: 7,
  count: 40_000_000,
};

describe('patterns list', () => {
  it('says a stretch and a moment', () => {
    expect(rangeWords(note)).toBe('1 ms – 41 ms');
    expect(rangeWords({ start: 2_000, end: 2_000 })).toBe('at 2 µs');
  });

  it('waits for the run to end, then lists the notes and hands back the one clicked', () => {
    const list = new PatternsList();
    expect(list.node.textContent).toContain('when the run ends');
    list.showNotes([note]);
    const items = list.node.querySelectorAll<HTMLButtonElement>('.jp-slowmo-pattern');
    expect(items).toHaveLength(1);
    expect(items[0]!.textContent).toBe('g7 waited 40 ms in the run queue1 ms – 41 ms');
    expect(items[0]!.dataset.seq).toBe('12');
    const picked: PatternNote[] = [];
    list.notePicked.connect((_, n) => picked.push(n));
    items[0]!.click();
    expect(picked).toEqual([note]);
    list.showNotes([]);
    expect(list.node.dataset.count).toBe('0');
    expect(list.node.textContent).toContain('none of the ones we look for');
  });
});
