/**
 * The teacher panel as a teacher uses it, at 1400x900 in Debian's Chromium with a real
 * JupyterLab, bridge and eBPF probes: a class folder of four learners (one passing, one
 * failing, one whose notebook is not JSON, one with a wrong prediction; nbgrader's and the
 * flat layout mixed) graded from the file browser's context menu. The progress, then the
 * summary, the table learner by checkpoint (a symbol and a word in every cell, not colour
 * alone), the malformed notebook's error, and the CSV download, which must be the file
 * `slowmo check --class` writes. Screenshots in both themes (ui-tests/screenshots/class-*.png).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserDescribe } from './describe';
import { launchChromium, REPO, SCREENSHOTS, startLab, type Lab } from './lab';
import { setTheme } from './open';

const maybe = browserDescribe();

const program = (n: number) => `package main

import "sync"

func main() {
	var wg sync.WaitGroup
	for i := 0; i < ${n}; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
}
`;

const created = (n: number) => ({
  type: 'event',
  kind: 'g.create',
  where: { fn: 'main.main.func1' },
  min: n,
  max: n,
});

/** A learner's hand-in: a program starting `n` goroutines, the prediction answered `answer`. */
function notebook(n: number, answer: string): string {
  const slowmo = {
    backend: 'ebpf',
    checkpoints: [
      { id: 'three', title: 'three goroutines', hint: 'three go statements', check: created(3) },
      {
        id: 'how-many',
        title: 'how many goroutines',
        check: {
          type: 'predict',
          question: 'How many goroutines will main start?',
          choices: [
            { id: '2', label: 'two', check: created(2) },
            { id: '3', label: 'three', check: created(3) },
          ],
          answers: [answer],
        },
      },
    ],
  };
  const cells = [
    { cell_type: 'markdown', source: '# Homework 1', metadata: {} },
    {
      cell_type: 'code',
      source: program(n),
      metadata: { slowmo },
      outputs: [],
      execution_count: null,
    },
  ];
  const kernelspec = { name: 'python3', display_name: 'Python 3', language: 'python' };
  return JSON.stringify({ cells, metadata: { kernelspec }, nbformat: 4, nbformat_minor: 5 });
}

const CLASS = 'hw1-submitted';

function writeClass(root: string): void {
  const dir = path.join(root, CLASS);
  for (const l of ['ann', 'bob']) mkdirSync(path.join(dir, l, 'hw1'), { recursive: true });
  writeFileSync(path.join(dir, 'ann', 'hw1', 'hw1.ipynb'), notebook(3, '3'));
  writeFileSync(path.join(dir, 'bob', 'hw1', 'hw1.ipynb'), notebook(2, '2'));
  writeFileSync(path.join(dir, 'cat.ipynb'), '{"cells": [');
  writeFileSync(path.join(dir, 'dan.ipynb'), notebook(3, '2'));
}

maybe('the teacher panel, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const panel = () => page.locator('.jp-slowmo-class').first();

  async function shot(name: string): Promise<void> {
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    writeClass(lab.root);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    await page.goto(`${lab.url}/lab?reset&token=${lab.token}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test("the folder's context menu grades the class: progress, then the table", async () => {
    const folder = page.locator('.jp-DirListing-item[data-isdir="true"]', { hasText: CLASS });
    await folder.click({ button: 'right', timeout: 60_000 });
    await page.locator('.lm-Menu-item', { hasText: 'Grade a Class Folder (Go-slowmo)' }).click();
    const tab = page.getByRole('tab', { name: `Class: ${CLASS}` });
    expect(await tab.getAttribute('aria-selected')).toBe('true');
    await panel()
      .locator('.jp-slowmo-class-status', { hasText: /^Graded \d of 4 learners/ })
      .waitFor();
    await shot('class-0-progress');
    await panel()
      .locator('.jp-slowmo-class-status[data-phase="done"]')
      .waitFor({ timeout: 240_000 });
    expect(await panel().locator('.jp-slowmo-class-status').innerText()).toBe(
      '4 learners: 2 passed every checkpoint, 2 did not.',
    );

    const rows = await panel()
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          (tr as HTMLElement).dataset.learner,
          ...[...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText),
        ]),
      );
    expect(rows).toEqual([
      ['ann', '✔ passed', '✔ right: 3', '1 of 1', '1 of 1'],
      ['bob', '✘ failed', '✔ right: 2', '0 of 1', '1 of 1'],
      [
        'cat',
        expect.stringMatching(/^⚠ cat\.ipynb: cannot read it as a notebook: /),
        '0 of 0',
        '0 of 0',
      ],
      ['dan', '✔ passed', '✘ wrong: 2', '1 of 1', '0 of 1'],
    ]);
    const headers = await panel().locator('thead th').allInnerTexts();
    expect(headers.map((h) => h.replace(/\s+/g, ' ').trim())).toEqual([
      'Learner',
      'CHECKPOINT three goroutines',
      'PREDICTION how many goroutines',
      'Checkpoints',
      'Predictions right',
    ]);
    // Colour as well as the symbol: a failed cell is not coloured as a passed one.
    const bg = (status: string) =>
      panel()
        .locator(`td[data-status="${status}"]`)
        .first()
        .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await bg('passed')).not.toBe(await bg('failed'));

    // The summary first: the most missed checkpoint, the wrong prediction, who could not be graded.
    expect(await panel().locator('.jp-slowmo-class-top-missed li').allInnerTexts()).toEqual([
      '1 of 4 learners missed three goroutines',
    ]);
    expect(await panel().locator('.jp-slowmo-class-top-wrong li').allInnerTexts()).toEqual([
      expect.stringMatching(/^1 of 4 learners answered .?2.? to how many goroutines$/),
    ]);
    expect(await panel().locator('.jp-slowmo-class-top-problems li').allInnerTexts()).toEqual([
      expect.stringMatching(/^cat cat\.ipynb: cannot read it as a notebook: /),
    ]);
    await shot('class-1-graded');
  }, 300_000);

  test('the CSV downloaded is the one slowmo check --class writes', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      panel().locator('.jp-slowmo-class-download', { hasText: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${CLASS}-grades.csv`);
    const got = readFileSync((await download.path()) as string, 'utf8');
    const out = mkdtempSync(path.join(tmpdir(), 'slowmo-class-out-'));
    const cli = spawnSync(
      process.execPath,
      [
        path.join(REPO, 'kernel-bridge', 'bin', 'slowmo.js'),
        'check',
        '--class',
        path.join(lab.root, CLASS),
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(cli.status).toBe(0);
    // Each run numbers its events afresh: the reasons' "at event N" may differ, nothing else.
    const runFree = (csv: string) => csv.replace(/at event \d+/g, 'at event N');
    const cliCsv = readFileSync(path.join(out, `${CLASS}-grades.csv`), 'utf8');
    expect(runFree(got)).toBe(runFree(cliCsv));
    expect(got.split('\r\n')).toHaveLength(9); // the header, 7 rows, the last line's end
    expect(got.split('\r\n')[0]).toBe(
      'learner,notebook,cell,checkpoint,title,kind,status,answer,reason',
    );

    const [junit] = await Promise.all([
      page.waitForEvent('download'),
      panel().locator('.jp-slowmo-class-download', { hasText: 'Download JUnit XML' }).click(),
    ]);
    expect(junit.suggestedFilename()).toBe(`${CLASS}-junit.xml`);
    // The same but for the suites' name: the CLI names the folder on its disk, the panel as Jupyter does.
    const cliXml = readFileSync(path.join(out, `${CLASS}-junit.xml`), 'utf8');
    expect(runFree(readFileSync((await junit.path()) as string, 'utf8'))).toBe(
      runFree(cliXml.replace(`name="${path.join(lab.root, CLASS)}"`, `name="${CLASS}"`)),
    );
    rmSync(out, { recursive: true, force: true });
  }, 240_000);

  test('the panel in the dark theme', async () => {
    const light = await panel().evaluate((el) => getComputedStyle(el).backgroundColor);
    await setTheme(page, 'dark');
    expect(await panel().evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe(light);
    await shot('class-2-dark');
    await setTheme(page, 'light');
  }, 30_000);

  test("a learner's name opens their notebook; Grade Again grades the folder again", async () => {
    await panel().locator('tr[data-learner="ann"] .jp-slowmo-class-open').click();
    await page.getByRole('tab', { name: 'hw1.ipynb' }).waitFor();
    await page.getByRole('tab', { name: `Class: ${CLASS}` }).click();
    // dan hands in again, now predicting right.
    writeFileSync(path.join(lab.root, CLASS, 'dan.ipynb'), notebook(3, '3'));
    await panel().locator('.jp-slowmo-class-again').click();
    await panel().locator('.jp-slowmo-class-status:not([data-phase="done"])').waitFor();
    await panel()
      .locator('.jp-slowmo-class-status[data-phase="done"]')
      .waitFor({ timeout: 240_000 });
    expect(await panel().locator('tr[data-learner="dan"] td').allInnerTexts()).toEqual([
      '✔ passed',
      '✔ right: 3',
      '1 of 1',
      '1 of 1',
    ]);
    expect(await panel().locator('.jp-slowmo-class-top-wrong').count()).toBe(0);
  }, 300_000);
});
