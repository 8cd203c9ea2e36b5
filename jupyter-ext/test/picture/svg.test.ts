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

  test('the same state gives the same bytes (stable notebook diffs)', () => {
    expect(svgOf(state)).toBe(svgOf(state));
  });
});
