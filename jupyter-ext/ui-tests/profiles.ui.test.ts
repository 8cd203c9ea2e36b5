/**
 * The runtime's profiles as a learner uses them, at 1400x900 in Debian's Chromium with a real
 * JupyterLab, bridge and probes: the cell's '▦ Profiles' option switched on from its menu, a
 * program whose main.spin burns the CPU while three goroutines wait in main.wait at line 16;
 * the profiles opened from the run's toolbar, the block profile's flame graph, a click on
 * main.wait's frame: its line lit in the cell's code, the moments the goroutines parked there
 * listed, one of them moving the picture; the CPU profile led by main.spin; screenshots in both
 * themes (ui-tests/screenshots/profiles-*.png).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeCell, launchChromium, SCREENSHOTS, startLab, writeNotebook, type Lab } from './lab';
import { openNotebook, runFirstCell, setTheme } from './open';
import { browserDescribe } from './describe';

const maybe = browserDescribe();

/** Line 16 is the receive the three goroutines wait at. */
const PROGRAM = `package main

import "fmt"

// spin keeps its P busy: arithmetic, on the CPU the whole time.
func spin(n int) int {
	x := n
	for i := 0; i < n; i++ {
		x = x*31 + i
	}
	return x & 0xff
}

// wait parks its goroutine until a value comes on the channel.
func wait(ch chan int) int {
	return <-ch
}

func main() {
	ch := make(chan int)
	done := make(chan bool)
	for i := 0; i < 3; i++ {
		go func() {
			fmt.Println("got", wait(ch))
			done <- true
		}()
	}
	for i := 0; i < 3; i++ {
		ch <- spin(40_000_000)
	}
	for i := 0; i < 3; i++ {
		<-done
	}
}
`;

const META = { slowmo: { backend: 'auto', mode: 'record', gomaxprocs: 2 } };

maybe('the profiles, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const run = () => page.locator('.jp-slowmo-run').first();
  const flame = () => run().locator('.jp-slowmo-flame');
  const frame = (fn: string, line: number) =>
    flame().locator(`.jp-slowmo-flame-frame[data-fn="${fn}"][data-line="${line}"]`).first();

  /** What a learner sees at 1400x900 with a part of the page scrolled to the top of the view. */
  async function shot(name: string, selector = '.jp-slowmo-flame'): Promise<void> {
    await page
      .locator(selector)
      .first()
      .evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'profiles.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'profiles.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('the cell menu switches the profiles on; the run offers them', async () => {
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.locator('.jp-InputArea').click();
    const item = page.locator('.lm-Menu-item', { hasText: '▦ Profiles' });
    await cell.locator('.cm-content').click({ button: 'right' });
    await item.waitFor({ state: 'visible' });
    expect(await item.getAttribute('aria-checked')).not.toBe('true');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'profiles-0-cell-option.png') });
    await item.click();
    await cell.locator('.cm-content').click({ button: 'right' });
    await item.waitFor({ state: 'visible' });
    expect(await item.getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('Escape');
    const done = await runFirstCell(page);
    await done.getByRole('button', { name: 'Profiles' }).waitFor({ state: 'visible' });
  }, 180_000);

  test('the block profile: a click on main.wait lights line 16 and lists the moments it waited', async () => {
    const toggle = run().getByRole('button', { name: 'Profiles' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    const tabs = flame().locator('.jp-slowmo-flame-tab');
    expect(await tabs.allInnerTexts()).toEqual(
      expect.arrayContaining(['CPU', 'Block', 'Mutex', 'Goroutines', 'Wall clock']),
    );
    await tabs.filter({ hasText: 'Block' }).click();
    await flame().locator('.jp-slowmo-flame-frame').first().waitFor();
    // The learner's frames only, by default: no runtime frame is drawn (but the root, 'all').
    expect(
      await flame().locator('.jp-slowmo-flame-frame[data-own="false"]:not([data-i="0"])').count(),
    ).toBe(await flame().locator(`.jp-slowmo-flame-frame[data-fn="(outside your code)"]`).count());
    const wait = frame('main.wait', 16);
    await flame().evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await wait.hover();
    await flame().locator('.jp-slowmo-flame-tip').waitFor({ state: 'visible' });
    expect(await flame().locator('.jp-slowmo-flame-tip').innerText()).toMatch(
      /^main\.wait\nmain\.go:16\n[\d.]+ m?s blocked time · \d+(\.\d)?% of the profile/,
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'profiles-1-block-hover.png') });
    await wait.click({ force: true });

    // The line is lit in the cell's code, with what the frame holds as its hover.
    const lit = page.locator('.jp-slowmo-cell').first().locator('.cm-line.jp-slowmo-profile-line');
    await lit.waitFor();
    expect(await lit.count()).toBe(1);
    expect((await lit.innerText()).trim()).toBe('return <-ch');
    expect(await lit.getAttribute('title')).toMatch(/^main\.wait: main\.go:16 · /);

    // The three goroutines parked there, each a moment of the recording.
    const moments = flame().locator('.jp-slowmo-flame-moment');
    expect(await moments.count()).toBeGreaterThanOrEqual(3);
    expect(await moments.first().innerText()).toMatch(/^g\d+ · chan receive · [\d.]+ ms$/);
    await shot('profiles-2-block-picked');
    await page
      .locator('.jp-slowmo-cell')
      .first()
      .evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'profiles-3-line-lit.png') });

    const seq = Number(await moments.nth(1).getAttribute('data-seq'));
    await moments.nth(1).click();
    await page.waitForFunction(
      (s) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-seq') === String(s),
      seq,
    );
    expect(await run().locator('.jp-slowmo-narration').innerText()).toMatch(
      /^g\d+ \(main\.func1\) parked at main\.go:16: /,
    );
  }, 60_000);

  test('the CPU profile is main.spin; every frame with the runtime shown', async () => {
    await flame().locator('.jp-slowmo-flame-tab', { hasText: 'CPU' }).click();
    await frame('main.main', 29).waitFor();
    const widths = await flame()
      .locator('.jp-slowmo-flame-frame')
      .evaluateAll((gs) =>
        gs.map((g) => ({
          fn: (g as SVGGElement).dataset.fn,
          w: Number(g.querySelector('rect')!.getAttribute('width')),
        })),
      );
    const spin = widths.filter((f) => f.fn === 'main.spin').reduce((a, f) => a + f.w, 0);
    const all = widths[0]!.w;
    expect(spin / all).toBeGreaterThan(0.5);
    await shot('profiles-4-cpu');
    await flame().locator('.jp-slowmo-flame-all input').check();
    await page.waitForFunction(
      () => document.querySelectorAll('.jp-slowmo-flame-frame[data-own="false"]').length > 0,
    );
    await shot('profiles-5-cpu-all-frames');
  }, 30_000);

  test('the profiles in the dark theme', async () => {
    await setTheme(page, 'dark');
    await flame().locator('.jp-slowmo-flame-all input').uncheck();
    await flame().locator('.jp-slowmo-flame-tab', { hasText: 'Block' }).click();
    await frame('main.wait', 16).click({ force: true });
    // Frames drawn in the dark theme's deeper fills, under light ink.
    expect(await frame('main.wait', 16).locator('text').getAttribute('fill')).toBe('#f2f2f2');
    await shot('profiles-dark-2-block-picked');
    await flame().locator('.jp-slowmo-flame-tab', { hasText: 'CPU' }).click();
    await shot('profiles-dark-4-cpu');
    await setTheme(page, 'light');
  }, 30_000);
});
