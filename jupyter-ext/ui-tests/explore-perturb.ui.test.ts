/**
 * Schedule perturbation in the explorer, as a learner asks for it, at 1400x900 in Debian's
 * Chromium with a real JupyterLab, bridge and eBPF probes: a right-click on a line of the cell,
 * "Explore: Perturb at This Line (26)", and 20 runs of which half yield at the start of that
 * line; the explorer says what was perturbed and in which runs (a label on each, not colour
 * alone), opens a perturbed run saying so, and its own form re-explores at another line, where
 * a line that starts no statement is refused saying why. Screenshots:
 * ui-tests/screenshots/explore-perturb-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeCell, launchChromium, SCREENSHOTS, startLab, writeNotebook, type Lab } from './lab';
import { openNotebook } from './open';
import { browserDescribe } from './describe';

const maybe = browserDescribe();

/**
 * At GOMAXPROCS 1 the goroutine created last runs first and takes both its steps: [b1 b2 a1 a2].
 * A yield at line 26, between b's steps, lets a in between: [b1 a1 a2 b2].
 */
const PROGRAM = `package main

import (
	"fmt"
	"sync"
)
// main prints the order in which two goroutines took their steps.
func main() {
	var mu sync.Mutex
	var order []string
	note := func(s string) {
		mu.Lock()
		order = append(order, s)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		note("a1")
		note("a2")
	}()
	go func() {
		defer wg.Done()
		note("b1")
		note("b2")
	}()
	wg.Wait()
	fmt.Println(order)
}`;

const META = { slowmo: { backend: 'ebpf', mode: 'record', gomaxprocs: 1 } };

maybe('schedule perturbation in the explorer, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const explorer = () => page.locator('.jp-slowmo-explore').first();

  async function shot(name: string): Promise<void> {
    await explorer().evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'explore-perturb.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'explore-perturb.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('a right-click on line 26 perturbs it in half the runs; the runs say which', async () => {
    const cell = page.locator('.jp-slowmo-cell').first();
    const line26 = cell.locator('.cm-line').nth(25);
    expect(await line26.innerText()).toContain('note("b2")');
    await line26.click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Explore: Perturb at This Line (26)' }).click();
    await explorer()
      .locator('.jp-slowmo-explore-perturbed', { hasText: 'yield at main.go:26' })
      .waitFor();
    const title = explorer().locator('.jp-slowmo-explore-title', { hasText: /^20 runs: / });
    await title.waitFor({ timeout: 240_000 });
    expect(await explorer().locator('.jp-slowmo-explore-perturbed').innerText()).toBe(
      'Perturbed (✱): yield at main.go:26, in 10 of 20 runs; the others ran as written',
    );
    // Every perturbed run is labelled so, and only they: r2, r4, … r20.
    const marked = await explorer()
      .locator('.jp-slowmo-explore-run[data-perturbed="true"]')
      .allInnerTexts();
    expect(marked.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${2 * i + 2} ✱`).sort());
    // Each output says how many of its runs were perturbed; the interleaved one came perturbed.
    const rows = explorer().locator('.jp-slowmo-explore-outcome');
    const heads = await rows.locator('.jp-slowmo-explore-count').allInnerTexts();
    for (const h of heads)
      expect(h).toMatch(/ · (all perturbed|none perturbed|\d+ perturbed \(.*\))$/);
    const interleaved = rows.filter({ hasText: '[b1 a1 a2 b2]' });
    expect(await interleaved.count()).toBe(1);
    expect(await interleaved.locator('.jp-slowmo-explore-count').innerText()).toMatch(
      / · (all perturbed|\d+ perturbed \(.*\))$/,
    );
    await shot('explore-perturb-1-outcomes');

    // A perturbed run opens in the picture, saying it was perturbed.
    const run = interleaved.locator('.jp-slowmo-explore-run[data-perturbed="true"]').first();
    const id = await run.getAttribute('data-run');
    await run.click();
    await explorer()
      .locator('.jp-slowmo-explore-opened .jp-slowmo-status', { hasText: 'Finished' })
      .waitFor();
    expect(await explorer().locator('.jp-slowmo-explore-opened-title').innerText()).toBe(
      `Run ${id} of 20 (perturbed: yield at main.go:26), in the picture:`,
    );
    await shot('explore-perturb-2-run-opened');
  }, 300_000);

  test('the form re-explores at another line; a comment line is refused saying why', async () => {
    const form = explorer().locator('.jp-slowmo-explore-perturb-form');
    expect(await form.locator('.jp-slowmo-explore-perturb-line').inputValue()).toBe('26');
    await form.locator('.jp-slowmo-explore-perturb-line').fill('7');
    await form.locator('.jp-slowmo-explore-perturb-kind').selectOption('sleep=1ms');
    await form.locator('.jp-slowmo-explore-perturb-go').click();
    const error = explorer().locator('.jp-slowmo-explore-error');
    await error.waitFor({ timeout: 120_000 });
    expect(await error.innerText()).toMatch(
      /^Exploration stopped: run 2 of 20 did not run: it cannot be built perturbed \(1ms pause at main\.go:7\): main\.go:7:0: cannot perturb line 7: it is a comment; a perturbation goes at the start of a statement inside a function body: choose a line where one starts, e\.g\. /,
    );
    // The form stays, with the line and the kind asked, to choose another.
    const again = explorer().locator('.jp-slowmo-explore-perturb-form');
    expect(await again.locator('.jp-slowmo-explore-perturb-line').inputValue()).toBe('7');
    expect(await again.locator('.jp-slowmo-explore-perturb-kind').inputValue()).toBe('sleep=1ms');
    await shot('explore-perturb-3-refused');
  }, 180_000);
});
