/**
 * The runtime's own lines beside the picture, at 1400x900 in Debian's Chromium with a real
 * JupyterLab, bridge and eBPF probes: on a cell of kernel-bridge's recordings/schedtrace.go (2
 * Ps), the option "Runtime's own traces" from its context menu sets GODEBUG=schedtrace=10,
 * gctrace=1; the cell runs; the timeline shows the strip of
 * schedtrace and gctrace marks above its lanes, each schedtrace mark coloured by the cross-check
 * with the picture's model; hovering one says the runtime's numbers beside the model's, a click
 * moves the picture to it. Screenshots ui-tests/screenshots/runtime-trace-*.png.
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
  path.join(REPO, 'kernel-bridge', 'test', 'fixtures', 'recordings', 'schedtrace.go'),
  'utf8',
);
const META = {
  slowmo: { backend: 'ebpf', mode: 'record', gomaxprocs: 2 },
};

maybe('schedtrace and gctrace on the timeline, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const run = () => page.locator('.jp-slowmo-run').first();
  const strip = () => run().locator('.jp-slowmo-runtime-strip');
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `runtime-trace-${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'runtime-trace.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'runtime-trace.ipynb');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('the strip: a mark per line, checked against the picture', async () => {
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.locator('.jp-InputArea').click();
    await cell.locator('.cm-content').click({ button: 'right' });
    await page.locator('.lm-Menu').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'runtime-trace-0-menu.png') });
    await page.locator('.lm-Menu-item', { hasText: 'Runtime’s own traces' }).click();
    await cell.locator('.cm-content').click({ button: 'right' });
    const item = page.locator('.lm-Menu-item', { hasText: 'Runtime’s own traces' });
    expect(await item.getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('Escape');
    await runFirstCell(page);
    await run().getByRole('button', { name: 'Timeline', exact: true }).click();
    await strip().waitFor({ state: 'visible' });
    await page.waitForFunction(() =>
      document.querySelector('.jp-slowmo-runtime-strip')?.getAttribute('data-checked'),
    );
    const sched = strip().locator('.jp-slowmo-runtime-mark.jp-slowmo-runtime-schedtrace');
    const gc = strip().locator('.jp-slowmo-runtime-mark.jp-slowmo-runtime-gctrace');
    // One every 10 ms of a run of about 100 ms: about ten, fewer when the run is quick.
    expect(await sched.count()).toBeGreaterThanOrEqual(5);
    expect(await gc.count()).toBeGreaterThan(0);
    const verdicts = await sched.evaluateAll((ms) => ms.map((m) => m.getAttribute('data-agrees')));
    expect(verdicts.every((v) => v === 'true' || v === 'false')).toBe(true);
    // The run queues and idle Ps agree nearly always (kernel-bridge's schedtrace-check test).
    expect(verdicts.filter((v) => v === 'true').length).toBeGreaterThan(verdicts.length / 2);
    // The output still holds the runtime's lines.
    const out = run().locator('.jp-slowmo-output');
    await out.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    expect(await out.innerText()).toMatch(/SCHED \d+ms: gomaxprocs=2|gc \d+ @/);
    await strip().evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shot('1-strip');
  }, 200_000);

  test('hovering a mark says the runtime’s numbers and the model’s; a click moves the picture', async () => {
    const mark = strip().locator('.jp-slowmo-runtime-mark.jp-slowmo-runtime-schedtrace').nth(3);
    await mark.hover();
    const tip = page.locator('.jp-slowmo-runtime-tip');
    await tip.waitFor({ state: 'visible' });
    const words = await tip.innerText();
    expect(words).toMatch(/schedtrace at \d+ ms of the runtime’s clock/);
    expect(words).toMatch(/P0 run queue: runtime \d+, model \d+/);
    expect(words).toMatch(/The picture (agrees|differs)/);
    await shot('2-tooltip');
    const gc = strip().locator('.jp-slowmo-runtime-mark.jp-slowmo-runtime-gctrace').first();
    // Cycles close together draw their marks on top of each other: the first one's own words.
    await gc.dispatchEvent('mouseenter');
    expect(await tip.innerText()).toMatch(/GC cycle 1.*\n.*goal \d+ MB/);
    await shot('3-gc-tooltip');
    const seq = Number(await mark.getAttribute('data-seq'));
    await mark.click();
    await page.waitForFunction(
      (s) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-seq') === String(s),
      seq,
    );
  }, 60_000);
});
