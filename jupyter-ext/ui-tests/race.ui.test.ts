/**
 * The race detector in a browser, at 1400x900 in Debian's Chromium with a real JupyterLab,
 * bridge and eBPF probes: on a cell of kernel-bridge's recordings/race.go (two goroutines add to
 * one int without a lock, on line 16, made on line 13), the option "Race Detector" from its
 * context menu builds it with -race; the cell runs; the list under the picture names the race's
 * two accesses with their lines, and a line clicked lights in the cell and moves the picture to
 * the race; the timeline's strip has its mark. Screenshots ui-tests/screenshots/race-*.png.
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

const PROGRAM = readFileSync(
  path.join(REPO, 'kernel-bridge', 'test', 'fixtures', 'recordings', 'race.go'),
  'utf8',
);
const META = { slowmo: { backend: 'ebpf', mode: 'record', gomaxprocs: 2 } };
const OPTION = 'Race Detector (build with -race)';

maybe('the race detector, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const cell = () => page.locator('.jp-slowmo-cell').first();
  const run = () => page.locator('.jp-slowmo-run').first();
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `race-${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'race.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'race.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('the option in the context menu; the race listed with both lines', async () => {
    await cell().locator('.jp-InputArea').click();
    await cell().locator('.cm-content').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: OPTION }).click();
    await cell().locator('.cm-content').click({ button: 'right' });
    const item = page.locator('.lm-Menu-item', { hasText: OPTION });
    expect(await item.getAttribute('aria-checked')).toBe('true');
    await shot('0-menu');
    await page.keyboard.press('Escape');
    // The first race build of a toolchain compiles the standard library again (30 s or more).
    await runFirstCell(page, 400_000);
    const list = run().locator('.jp-slowmo-races');
    await list.waitFor({ state: 'visible' });
    expect(await list.locator('.jp-slowmo-races-caption').innerText()).toMatch(
      /^Data races · \d+ found by the race detector/,
    );
    const rows = list.locator('.jp-slowmo-race').first().locator('.jp-slowmo-race-access');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).innerText()).toMatch(
      /^goroutine \d+ (read|wrote) main\.go:16 · made at main\.go:13$/,
    );
    expect(await rows.nth(1).innerText()).toMatch(
      /^before, goroutine \d+ (read|wrote) main\.go:16/,
    );
    // The report is still in the output (its end in view), and the detector's closing line.
    const out = run().locator('.jp-slowmo-output');
    expect(await out.innerText()).toMatch(/created at:[\s\S]*Found \d+ data race\(s\)/);
    await list.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shot('1-list');
  }, 500_000);

  test('a line clicked lights in the cell and moves the picture to the race', async () => {
    const entry = run().locator('.jp-slowmo-race').first();
    const seq = await entry.getAttribute('data-seq');
    await entry.locator('.jp-slowmo-race-line', { hasText: 'main.go:16' }).first().click();
    await page.waitForFunction(
      (s) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-seq') === s,
      seq,
    );
    const lit = cell().locator('.jp-slowmo-profile-line');
    await lit.waitFor();
    expect(await lit.innerText()).toContain('n++');
    expect(await run().locator('.jp-slowmo-narration').innerText()).toMatch(
      /race detector found a data race/,
    );
    await shot('2-lit');
  }, 60_000);

  test('the timeline: a mark at the race, which moves the picture there', async () => {
    await run().getByRole('button', { name: 'Timeline', exact: true }).click();
    const strip = run().locator('.jp-slowmo-race-strip');
    await strip.waitFor({ state: 'visible' });
    // The view may be zoomed in about the picture's moment, the race's mark out of it: the whole
    // run shows every mark (on a loaded machine the run is longer, the race once out of view).
    await run().getByRole('button', { name: 'whole run', exact: true }).click();
    const mark = strip.locator('.jp-slowmo-race-mark').first();
    await mark.waitFor({ state: 'visible' });
    expect(await mark.getAttribute('title')).toMatch(/main\.go:16/);
    await strip.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shot('3-timeline');
    const seq = await mark.getAttribute('data-seq');
    await mark.click();
    await page.waitForFunction(
      (s) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-seq') === s,
      seq,
    );
  }, 60_000);
});
