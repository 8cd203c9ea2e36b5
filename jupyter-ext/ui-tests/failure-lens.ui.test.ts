/**
 * The deadlock lens as a learner sees it, at 1400x900 in Debian's Chromium with a real
 * JupyterLab, bridge and eBPF probes: two goroutines take two mutexes in opposite orders
 * and the runtime stops the program ("all goroutines are asleep"); under the ending
 * banner the lens lists the three blocked goroutines with what each waits on and the
 * cycle between the two; clicking a goroutine of the cycle moves the picture to the
 * moment it blocked and selects it. Screenshots in both themes
 * (ui-tests/screenshots/failure-lens-*.png).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeCell, launchChromium, SCREENSHOTS, startLab, writeNotebook, type Lab } from './lab';
import { openNotebook, runFirstCell, setTheme } from './open';
import { browserDescribe } from './describe';

const maybe = browserDescribe();

/** g(first) blocks at line 18 on b, g(second) at line 28 on a, main at line 33 on done. */
const PROGRAM = `package main

import (
	"fmt"
	"sync"
)

func main() {
	var a, b sync.Mutex
	var both, done sync.WaitGroup
	both.Add(2)
	done.Add(2)
	go func() {
		defer done.Done()
		a.Lock()
		both.Done()
		both.Wait()
		b.Lock()
		fmt.Println("first has both")
		b.Unlock()
		a.Unlock()
	}()
	go func() {
		defer done.Done()
		b.Lock()
		both.Done()
		both.Wait()
		a.Lock()
		fmt.Println("second has both")
		a.Unlock()
		b.Unlock()
	}()
	done.Wait()
}
`;

const META = { slowmo: { backend: 'ebpf', mode: 'record' } };

maybe('the deadlock lens, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const run = () => page.locator('.jp-slowmo-run').first();
  const lens = () => run().locator('.jp-slowmo-lens');
  /** The lens's text colour in the light theme. */
  let lightText = '';

  async function shot(name: string): Promise<void> {
    await run()
      .locator('.jp-slowmo-ending')
      .evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'failure-lens.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'failure-lens.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('the lens lists the blocked goroutines and draws the cycle; a click shows one blocking', async () => {
    await runFirstCell(page);
    await lens().waitFor({ state: 'visible' });
    expect(await lens().getAttribute('data-kind')).toBe('deadlock');
    expect(await lens().locator('.jp-slowmo-lens-title').innerText()).toBe(
      'Deadlock: 3 goroutines blocked for ever',
    );
    const heads = await lens().locator('.jp-slowmo-lens-head').allInnerTexts();
    expect(heads).toHaveLength(3);
    expect(heads.some((h) => /^g1 \(main\) at main\.go:33 .*: done$/.test(h))).toBe(true);
    expect(heads.some((h) => /at main\.go:18 — waiting to lock a mutex .*: b$/.test(h))).toBe(true);
    expect(heads.some((h) => /at main\.go:28 — waiting to lock a mutex .*: a$/.test(h))).toBe(true);
    const cycle = await lens().locator('.jp-slowmo-lens-cycle').innerText();
    expect(cycle).toMatch(/^Wait-for cycle: g(\d+) —[ab]→ g\d+ —[ab]→ g\1$/);
    lightText = await lens().evaluate((el) => getComputedStyle(el).color);
    await shot('failure-lens-1-deadlock');

    // The goroutine blocked on b (line 18): its button in the cycle moves the picture back.
    const row = lens().locator('.jp-slowmo-lens-row', { hasText: 'main.go:18' });
    const goid = Number(await row.getAttribute('data-goid'));
    const last = Number(await run().getAttribute('data-seq'));
    await lens()
      .locator(`.jp-slowmo-lens-cycle .jp-slowmo-lens-g[data-goid="${goid}"]`)
      .first()
      .click();
    await page.waitForFunction(
      (g) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-selected') === String(g),
      goid,
    );
    const seq = Number(await run().getAttribute('data-seq'));
    expect(seq).toBeLessThan(last);
    // The picture's event is that goroutine parking at line 18, and the lens stays.
    expect(await run().locator('.jp-slowmo-narration').innerText()).toMatch(
      new RegExp(`^g${goid} .*main\\.go:18`),
    );
    expect(await lens().isVisible()).toBe(true);
    await shot('failure-lens-2-blocked-moment');
  }, 180_000);

  test('the lens in the dark theme', async () => {
    await setTheme(page, 'dark');
    // Drawn in the dark theme's own colours, not the light theme's.
    await page.waitForFunction(
      (light) => getComputedStyle(document.querySelector('.jp-slowmo-lens')!).color !== light,
      lightText,
    );
    expect(await lens().locator('.jp-slowmo-lens-cycle').isVisible()).toBe(true);
    await shot('failure-lens-dark-2-blocked-moment');
    await setTheme(page, 'light');
  }, 30_000);
});
