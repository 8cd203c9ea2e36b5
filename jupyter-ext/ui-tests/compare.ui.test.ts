/**
 * Run diff as a learner does it, at 1400x900 in Debian's Chromium with a real JupyterLab,
 * bridge and eBPF probes: four goroutines spin with GOMAXPROCS 1; the learner clicks the
 * cell toolbar's "GOMAXPROCS 1" (it says 2 then), runs the cell again, and the output offers
 * "vs run before": the differences (GOMAXPROCS 1 → 2, the Ps used) and both runs' timelines on
 * one time axis, zoomed together. The comparison is saved with the notebook. Screenshots in both
 * themes (ui-tests/screenshots/compare-*.png).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  codeCell,
  launchChromium,
  savedNotebook,
  SCREENSHOTS,
  startLab,
  writeNotebook,
  type Lab,
} from './lab';
import { openNotebook, runFirstCell, setTheme } from './open';
import { browserDescribe } from './describe';

const maybe = browserDescribe();

const PROGRAM = `package main

import (
	"fmt"
	"sync"
)

func spin(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i % 7
	}
	return s
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			spin(20_000_000)
		}()
	}
	wg.Wait()
	fmt.Println("done")
}
`;

const META = { slowmo: { backend: 'ebpf', mode: 'record', gomaxprocs: 1 } };

/** A timeline's span in view, from its program's start (what the two must share). */
interface Span {
  from: number;
  to: number;
}

maybe('comparing a run with the one before, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const run = () => page.locator('.jp-slowmo-run').first();
  const panel = () => run().locator('.jp-slowmo-compare');
  /** The panel's background in the light theme. */
  let lightBackground = '';

  async function shot(name: string): Promise<void> {
    await panel().evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  /** Both timelines' spans, each from its own program's start. */
  function spans(): Promise<Span[]> {
    return panel().evaluate((el) =>
      [...el.querySelectorAll('.jp-slowmo-timeline-view')].map((v) => {
        const t = (
          v as unknown as {
            slowmoTimeline: { scale: Span; offset: number };
          }
        ).slowmoTimeline;
        return { from: t.scale.from - t.offset, to: t.scale.to - t.offset };
      }),
    );
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'compare.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'compare.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('a first run has nothing to compare with; the cell menu changes GOMAXPROCS', async () => {
    await runFirstCell(page);
    expect(await run().locator('.jp-slowmo-compare-toggle').isHidden()).toBe(true);
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.locator('.jp-InputArea').click();
    // The cell toolbar fits in half the cell, so JupyterLab shows it (wider, it hides it).
    await cell.locator('.jp-cell-toolbar').getByText('● Record').waitFor({ state: 'visible' });
    await cell.locator('.cm-content').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Run with GOMAXPROCS' }).click();
    const two = page.locator('.lm-Menu-item', { hasText: 'GOMAXPROCS 2' });
    await two.waitFor({ state: 'visible' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'compare-0-cell-menu.png') });
    await two.click();
    // The Go versions come from the bridge when that submenu first opens.
    await cell.locator('.cm-content').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: /^Run with Go$/ }).click();
    await page
      .locator('.lm-Menu-item', { hasText: /^Go 1\.\d+/ })
      .first()
      .waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    const nb = await savedNotebook(lab, 'compare.ipynb', () => page.keyboard.press('Control+s'));
    expect(nb.cells[0]!.metadata.slowmo).toMatchObject({ gomaxprocs: 2 });
  }, 180_000);

  test('the second run lists what changed and draws both timelines on one axis', async () => {
    await runFirstCell(page);
    const toggle = run().locator('.jp-slowmo-compare-toggle');
    await toggle.waitFor({ state: 'visible' });
    expect(await toggle.innerText()).toMatch(/^⇄ vs run before \(\d+\)$/);
    await toggle.click();
    await panel().waitFor({ state: 'visible' });
    expect(await panel().locator('.jp-slowmo-compare-settings').innerText()).toMatch(
      /^before: Go [\d.]+, GOMAXPROCS 1, eBPF → now: Go [\d.]+, GOMAXPROCS 2, eBPF$/,
    );
    const row = (what: string) =>
      panel().locator(`.jp-slowmo-compare-row[data-what="${what}"] td`).allInnerTexts();
    expect((await row('GOMAXPROCS')).slice(0, 2)).toEqual(['1', '2']);
    // Four spinning goroutines: one P ran them all, then both Ps ran some.
    expect((await row('Ps used')).slice(0, 2)).toEqual(['1', '2']);
    expect(await panel().locator('.jp-slowmo-compare-same').innerText()).toMatch(/\boutput\b/);
    const labels = await panel().locator('.jp-slowmo-compare-label').allInnerTexts();
    expect(labels).toEqual([
      expect.stringMatching(/^before: .*GOMAXPROCS 1/),
      expect.stringMatching(/^now: .*GOMAXPROCS 2/),
    ]);
    // Whole, both show the same span from their program's start: the longer run's.
    const [before, now] = await spans();
    expect(before!.to - before!.from).toBeCloseTo(now!.to - now!.from, -3);
    lightBackground = await panel().evaluate((el) => getComputedStyle(el).backgroundColor);
    await shot('compare-1-differences');

    // Zoomed into the run now (Ctrl+wheel over its lanes), the run before follows.
    const nowCanvas = panel().locator('.jp-slowmo-timeline-canvas').nth(1);
    const box = (await nowCanvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + 20);
    await page.keyboard.down('Control');
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -200);
    await page.keyboard.up('Control');
    await page.waitForFunction((whole) => {
      const views = document.querySelectorAll('.jp-slowmo-compare .jp-slowmo-timeline-view');
      const t = (views[1] as unknown as { slowmoTimeline: { scale: Span } }).slowmoTimeline;
      return t.scale.to - t.scale.from < whole * 0.8;
    }, now!.to - now!.from);
    const [b, n] = await spans();
    expect(n!.to - n!.from).toBeLessThan((now!.to - now!.from) * 0.8);
    expect(b!.from).toBeCloseTo(n!.from, -3);
    expect(b!.to).toBeCloseTo(n!.to, -3);
    await shot('compare-2-zoomed');
  }, 180_000);

  test('the comparison is saved with the notebook', async () => {
    const nb = await savedNotebook(lab, 'compare.ipynb', () => page.keyboard.press('Control+s'));
    const data = nb.cells[0]!.outputs![0]!.data!['application/vnd.go-slowmo.run.v1+json'] as {
      compare?: { before: { gomaxprocs: number }; differences: { what: string }[] };
    };
    expect(data.compare?.before.gomaxprocs).toBe(1);
    expect(data.compare?.differences.map((d) => d.what)).toContain('GOMAXPROCS');
  }, 60_000);

  test('the comparison in the dark theme', async () => {
    await setTheme(page, 'dark');
    await panel().locator('.jp-slowmo-btn.jp-slowmo-compare-fit').click();
    // Drawn in the dark theme's colours, not the light theme's.
    expect(await panel().evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe(
      lightBackground,
    );
    await shot('compare-dark-1-differences');
    await setTheme(page, 'light');
  }, 30_000);
});
