/**
 * The interleaving explorer as a learner uses it, at 1400x900 in Debian's Chromium with a real
 * JupyterLab, bridge and eBPF probes: the cell's context menu runs the program 20 times; the
 * output counts its distinct outputs (the counts add up to 20), shows what each printed, and
 * opens any run in the picture; stopped part way, it counts the runs that ended. Screenshots in both themes (ui-tests/screenshots/explore-*.png).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeCell, launchChromium, SCREENSHOTS, startLab, writeNotebook, type Lab } from './lab';
import { openNotebook, setTheme } from './open';
import { browserDescribe } from './describe';

const maybe = browserDescribe();

/** Two goroutines printing at once: which line comes first depends on the run. */
const PROGRAM = `package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for _, name := range []string{"ping", "pong"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Println(name)
		}()
	}
	wg.Wait()
}
`;

const META = { slowmo: { backend: 'ebpf', mode: 'record', gomaxprocs: 2 } };

maybe('the interleaving explorer, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const explorer = () => page.locator('.jp-slowmo-explore').first();
  let lightBackground = '';

  async function shot(name: string): Promise<void> {
    await explorer().evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'explore.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'explore.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('the cell menu runs it 20 times; the outputs are counted; a run opens in the picture', async () => {
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.locator('.cm-content').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Explore: Run It 20 Times' }).click();
    // Progress first, then the counts.
    await explorer().locator('.jp-slowmo-explore-title', { hasText: 'Exploring: run' }).waitFor();
    const title = explorer().locator('.jp-slowmo-explore-title', { hasText: /^20 runs: / });
    await title.waitFor({ timeout: 240_000 });
    const counts = await explorer()
      .locator('.jp-slowmo-explore-outcome')
      .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.count)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20);
    expect(await title.innerText()).toBe(
      counts.length === 1
        ? '20 runs: always the same output'
        : `20 runs: ${counts.length} different outputs`,
    );
    // Every output is the two lines in one order or the other.
    for (const out of await explorer().locator('.jp-slowmo-explore-stdout').allInnerTexts())
      expect(['ping\npong', 'pong\nping']).toContain(out);
    expect(await explorer().locator('.jp-slowmo-explore-settings').innerText()).toMatch(
      /GOMAXPROCS 2/,
    );
    lightBackground = await explorer()
      .locator('.jp-slowmo-explore-outcome')
      .first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    await shot('explore-1-outcomes');

    // The first output's first run, in the picture.
    const first = explorer().locator('.jp-slowmo-explore-run').first();
    const id = await first.getAttribute('data-run');
    await first.click();
    const opened = explorer().locator('.jp-slowmo-explore-opened');
    await opened.locator('.jp-slowmo-status', { hasText: 'Finished' }).waitFor();
    expect(await opened.getAttribute('data-run')).toBe(id);
    expect(await first.getAttribute('aria-pressed')).toBe('true');
    expect(await explorer().locator('.jp-slowmo-explore-opened-title').innerText()).toBe(
      `Run ${id} of 20, in the picture:`,
    );
    await shot('explore-2-run-opened');
  }, 300_000);

  test('stopped while exploring: the runs that ended are counted, and it says so', async () => {
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.locator('.cm-content').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Explore: Run It 20 Times' }).click();
    // Once two runs have ended, Stop.
    await explorer()
      .locator('.jp-slowmo-explore-title', { hasText: 'Exploring: run 3 of 20' })
      .waitFor({ timeout: 120_000 });
    await explorer().locator('.jp-slowmo-explore-stop').click();
    const title = explorer().locator('.jp-slowmo-explore-title', { hasText: /^\d+ runs: / });
    await title.waitFor({ timeout: 60_000 });
    const n = Number(/^(\d+) runs/.exec(await title.innerText())![1]);
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThan(20);
    expect(await explorer().locator('.jp-slowmo-explore-stopped').innerText()).toBe(
      `Stopped after ${n} of 20 runs: these counts are of those.`,
    );
    const counts = await explorer()
      .locator('.jp-slowmo-explore-outcome')
      .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.count)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    // Each counted run opens: none was cut short.
    const runs = explorer().locator('.jp-slowmo-explore-run');
    expect(await runs.count()).toBe(n);
    expect(
      await runs.evaluateAll((bs) => bs.every((b) => !(b as HTMLButtonElement).disabled)),
    ).toBe(true);
    await shot('explore-3-stopped');
  }, 300_000);

  test('the explorer in the dark theme', async () => {
    await setTheme(page, 'dark');
    expect(
      await explorer()
        .locator('.jp-slowmo-explore-outcome')
        .first()
        .evaluate((el) => getComputedStyle(el).backgroundColor),
    ).not.toBe(lightBackground);
    await shot('explore-dark-1-outcomes');
    await setTheme(page, 'light');
  }, 30_000);
});
