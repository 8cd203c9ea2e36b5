import './dom-shim';
import type { NodeSingular } from 'cytoscape';
import { PictureView } from '../../src/picture/view';
import { untilFrame } from '../support/frames';
import { script, TRACE } from './script';

function node(view: PictureView, id: string): NodeSingular {
  const n = view.cy.getElementById(id);
  expect(n.length).toBe(1);
  return n as unknown as NodeSingular;
}

/** Counts goroutine nodes Cytoscape adds and removes, to prove show() moves instead of re-creating. */
function churn(view: PictureView): { added: number; removed: number } {
  const c = { added: 0, removed: 0 };
  const isG = (e: { target: NodeSingular }) => e.target.id().startsWith('g:');
  view.cy.on('add', (e) => {
    if (isG(e)) c.added++;
  });
  view.cy.on('remove', (e) => {
    if (isG(e)) c.removed++;
  });
  return c;
}

describe('PictureView (headless Cytoscape)', () => {
  let view: PictureView;
  beforeEach(() => {
    view = new PictureView({ headless: true, duration: 30 });
  });
  afterEach(() => view.dispose());

  const s = script().start(2).run(1, 0).spawn(2).spawn(3).spawn(4);
  const before = s.state();
  const after = s.run(2, 1).state();

  const tokenCount = (v: PictureView) =>
    v.scene!.items.filter((i) => i.kind === 'g' || i.kind === 'm' || i.kind === 'more').length;

  test('tokens are Cytoscape nodes keyed g:<goid> and labelled; boxes and captions are SVG under them', () => {
    view.show(before);
    const scene = view.scene!;
    expect(view.cy.nodes().length).toBe(tokenCount(view));
    expect(view.under.element('p:0')?.querySelector('rect')).not.toBeNull();
    expect(view.under.element('ptitle:1')?.textContent).toBe('P1');
    expect(view.under.element('g:1')).toBeUndefined();
    // Document order is drawing order: the P box before (under) its slots.
    const keys = [...view.under.svg.children].map((g) => g.getAttribute('data-key'));
    expect(keys.indexOf('p:0')).toBeLessThan(keys.indexOf('slot:run:0'));
    const sheet = view.node.children[0]!;
    expect(sheet.children[0]).toBe(view.under.svg);
    expect(sheet.children[2]).toBe(view.over.svg);
    expect(node(view, 'g:1').data('label')).toBe('g1 main');
    for (const goid of [2, 3, 4]) {
      expect(node(view, `g:${goid}`).data('label')).toBe(`g${goid} worker`);
    }
    const g2 = scene.items.find((i) => i.key === 'g:2')!;
    expect(node(view, 'g:2').position()).toEqual({ x: g2.x, y: g2.y });
  });

  test('a goroutine that moves is the same node moved: nothing added or removed', () => {
    view.show(before);
    const g2 = node(view, 'g:2');
    const g3 = node(view, 'g:3');
    const counts = churn(view);
    view.show(after, { animate: false });
    expect(counts).toEqual({ added: 0, removed: 0 });
    // P1 got an M: its "no M" mark made way for M1, the only other change.
    expect(view.cy.getElementById('nom:1').length).toBe(0);
    expect(node(view, 'g:2').same(g2)).toBe(true);
    expect(g2.removed()).toBe(false);
    const target = view.scene!.items.find((i) => i.key === 'g:2')!;
    expect(g2.position()).toEqual({ x: target.x, y: target.y });
    // g3 moved up to the head of P0's queue.
    const head = view.scene!.items.find((i) => i.key === 'g:3')!;
    expect(g3.position()).toEqual({ x: head.x, y: head.y });
  });

  test('only what changed is touched', () => {
    view.show(before);
    const moved: string[] = [];
    view.cy.on('position', 'node', (e) => {
      moved.push((e.target as NodeSingular).id());
    });
    const restyled: string[] = [];
    view.cy.on('data', 'node', (e) => {
      restyled.push((e.target as NodeSingular).id());
    });
    view.show(after);
    // g2 to P1's running slot, g3 and g4 one place up in P0's queue; P1's "no M" mark becomes M1.
    expect(new Set(moved)).toEqual(new Set(['g:2', 'g:3', 'g:4']));
    expect(restyled.filter((id) => id.startsWith('g:'))).toEqual([]);
  });

  test('goroutines that finish are removed, new ones added', () => {
    view.show(before);
    const counts = churn(view);
    const next = s.exit(2, 1).spawn(5).state();
    view.show(next);
    expect(view.cy.getElementById('g:2').length).toBe(0);
    expect(view.cy.getElementById('g:5').length).toBe(1);
    expect(counts.removed).toBeGreaterThanOrEqual(1);
    expect(view.cy.nodes().length).toBe(tokenCount(view));
  });

  test('animate: the node glides to its new place', async () => {
    view.show(before);
    const g2 = node(view, 'g:2');
    const start = { ...g2.position() };
    view.show(after, { animate: true });
    const target = view.scene!.items.find((i) => i.key === 'g:2')!;
    expect(g2.animated()).toBe(true);
    await untilFrame('the glide to end', () => !g2.animated());
    expect(g2.position()).toEqual({ x: target.x, y: target.y });
    expect(start).not.toEqual(g2.position());
  });

  test('a jump during a glide lands where the jump says', () => {
    view.show(before);
    view.show(after, { animate: true });
    view.show(before, { animate: false });
    const g2 = node(view, 'g:2');
    const home = view.scene!.items.find((i) => i.key === 'g:2')!;
    expect(g2.animated()).toBe(false);
    expect(g2.position()).toEqual({ x: home.x, y: home.y });
  });

  test('a changed count rewrites its caption only', () => {
    view.show(before);
    const box = view.under.element('p:0')!;
    const boxRect = box.firstElementChild;
    const caption = view.under.element('cap:queue:0')!;
    expect(caption.textContent).toBe('local run queue · 3');
    view.show(after);
    expect(caption.textContent).toBe('local run queue · 2');
    expect(view.under.element('p:0')).toBe(box);
    expect(box.firstElementChild).toBe(boxRect);
  });

  test('showing the same state again does nothing', () => {
    view.show(before);
    const counts = churn(view);
    const scene = view.scene;
    view.show(before);
    expect(view.scene).toBe(scene);
    expect(counts).toEqual({ added: 0, removed: 0 });
  });

  test('highlight marks the goroutine', () => {
    view.show(before, { highlight: 3 });
    expect(node(view, 'g:3').hasClass('highlight')).toBe(true);
    view.show(before, { highlight: 4 });
    expect(node(view, 'g:3').hasClass('highlight')).toBe(false);
    expect(node(view, 'g:4').hasClass('highlight')).toBe(true);
  });

  test('clicking a goroutine emits its goid', () => {
    view.show(before);
    const clicked: number[] = [];
    view.goroutineClicked.connect((_, goid) => clicked.push(goid));
    node(view, 'g:3').emit('tap');
    node(view, 'm:0').emit('tap');
    expect(clicked).toEqual([3]);
  });

  test('inferred places carry the dashed style when the backend cannot see them', () => {
    const traced = script().start(1, TRACE).run(1, 0).spawn(2, 'runnext').spawn(3).state();
    view.show(traced);
    for (const id of ['g:2', 'g:3']) {
      expect(node(view, id).hasClass('inferred')).toBe(true);
      expect(node(view, id).style('border-style')).toBe('dashed');
    }
    expect(node(view, 'g:1').hasClass('inferred')).toBe(false);
    expect(node(view, 'g:1').style('border-style')).toBe('solid');
    for (const key of ['queue:0', 'slot:next:0']) {
      const rect = view.under.element(key)?.querySelector('rect');
      expect(rect?.getAttribute('stroke-dasharray')).toBeTruthy();
    }
    expect(
      view.under.element('slot:run:0')?.querySelector('rect')?.getAttribute('stroke-dasharray'),
    ).toBeNull();
  });

  test('stop-the-world tints the picture and shows a banner; they go when the world restarts', () => {
    const t = script().start(1).run(1, 0);
    view.show(t.add('stw', { begin: true, reason: 'GC sweep termination' }).state());
    // Over the canvas: the layer after Cytoscape's, drawn over the tokens.
    expect(view.over.element('banner')?.textContent).toBe('Stop the world: GC sweep termination');
    expect(
      view.over.element('tint')?.querySelector('rect')?.getAttribute('fill-opacity'),
    ).toBeTruthy();
    view.show(t.add('stw', { begin: false, reason: '' }).state());
    expect(view.over.element('banner')).toBeUndefined();
    expect(view.over.element('tint')).toBeUndefined();
    expect(view.over.svg.children).toHaveLength(0);
  });

  test("Lumino's show() without a state still un-hides the widget", () => {
    view.hide();
    expect(view.isHidden).toBe(true);
    view.show();
    expect(view.isHidden).toBe(false);
  });
});

describe('PictureView: shown faster than it animates (a live run)', () => {
  test('a glide or fade cut short by the next state lands where it was going, fully drawn', () => {
    const view = new PictureView({ headless: true, duration: 10_000 });
    const s = script().start(2).run(1, 0).spawn(2).spawn(3);
    view.show(s.state());
    // g2 starts gliding to P1 and g4 fades in; before either ends, the next event comes.
    view.show(s.run(2, 1).spawn(4).state(), { animate: true });
    const next = s.add('output', { stream: 'stdout', data: 'x' }).state();
    view.show(next, { animate: true });
    for (const key of ['g:2', 'g:4']) {
      const target = view.scene!.items.find((i) => i.key === key)!;
      const n = view.cy.getElementById(key);
      expect(n.position()).toEqual({ x: target.x, y: target.y });
      expect(Number(n.style('opacity'))).toBe(1);
    }
    view.dispose();
  });
});
