/**
 * The GC lens as a learner uses it, at 1400x900 in Debian's Chromium with a real JupyterLab,
 * bridge and eBPF probes: the cell's "GC lens" option switched on from its toolbar (and the
 * per-object marking choice then offered), a list of 20 nodes kept from a global and 10
 * dropped, runtime.GC(); the lens opened from the run's toolbar, the picture moved to three
 * moments of the first cycle (before marking, mid-mark, after mark termination and the sweep)
 * and the colours of named nodes checked there; screenshots in both themes
 * (ui-tests/screenshots/gc-lens-*.png).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeCell, launchChromium, SCREENSHOTS, startLab, writeNotebook, type Lab } from './lab';
import { openNotebook, runFirstCell, setTheme } from './open';
import { browserDescribe } from './describe';

const maybe = browserDescribe();

/** Lines 18 and 26 allocate the nodes: the lens names them L18#1… and L26#1…. */
const PROGRAM = `package main

import (
	"fmt"
	"runtime"
)

type node struct {
	next *node
	val  int
}

var kept *node

func keep(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, val: i}
	}
	return head
}

func drop(n int) *node {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head, val: i}
	}
	return head
}

func main() {
	kept = keep(20)
	dropped := drop(10)
	fmt.Println(dropped.val)
	dropped = nil
	runtime.GC()
	runtime.GC()
	fmt.Println(kept.val)
}
`;

const KEPT = Array.from({ length: 20 }, (_, i) => `L18#${i + 1}`);
const DROPPED = Array.from({ length: 10 }, (_, i) => `L26#${i + 1}`);

const META = { slowmo: { backend: 'ebpf', mode: 'record' } };

type History = [number, string, number][];
interface LensHandle {
  colorOf(name: string): string | undefined;
  graph: {
    objects: Map<number, { name: string; seq: number; history: History }>;
    cycles: { mark: number; end: number | null }[];
  };
}

maybe('the GC lens, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  /** The mid-mark moment found by the second test, shown again in the dark theme. */
  let midMark = -1;
  /** What a learner sees at 1400x900 with a part of the output scrolled to the top of the view. */
  async function shot(name: string, selector = '.jp-slowmo-gc'): Promise<void> {
    await run()
      .locator(selector)
      .first()
      .evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }
  const run = () => page.locator('.jp-slowmo-run').first();
  const lens = () => run().locator('.jp-slowmo-gc');

  /** Moves the picture to an event, as the scrubber does, and waits until the lens shows it. */
  async function seek(seq: number): Promise<void> {
    await run()
      .locator('.jp-slowmo-scrubber')
      .evaluate((el, s) => {
        (el as HTMLInputElement).value = String(s);
        el.dispatchEvent(new Event('input'));
      }, seq);
    await page.waitForFunction(
      (s) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-seq') === String(s),
      seq,
    );
  }

  const colors = (names: string[]) =>
    lens().evaluate((node, ns) => {
      const l = (node as unknown as { slowmoGcLens: LensHandle }).slowmoGcLens;
      return ns.map((n) => l.colorOf(n));
    }, names);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'gc-lens.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'gc-lens.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('the cell toolbar switches the lens on; the cell menu then offers per-object marking', async () => {
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.locator('.jp-InputArea').click();
    const menuItem = page.locator('.lm-Menu-item', {
      hasText: 'Per-object marking (GOEXPERIMENT=nogreenteagc)',
    });
    await cell.locator('.cm-content').click({ button: 'right' });
    await page.locator('.lm-Menu').first().waitFor();
    expect(await menuItem.isVisible()).toBe(false);
    await page.keyboard.press('Escape');
    await cell.locator('.jp-cell-toolbar').getByText('◐ GC lens').click();
    expect(
      await cell
        .locator('.jp-cell-toolbar jp-button[aria-label="◐ GC lens"]')
        .getAttribute('aria-pressed'),
    ).toBe('true');
    await cell.locator('.cm-content').click({ button: 'right' });
    await menuItem.waitFor({ state: 'visible' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'gc-lens-0-cell-options.png') });
    await page.keyboard.press('Escape');
    const run = await runFirstCell(page);
    // The run was recorded with the lens: its toolbar offers it.
    await run.getByRole('button', { name: 'GC lens' }).waitFor({ state: 'visible' });
  }, 120_000);

  test('the lens at three moments of the first GC cycle: before, during and after marking', async () => {
    const toggle = run().getByRole('button', { name: 'GC lens' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await page.waitForFunction(
      () => Number(document.querySelector('.jp-slowmo-gc')?.getAttribute('data-frames')) > 0,
    );
    const facts = await lens().evaluate(
      (node, names) => {
        const g = (node as unknown as { slowmoGcLens: LensHandle }).slowmoGcLens.graph;
        const objects = [...g.objects.values()];
        const of = (n: string) => objects.find((o) => o.name === n)!;
        const kept = names.kept.map(of);
        return {
          cycle: g.cycles[0]!,
          lastAlloc: Math.max(...[...names.kept, ...names.dropped].map((n) => of(n).seq)),
          // When each kept node turned black in the first cycle.
          blackAt: kept.map(
            (o) => o.history.find((h) => h[1] === 'black' && h[2] === 1)?.[0] ?? -1,
          ),
          droppedBlack: names.dropped
            .map(of)
            .filter((o) => o.history.some((h) => h[1] === 'black')),
          freedAt: names.dropped
            .map(of)
            .map((o) => o.history.find((h) => h[1] === 'freed')?.[0] ?? -1),
        };
      },
      { kept: KEPT, dropped: DROPPED },
    );
    expect(facts.blackAt.every((s) => s > facts.cycle.mark)).toBe(true);
    expect(facts.droppedBlack).toHaveLength(0);
    expect(facts.freedAt.every((s) => s > (facts.cycle.end ?? Infinity))).toBe(true);

    // 1. Before marking: every node allocated, all white.
    await seek(Math.max(facts.lastAlloc, facts.cycle.mark - 1));
    expect(await colors([...KEPT, ...DROPPED])).toEqual([...KEPT, ...DROPPED].map(() => 'white'));
    expect(await lens().locator('.jp-slowmo-gc-words').innerText()).toMatch(/^before the first GC/);
    await shot('gc-lens-1-before');

    // 2. Mid-mark: half the kept nodes black, the others not yet; the dropped ones white.
    const sorted = [...facts.blackAt].sort((a, b) => a - b);
    const mid = sorted[Math.floor(sorted.length / 2) - 1]!;
    await seek(mid);
    midMark = mid;
    const during = await colors(KEPT);
    expect(during.filter((c) => c === 'black').length).toBeGreaterThanOrEqual(1);
    expect(during.filter((c) => c !== 'black').length).toBeGreaterThanOrEqual(1);
    expect(await colors(DROPPED)).toEqual(DROPPED.map(() => 'white'));
    const words = await lens().locator('.jp-slowmo-gc-words').innerText();
    const marker = /; g(\d+) \((GC worker|assisting the collector)\) is marking$/.exec(words);
    expect(words).toMatch(/^cycle 1, mark: /);
    expect(marker).not.toBeNull();
    // The goroutine marking is the one the picture highlights, shown though the runtime's are hidden.
    const highlighted = await run()
      .locator('.jp-slowmo-picture')
      .evaluate((node) => {
        type Item = { highlighted?: boolean; goid?: number; kind: string };
        const p = (node as unknown as { slowmoPicture: { scene: { items: Item[] } } })
          .slowmoPicture;
        return p.scene.items.filter((i) => i.highlighted).map((i) => i.goid ?? i.kind);
      });
    expect(highlighted).toEqual([Number(marker![1])]);
    // The narration names the event's object as the lens does.
    expect(await run().locator('.jp-slowmo-narration').innerText()).toMatch(
      /turns black \(L18#\d+ in the GC lens\)$/,
    );
    await shot('gc-lens-2-mid-mark');
    await shot('gc-lens-2-mid-mark-picture', '.jp-slowmo-main');

    // 3. After mark termination and the sweep: the kept nodes black, the dropped ones freed.
    await seek(Math.max(...facts.freedAt));
    expect(await colors(KEPT)).toEqual(KEPT.map(() => 'black'));
    expect(await colors(DROPPED)).toEqual(DROPPED.map(() => 'gone'));
    expect(await lens().locator('.jp-slowmo-gc-words').innerText()).toMatch(
      /^cycle 1, marking over: .* freed so far/,
    );
    // The heap plot: the live line and the first cycle's band, the cursor at this moment.
    expect(await lens().locator('.jp-slowmo-gc-plot polyline').count()).toBe(1);
    expect(await lens().locator('.jp-slowmo-gc-plot rect').count()).toBeGreaterThanOrEqual(2);
    await shot('gc-lens-3-swept');
  }, 60_000);

  test('the lens in the dark theme', async () => {
    await setTheme(page, 'dark');
    // The graph on a lighter ground than the page, so that black objects stand out; colours kept.
    await page.waitForFunction(
      () =>
        (document.querySelector('.jp-slowmo-gc-canvas') as HTMLElement).style.background ===
        'rgb(58, 65, 75)',
    );
    expect(await colors(KEPT)).toEqual(KEPT.map(() => 'black'));
    await shot('gc-lens-dark-3-swept');
    await seek(midMark);
    await shot('gc-lens-dark-2-mid-mark');
    await setTheme(page, 'light');
  }, 30_000);
});
