/**
 * The runtime's own leak detector beside the leak lens, as a learner meets it in lesson 16, at
 * 1400x900 in Debian's Chromium with a real JupyterLab, bridge and eBPF probes: the cell option
 * "Runtime’s Leak Detector (Go 1.26+)" from the cell's context menu, then the run (the newest Go
 * installed, which has the detector): the two mirrors that lost the race are leaked for the lens
 * and the runtime alike; the logger waiting on a package variable's channel is in the lens alone,
 * and the lens says why. Screenshot ui-tests/screenshots/leak-detector-1-lens.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserDescribe } from './describe';
import {
  codeCell,
  launchChromium,
  REPO,
  SCREENSHOTS,
  startLab,
  writeNotebook,
  type Lab,
} from './lab';
import { openNotebook, runFirstCell } from './open';

const maybe = browserDescribe();

/** The logger waits at line 13 (range logs, a package variable); the lost mirrors at line 23. */
const PROGRAM = readFileSync(
  path.join(REPO, 'lessons', 'src', '16-goroutine-leaks', 'logger.go'),
  'utf8',
);
const META = { slowmo: { backend: 'ebpf', mode: 'record', gomaxprocs: 2 } };
const ITEM = 'Runtime’s Leak Detector (Go 1.26+)';

maybe("the runtime's leak detector beside the lens, in a browser", () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const run = () => page.locator('.jp-slowmo-run').first();
  const lens = () => run().locator('.jp-slowmo-lens');

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'leak-detector.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'leak-detector.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('asked from the context menu, the detector agrees on the mirrors and not on the logger', async () => {
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.locator('.jp-InputArea').click();
    await cell.locator('.cm-content').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: ITEM }).click();
    await cell.locator('.cm-content').click({ button: 'right' });
    expect(
      await page.locator('.lm-Menu-item', { hasText: ITEM }).getAttribute('aria-checked'),
    ).toBe('true');
    await page.keyboard.press('Escape');

    await runFirstCell(page);
    await lens().waitFor({ state: 'visible' });
    expect(await lens().getAttribute('data-kind')).toBe('leak');
    const box = lens().locator('.jp-slowmo-lens-runtime');
    await box.waitFor({ state: 'visible' });
    expect(await box.getAttribute('data-status')).toBe('compared');

    const mirrors = lens().locator('.jp-slowmo-lens-row', { hasText: 'main.go:23' });
    const logger = lens().locator('.jp-slowmo-lens-row', { hasText: 'main.go:13' });
    const verdict = (row: typeof mirrors) => row.locator('.jp-slowmo-lens-runtime-verdict');
    expect(await verdict(mirrors).getAttribute('data-agrees')).toBe('all');
    expect(await verdict(mirrors).innerText()).toMatch(/agrees: all 2 leaked/);
    expect(await verdict(logger).getAttribute('data-agrees')).toBe('none');
    expect(await verdict(logger).innerText()).toMatch(/does not call it leaked/);
    expect(await box.locator('.jp-slowmo-lens-runtime-words').innerText()).toMatch(
      /reported 2 goroutines leaked as main returned, 2 of the 3 listed here/,
    );
    expect(await box.locator('.jp-slowmo-lens-runtime-explain').innerText()).toMatch(
      /judges by reachability: .*from a package variable/,
    );
    await lens().evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'leak-detector-1-lens.png') });
  }, 240_000);
});
