/**
 * The GC lens on the trace backend (no eBPF), at 1400x900 in Debian's Chromium with a real
 * JupyterLab and bridge: the heap reconstructed from heap dumps, said so in the lens's title and
 * notes, its objects drawn as the dumps hold them (no colour of the marking), the kept list there
 * at the end and the dropped one gone, the heap plot with the tracer's bytes live and goal and a
 * tick per dump; screenshots in both themes (ui-tests/screenshots/gc-lens-dumps-*.png).
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
	fmt.Println(kept.val)
}
`;

const KEPT = Array.from({ length: 20 }, (_, i) => `L18#${i + 1}`);
const DROPPED = Array.from({ length: 10 }, (_, i) => `L26#${i + 1}`);

const META = { slowmo: { backend: 'trace', mode: 'record', gc: true } };

interface LensHandle {
  colorOf(name: string): string | undefined;
  frame: { reconstructed: boolean } | null;
}

maybe('the GC lens from heap dumps, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const run = () => page.locator('.jp-slowmo-run').first();
  const lens = () => run().locator('.jp-slowmo-gc');

  async function shot(name: string): Promise<void> {
    await lens().evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  const colors = (names: string[]) =>
    lens().evaluate((node, ns) => {
      const l = (node as unknown as { slowmoGcLens: LensHandle }).slowmoGcLens;
      return ns.map((n) => l.colorOf(n));
    }, names);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'gc-lens-dumps.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'gc-lens-dumps.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('the lens says it is reconstructed, shows the last dump, and the heap plot its size and goal', async () => {
    const r = await runFirstCell(page);
    const toggle = r.getByRole('button', { name: 'GC lens' });
    await toggle.waitFor({ state: 'visible' });
    await toggle.click();
    await page.waitForFunction(
      () => Number(document.querySelector('.jp-slowmo-gc')?.getAttribute('data-frames')) > 0,
    );
    // The recording ends on run.end: the last frame shows the last dump, as main returned.
    const last = Number(await run().getAttribute('data-seq'));
    expect(last).toBeGreaterThan(0);
    expect(await lens().locator('.jp-slowmo-gc-title').innerText()).toBe(
      'GC lens · reconstructed from heap dumps: the marking itself is not seen',
    );
    expect(await lens().locator('.jp-slowmo-gc-notes').innerText()).toMatch(
      /^Reconstructed from heap dumps: the marking itself is not seen/,
    );
    expect(await lens().locator('.jp-slowmo-gc-words').innerText()).toMatch(
      /^heap dump \d+, as main returned, after GC cycle \d+: [\d,]+ objects; [\d,]+ gone since the first dump$/,
    );
    expect(
      await lens().evaluate(
        (node) =>
          (node as unknown as { slowmoGcLens: LensHandle }).slowmoGcLens.frame?.reconstructed,
      ),
    ).toBe(true);
    // No colour is invented: the kept nodes are there (drawn as seen), the dropped ones gone.
    expect(await colors(DROPPED)).toEqual(DROPPED.map(() => 'gone'));
    expect((await colors(KEPT)).filter((c) => c === 'gone' || c === undefined)).toEqual([]);
    expect(await lens().locator('.jp-slowmo-gc-key').innerText()).toMatch(/in the heap dump/);
    expect(await lens().locator('.jp-slowmo-gc-plot-goal').count()).toBe(1);
    expect(await lens().locator('.jp-slowmo-gc-plot-bytes').count()).toBe(1);
    expect(await lens().locator('.jp-slowmo-gc-plot-dump').count()).toBeGreaterThanOrEqual(3);
    await shot('gc-lens-dumps-light');

    await setTheme(page, 'dark');
    // The picture moved one event back: the plot drawn again in the dark palette.
    await run()
      .locator('.jp-slowmo-scrubber')
      .evaluate((el, s) => {
        (el as HTMLInputElement).value = String(s);
        el.dispatchEvent(new Event('input'));
      }, last - 1);
    await page.waitForFunction(
      (s) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-seq') === String(s),
      last - 1,
    );
    await shot('gc-lens-dumps-dark');
    await setTheme(page, 'light');
  }, 120_000);
});
