/**
 * A learner's session, in a real JupyterLab in Debian's Chromium, with the
 * real bridge and probes: make a Go-slowmo cell, type a program, run it, look
 * at its goroutines, step through it, save, reload and find the same
 * picture; a compile error lands on its line; a Python cell still runs on
 * its kernel. Screenshots go to ui-tests/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  codeCell,
  launchChromium,
  REPO,
  savedNotebook,
  SCREENSHOTS,
  startLab,
  writeNotebook,
  type Lab,
} from './lab';
import { browserDescribe } from './describe';
import { seen } from './seen';

const maybe = browserDescribe();

const PROGRAM = `package main

import (
	"fmt"
	"time"
)

func main() {
	block := make(chan int)
	for i := 0; i < 4; i++ {
		go func() {
			<-block
		}()
	}
	time.Sleep(50 * time.Millisecond)
	fmt.Println("four goroutines are waiting")
}
`;

const BROKEN = `package main

func main() {
	x := 1
}
`;

maybe('a notebook with Go-slowmo cells, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'lesson.ipynb', [codeCell('print(6 * 7)')]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    await page.goto(`${lab.url}/lab/tree/lesson.ipynb?token=${lab.token}`);
    await page.locator('.jp-Notebook .jp-Cell').first().waitFor();
    await page
      .getByText('Kernel status: Idle')
      .first()
      .waitFor({ state: 'attached', timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  /** Puts source into a cell's editor as a paste would (no auto-closing brackets). */
  async function setSource(cell: ReturnType<Page['locator']>, source: string): Promise<void> {
    await cell.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(source);
  }

  async function runCell(cell: ReturnType<Page['locator']>): Promise<void> {
    await cell.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
  }

  test('a Go-slowmo cell made from the toolbar runs and shows its goroutines', async () => {
    await page.locator('.jp-Notebook .jp-Cell').first().click();
    await page.locator('.jp-NotebookPanel-toolbar').getByText('+ Go-slowmo').click();
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.waitFor();
    await setSource(cell, PROGRAM);
    await runCell(cell);
    const run = cell.locator('.jp-slowmo-run');
    await run.locator('.jp-slowmo-status', { hasText: 'Finished' }).waitFor({ timeout: 120_000 });
    await expectAttr(run, 'data-user-goroutines', '4');
    await expectAttr(run, 'data-user-waiting', '4');
    expect(await run.locator('.jp-slowmo-output').innerText()).toContain(
      'four goroutines are waiting',
    );
    await shot('1-run-finished');

    // Step back and forward through the run.
    const position = run.locator('.jp-slowmo-position');
    const last = await position.innerText();
    const [, n, total] = /event (\d+) of (\d+)/.exec(last)!;
    expect(n).toBe(total);
    await run.getByRole('button', { name: 'One event back' }).click();
    await expectText(position, `event ${Number(n) - 1} of ${total}`);
    await run.getByRole('button', { name: 'One event back' }).click();
    await expectText(position, `event ${Number(n) - 2} of ${total}`);
    await run.getByRole('button', { name: 'One event forward' }).click();
    await expectText(position, `event ${Number(n) - 1} of ${total}`);
    await shot('2-stepped-back');
  });

  test('saved and reloaded, the output shows what it showed: picture, source, position, ending', async () => {
    const before = page.locator('.jp-slowmo-cell .jp-slowmo-run').first();
    // What the learner saw at the end of the run and one event before it.
    await before.getByRole('button', { name: 'To the last event (follow a live run)' }).click();
    const liveEnd = await seen(before);
    await before.getByRole('button', { name: 'One event back' }).click();
    const liveBack = await seen(before);
    expect(liveBack.position).not.toBe(liveEnd.position);

    const saved = await savedNotebook(lab, 'lesson.ipynb', () =>
      page.locator('.jp-NotebookPanel-toolbar [data-command="docmanager:save"]').click(),
    );
    const goCell = saved.cells.find((c) => 'slowmo' in c.metadata)!;
    expect(Object.keys(goCell.outputs![0]!.data!).sort()).toEqual(
      ['application/vnd.go-slowmo.run.v1+json', 'image/svg+xml', 'text/plain'].sort(),
    );
    await page.reload();
    const run = page.locator('.jp-slowmo-cell .jp-slowmo-run').first();
    await run.locator('.jp-slowmo-status', { hasText: 'Finished' }).waitFor({ timeout: 60_000 });
    // A reopened output starts at the end, as the run did when it finished.
    const reloadedEnd = await seen(run);
    expect(reloadedEnd).toEqual(liveEnd);
    await run.getByRole('button', { name: 'One event back' }).click();
    expect(await seen(run)).toEqual(liveBack);
    // ...and what it shows is the run's: its goroutines, its line, its output.
    expect(liveEnd.counts).toEqual({ goroutines: '4', waiting: '4' });
    expect(liveEnd.source.length).toBeGreaterThan(0);
    expect(liveEnd.output).toContain('four goroutines are waiting');
    expect(Object.keys(liveEnd.picture)).toContain('g:1');
    expect(Object.values(liveEnd.picture).join('\n')).toMatch(/ g\d+ main\.f/); // a waiting one
    await shot('3-reloaded');
  });

  test('a compile error is shown on its line', async () => {
    await page.locator('.jp-slowmo-cell').first().click();
    await page.locator('.jp-NotebookPanel-toolbar').getByText('+ Go-slowmo').click();
    const cell = page.locator('.jp-slowmo-cell').nth(1);
    await setSource(cell, BROKEN);
    await runCell(cell);
    await cell.locator('.jp-slowmo-diagnostic').first().waitFor({ timeout: 60_000 });
    expect(await cell.locator('.jp-slowmo-diagnostic').first().innerText()).toBe(
      'main.go:4:2: declared and not used: x',
    );
    const marked = cell.locator('.jp-slowmo-error-line');
    await marked.waitFor();
    expect(await marked.innerText()).toContain('x := 1');
    await shot('4-compile-error');
  });

  test('a lesson, run from top to bottom, shows its worked example passing its checkpoints', async () => {
    const lesson = JSON.parse(
      readFileSync(path.join(REPO, 'lessons', '01-goroutines-gmp.ipynb'), 'utf8'),
    ) as {
      cells: object[];
    };
    await writeNotebook(lab, 'lesson-01.ipynb', lesson.cells);
    const tab = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    // A workspace of its own: only this notebook open, whatever the other tests left.
    await tab.goto(
      `${lab.url}/lab/workspaces/lesson/tree/lesson-01.ipynb?reset&token=${lab.token}`,
    );
    const panel = tab.locator('.jp-NotebookPanel:visible');
    await panel.locator('.jp-slowmo-cell').first().waitFor();
    await tab
      .getByText('Kernel status: Idle')
      .first()
      .waitFor({ state: 'attached', timeout: 60_000 });
    await panel.locator('.jp-slowmo-cell').first().click();
    await tab.keyboard.press('Escape');
    // Run → Run All Cells, as a learner would.
    await tab.getByText('Run', { exact: true }).first().click();
    await tab.getByText('Run All Cells', { exact: true }).first().click();
    const example = panel.locator('.jp-slowmo-cell').first();
    const passed = example.locator('.jp-slowmo-checkpoint[data-passed="true"]');
    await passed.first().waitFor({ timeout: 120_000 });
    // Every checkpoint of the worked example passes (lesson 1 has three).
    expect(await passed.count()).toBe(3);
    expect(await example.locator('.jp-slowmo-checkpoint').count()).toBe(3);
    // The exercise's starter ran too, and fails its checkpoints until the learner fixes it.
    const exercise = panel.locator('.jp-slowmo-cell').nth(1);
    await exercise.locator('.jp-slowmo-checkpoint').first().waitFor({ timeout: 120_000 });
    expect(
      await exercise.locator('.jp-slowmo-checkpoint[data-passed="false"]').count(),
    ).toBeGreaterThan(0);
    expect(await exercise.locator('.jp-slowmo-hint').count()).toBeGreaterThan(0);
    await tab.screenshot({ path: path.join(SCREENSHOTS, '5-lesson-checkpoints.png') });
    await tab.close();
  });

  test('a Python cell in the same notebook still runs on its kernel', async () => {
    const py = page.locator('.jp-Notebook .jp-Cell').first();
    await runCell(py);
    const out = py.locator('.jp-OutputArea-output');
    await out.filter({ hasText: '42' }).waitFor({ timeout: 60_000 });
    expect((await out.innerText()).trim()).toBe('42');
  });
});

async function expectAttr(
  loc: ReturnType<Page['locator']>,
  name: string,
  value: string,
): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await loc.getAttribute(name)) === value) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await loc.getAttribute(name)).toBe(value);
}

async function expectText(loc: ReturnType<Page['locator']>, text: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await loc.innerText()).includes(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await loc.innerText()).toContain(text);
}
