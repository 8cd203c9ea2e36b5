/**
 * The interleaving explorer as a learner uses it, at 1400x900 in Debian's Chromium with a real
 * JupyterLab, bridge and eBPF probes: the cell's context menu runs the program 20 times; the
 * output counts its distinct outputs (the counts add up to 20), shows what each printed, and
 * opens any run in the picture; stopped part way, it counts the runs that ended; across settings
 * chosen in a dialog, it counts each output per setting. Screenshots in both themes (ui-tests/screenshots/explore-*.png).
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
    // Once two runs have ended, Stop. Checked at every frame: a run takes a few hundred ms, and
    // a locator's wait polls every 500 ms once it has waited a while, so it can miss run 3.
    await page.waitForFunction(
      () => {
        const title = document.querySelector('.jp-slowmo-explore .jp-slowmo-explore-title');
        const m = /^Exploring: run (\d+) of 20/.exec(title?.textContent ?? '');
        return m !== null && Number(m[1]) >= 3;
      },
      undefined,
      { polling: 'raf', timeout: 120_000 },
    );
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

  test('across settings: runs and GOMAXPROCS values chosen in a dialog, each output counted per setting', async () => {
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.locator('.cm-content').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Explore: Choose Runs and Settings…' }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('.jp-slowmo-sweep').waitFor();
    await dialog.locator('.jp-slowmo-sweep-runs').fill('3');
    await dialog.locator('input[name="procs"][value="1"]').check();
    await dialog.locator('input[name="procs"][value="4"]').uncheck();
    await dialog.locator('input[name="procs"][value="8"]').uncheck();
    // The cell's GOMAXPROCS (2) and the newest Go are chosen already.
    expect(await dialog.locator('input[name="procs"][value="2"]').isChecked()).toBe(true);
    expect(await dialog.locator('input[name="go"]:checked').count()).toBe(1);
    expect(await dialog.locator('.jp-slowmo-sweep-total').innerText()).toBe(
      '6 runs in all: 3 with each of 2 settings. Runs go one after another.',
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'explore-4-sweep-dialog.png') });
    await dialog.getByRole('button', { name: 'Explore' }).click();
    const title = explorer().locator('.jp-slowmo-explore-title', { hasText: /^6 runs: / });
    await title.waitFor({ timeout: 240_000 });
    expect(await explorer().locator('.jp-slowmo-explore-settings').innerText()).toMatch(
      /^Go [\d.]+, GOMAXPROCS 1; Go [\d.]+, GOMAXPROCS 2$/,
    );
    // Each output says how many of each setting's runs gave it; they add up to 3 per setting.
    const lines = await explorer().locator('.jp-slowmo-explore-per-setting').allInnerTexts();
    expect(lines.length).toBe(await explorer().locator('.jp-slowmo-explore-outcome').count());
    const sums = new Map<string, number>();
    for (const line of lines)
      for (const part of line.split(' · ')) {
        const m = /^(Go [\d.]+, GOMAXPROCS \d): (\d+) of 3$/.exec(part);
        expect(m).not.toBeNull();
        sums.set(m![1]!, (sums.get(m![1]!) ?? 0) + Number(m![2]));
      }
    expect([...sums.values()]).toEqual([3, 3]);
    await shot('explore-5-across-settings');
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
