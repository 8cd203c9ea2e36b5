import { contrast, goroutineColor } from '../../src/picture/colors';
import { svgOf } from '../../src/picture/svg';
import { script, TRACE } from './script';

function parse(svg: string): Document {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  return doc;
}

function texts(doc: Document): string[] {
  return [...doc.getElementsByTagName('text')].map((t) => t.textContent ?? '');
}

interface Rect {
  readonly el: Element;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const num = (el: Element, name: string) => Number(el.getAttribute(name));

function rectOf(el: Element): Rect {
  return { el, x: num(el, 'x'), y: num(el, 'y'), w: num(el, 'width'), h: num(el, 'height') };
}

const inside = (r: Rect, x: number, y: number) =>
  x > r.x && x < r.x + r.w && y > r.y && y < r.y + r.h;

/** Whether `a` comes before `b` in the document, i.e. is painted under it. */
const under = (a: Element, b: Element) =>
  (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;

/**
 * The picture as a reader sees it: for each goroutine token (a group with a
 * "gN · ..." tooltip), its colour, its label and what its label reads on,
 * where it sits: the words of the smallest frame around it (the words in
 * it, or else the caption right under it) and the P box it is in. Found from
 * the SVG's geometry alone, not from the scene it was drawn from.
 */
function reading(doc: Document) {
  const groups = [...doc.getElementsByTagName('g')];
  const inGroup = (el: Element) => el.parentElement?.tagName === 'g';
  // Frames: the rects not part of a token or a banner, without the background.
  const frames = [...doc.documentElement.children]
    .filter((el) => el.tagName === 'rect' && !inGroup(el))
    .map(rectOf)
    .filter((r) => r.x > 0 || r.y > 0);
  const words = [...doc.documentElement.children]
    .filter((el) => el.tagName === 'text')
    .map((el) => ({ text: el.textContent ?? '', x: num(el, 'x'), y: num(el, 'y') }));
  const wordsOf = (f: Rect) => {
    const within = words.filter((t) => inside(f, t.x, t.y)).map((t) => t.text);
    const caption = words.filter(
      (t) => t.x >= f.x && t.x <= f.x + f.w && t.y > f.y + f.h && t.y <= f.y + f.h + 20,
    );
    return within.length > 0 ? within : caption.map((t) => t.text);
  };
  return groups.flatMap((g) => {
    const title = g.getElementsByTagName('title')[0]?.textContent ?? '';
    const goid = /^g(\d+) · /.exec(title)?.[1];
    if (goid === undefined) return [];
    const token = rectOf(g.getElementsByTagName('rect')[0]!);
    const label = g.getElementsByTagName('text')[0]!;
    const [cx, cy] = [token.x + token.w / 2, token.y + token.h / 2];
    const around = frames.filter((f) => inside(f, cx, cy)).sort((a, b) => a.w * a.h - b.w * b.h);
    return [
      {
        goid: Number(goid),
        label: label.textContent,
        fill: token.el.getAttribute('fill'),
        labelContrast: contrast(token.el.getAttribute('fill')!, label.getAttribute('fill')!),
        place: around[0] ? wordsOf(around[0])[0] : undefined,
        p: around.flatMap((f) => wordsOf(f).filter((w) => /^P\d+$/.test(w)))[0],
        onTop: around.every((f) => under(f.el, g)),
      },
    ];
  });
}

describe('svgOf', () => {
  const state = script()
    .start(2)
    .run(1, 0)
    .spawn(2, 'runnext')
    .spawn(3)
    .spawn(4, 'global')
    .spawn(5)
    .run(5, 1)
    .park(5, 'chan <- & "select" <wait>', 1)
    .add('gc', { phase: 'mark' })
    .state();

  test('is a well-formed standalone SVG document with the goroutine labels', () => {
    const svg = svgOf(state);
    const doc = parse(svg);
    const root = doc.documentElement;
    expect(root.tagName).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(Number(root.getAttribute('width'))).toBeGreaterThan(0);
    expect(root.getAttribute('viewBox')).toMatch(/^0 0 \d+/);
    const labels = texts(doc);
    expect(labels).toContain('g1 main');
    for (const g of ['g2', 'g3', 'g4', 'g5']) expect(labels).toContain(`${g} worker`);
    for (const m of ['M0', 'P0', 'P1']) expect(labels).toContain(m);
    expect(labels).toContain('GC: marking (beside your goroutines)');
  });

  test('needs nothing from outside: no stylesheets, scripts, links or images', () => {
    const svg = svgOf(state);
    const doc = parse(svg);
    for (const tag of ['style', 'script', 'image', 'foreignObject', 'a', 'use']) {
      expect(doc.getElementsByTagName(tag)).toHaveLength(0);
    }
    expect(svg).not.toMatch(/class=|href=|url\(/);
  });

  test('escapes program text (wait reasons) and the title', () => {
    const svg = svgOf(state, { title: 'Run <1> & "more"' });
    const doc = parse(svg);
    expect(doc.getElementsByTagName('title')[0]?.textContent).toBe('Run <1> & "more"');
    expect(texts(doc).some((t) => t.startsWith('chan <- & "select"'))).toBe(true);
  });

  test('each goroutine has a tooltip saying where it was created and what it does', () => {
    const doc = parse(svgOf(state));
    const titles = [...doc.getElementsByTagName('title')].map((t) => t.textContent ?? '');
    expect(titles).toContain('g3 · main.worker (go at main.go:12) · runnable');
    expect(titles.some((t) => t.startsWith('g5 · main.worker') && t.includes('main.go:20'))).toBe(
      true,
    );
  });

  test('inferred places are dashed', () => {
    const inferred = script().start(1, TRACE).run(1, 0).spawn(2).state();
    const doc = parse(svgOf(inferred));
    const g2 = [...doc.getElementsByTagName('g')].find((g) =>
      [...g.getElementsByTagName('text')].some((t) => t.textContent === 'g2 worker'),
    );
    expect(g2?.getElementsByTagName('rect')[0]?.getAttribute('stroke-dasharray')).toBeTruthy();
    const g1 = [...doc.getElementsByTagName('g')].find((g) =>
      [...g.getElementsByTagName('text')].some((t) => t.textContent === 'g1 main'),
    );
    expect(g1?.getElementsByTagName('rect')[0]?.getAttribute('stroke-dasharray')).toBeNull();
  });

  test('draws each goroutine in its place, in its own colour, above the frame it sits in', () => {
    const seen = reading(parse(svgOf(state)));
    const where = (goid: number) => seen.find((g) => g.goid === goid);
    // g1 runs on P0, g2 waits in P0's runnext, g3 in P0's local queue, g4 in the global
    // queue, g5 with the goroutines blocked on its channel; P1 holds none.
    expect(seen.map((g) => [g.goid, g.label, g.p, g.place])).toEqual([
      [1, 'g1 main', 'P0', 'running'],
      [2, 'g2 worker', 'P0', 'runnext'],
      [3, 'g3 worker', 'P0', 'local run queue · 1'],
      [4, 'g4 worker', undefined, 'Global run queue · 1'],
      [5, 'g5 worker', undefined, 'chan <- & "select" …'],
    ]);
    for (const goid of [1, 2, 3, 4, 5]) {
      expect(where(goid)).toMatchObject({ fill: goroutineColor(goid), onTop: true });
      expect(where(goid)!.labelContrast).toBeGreaterThanOrEqual(4.5);
    }
  });

  test('a state reached twice gives the same bytes, whatever was drawn between (stable notebook diffs)', () => {
    const again = () =>
      script()
        .start(2)
        .run(1, 0)
        .spawn(2, 'runnext')
        .spawn(3)
        .spawn(4, 'global')
        .spawn(5)
        .run(5, 1)
        .park(5, 'chan <- & "select" <wait>', 1)
        .add('gc', { phase: 'mark' })
        .state();
    const first = svgOf(again());
    // Another picture in between, with runtime goroutines and other goids (memoised paints).
    svgOf(script().start(4).run(1, 0).create(9, { fn: 'runtime.bgsweep' }).spawn(7).state());
    expect(svgOf(again())).toBe(first);
    expect(first).toBe(svgOf(state));
    // ...and a different state gives a different picture, so the equality says something.
    expect(svgOf(script().start(2).run(1, 0).spawn(2).state())).not.toBe(first);
  });
});
