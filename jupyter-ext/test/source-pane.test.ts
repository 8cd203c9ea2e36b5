/**
 * The source pane beside the picture: the learner's code as they wrote it,
 * and its lit lines kept readable however many goroutines stand on them.
 */
import './picture/dom-shim';
import { SourcePane, type LitLine } from '../src/widget/source-pane';

const SOURCE = 'package main\n\nfunc main() {\n\tch := make(chan int)\n\t<-ch\n}\n';

describe('SourcePane', () => {
  test("tabs are the code's own, and the pane is as wide as the code (at most 80 columns)", () => {
    const pane = new SourcePane(SOURCE);
    expect(pane.columns).toBe(40); // the narrowest: short programs still get room for their tags
    expect(new SourcePane(`package main\n\n// ${'x'.repeat(120)}\n`).columns).toBe(80);
    const code = pane.node.querySelectorAll('.jp-slowmo-source-code');
    expect(code[3]?.textContent).toBe('\tch := make(chan int)');
  });

  test('many goroutines on one line: three tags and "+N", not one tag each', () => {
    const pane = new SourcePane(SOURCE);
    const lines: LitLine[] = Array.from({ length: 10 }, (_, i) => ({
      line: 5,
      goid: i + 2,
      kind: 'waiting',
      tag: `g${i + 2} · chan receive`,
    }));
    pane.light(lines);
    expect(pane.lit).toEqual([
      {
        line: 5,
        kind: 'waiting',
        tags: ['g2 · chan receive', 'g3 · chan receive', 'g4 · chan receive', '+7'],
      },
    ]);
    // The same lines again: nothing is redrawn.
    const before = pane.node.querySelector('.jp-slowmo-source-tag');
    pane.light(lines.slice());
    expect(pane.node.querySelector('.jp-slowmo-source-tag')).toBe(before);
    // Fewer: redrawn, and the old tags are gone.
    pane.light(lines.slice(0, 1));
    expect(pane.lit).toEqual([{ line: 5, kind: 'waiting', tags: ['g2 · chan receive'] }]);
    pane.light([]);
    expect(pane.lit).toEqual([]);
  });
});
