/**
 * Predict, then reveal, as a learner meets it at 1400x900 in Debian's
 * Chromium with a real JupyterLab, bridge and probes: a cell asks which of
 * two goroutines runs first (with one P the one created last waits in
 * runnext, so b always does); run unanswered, it asks for an answer and does
 * not run; answered wrongly, it runs, judges and explains the prediction, the
 * answer saved in the notebook, and "See the moment" moves the picture to the
 * event that decided it; answered again, rightly, both answers are kept and
 * judged, the first the one graded. The choices are lines of the code: the
 * first answer is picked there, beside its line. Screenshots: ui-tests/screenshots/predict-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  codeCell,
  launchChromium,
  savedNotebook,
  SCREENSHOTS,
  startLab,
  writeNotebook,
  type Lab,
} from './lab';
import { openNotebook } from './open';
import { browserDescribe } from './describe';

const maybe = browserDescribe();

const PROGRAM = `package main

import "sync"

var wg sync.WaitGroup

func a() { wg.Done() }
func b() { wg.Done() }

func main() {
	wg.Add(2)
	go a()
	go b()
	wg.Wait()
}
`;

const QUESTION = {
  id: 'first',
  title: 'Which goroutine runs first?',
  check: {
    type: 'predict',
    question: 'main starts a, then b. Which of them runs first?',
    choices: [
      {
        id: 'a',
        label: 'a, started first',
        line: 12,
        check: { type: 'order', first: 'main.a', then: 'main.b' },
      },
      {
        id: 'b',
        label: 'b, started last',
        line: 13,
        check: { type: 'order', first: 'main.b', then: 'main.a' },
      },
    ],
    answers: [],
    explanation: 'The goroutine started last waits in runnext, so it runs as soon as main waits.',
  },
};

const META = {
  slowmo: { backend: 'ebpf', mode: 'record', gomaxprocs: 1, checkpoints: [QUESTION] },
};

maybe('predict, then reveal, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;

  /** The page as the learner sees it, `top` (the question's box by default) at the top of the notebook. */
  const shot = async (name: string, top = '.jp-slowmo-predict'): Promise<void> => {
    await page
      .locator(top)
      .first()
      .evaluate((el) => {
        el.scrollIntoView({ block: 'start' });
        el.closest('.jp-WindowedPanel-outer')?.scrollBy(0, -12);
      });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  };
  const panel = () => page.locator('.jp-slowmo-predict').first();
  const run = () => page.locator('.jp-slowmo-run').first();
  const choose = (label: string) => panel().getByLabel(label).check();
  const answersSaved = async (): Promise<unknown> => {
    const saved = await savedNotebook(lab, 'predict.ipynb', () => page.keyboard.press('Control+s'));
    const cps = (
      saved.cells[0]!.metadata.slowmo as { checkpoints: { check: { answers: unknown } }[] }
    ).checkpoints;
    return cps[0]!.check.answers;
  };
  const runCell = async (): Promise<void> => {
    await page.locator('.jp-slowmo-cell').first().locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'predict.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'predict.ipynb');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  test('the question is asked before the run; run unanswered, it asks for an answer and does not run', async () => {
    await panel().waitFor({ state: 'visible' });
    expect(await panel().locator('legend').innerText()).toBe('Predict, then run');
    expect(await panel().locator('.jp-slowmo-predict-text').innerText()).toBe(
      'main starts a, then b. Which of them runs first?',
    );
    expect(await panel().locator('input[type=radio]').count()).toBe(2);
    // The choices are lines: each can be picked in the code too, where it is written.
    const picks = page.locator('.jp-slowmo-cell').first().locator('.jp-slowmo-pick-line');
    expect((await picks.allInnerTexts()).map((t) => t.trimEnd())).toEqual([
      '\tgo a()○ a, started first',
      '\tgo b()○ b, started last',
    ]);
    expect(await panel().locator('.jp-slowmo-predict-pick-hint').innerText()).toBe(
      'Or pick the line in the code: press the ○ button at the end of the line you choose.',
    );
    // Above the output: between the code and the output area.
    const order = await page
      .locator('.jp-slowmo-cell')
      .first()
      .evaluate((cell) => {
        const parts = ['jp-Cell-inputWrapper', 'jp-slowmo-predict', 'jp-Cell-outputWrapper'];
        const kids = [...cell.querySelectorAll(parts.map((p) => `.${p}`).join(', '))];
        return kids.map((k) => parts.find((p) => k.classList.contains(p)));
      });
    expect(order).toEqual(['jp-Cell-inputWrapper', 'jp-slowmo-predict', 'jp-Cell-outputWrapper']);
    await runCell();
    await panel().locator('.jp-slowmo-predict-ask').waitFor({ state: 'visible' });
    expect(await panel().locator('.jp-slowmo-predict-ask').innerText()).toBe(
      'Choose your answer, then run the cell.',
    );
    await page.waitForTimeout(1000);
    expect(await page.locator('.jp-slowmo-run').count()).toBe(0);
    await shot('predict-1-asked', '.jp-slowmo-cell');
  });

  test('a wrong prediction, picked in the code: saved, run, judged wrong with what the run showed and why, and the moment shown', async () => {
    const pickA = page.locator('.jp-slowmo-pick[data-choice="a"]');
    await pickA.click();
    await page.waitForFunction(
      () =>
        document.querySelector('.jp-slowmo-pick[data-choice="a"]')?.getAttribute('aria-pressed') ===
        'true',
    );
    expect(await pickA.innerText()).toBe('◉ a, started first');
    expect(await panel().getByLabel('a, started first').isChecked()).toBe(true);
    expect(await answersSaved()).toEqual(['a']);
    await shot('predict-1b-picked-in-code', '.jp-slowmo-cell');
    await runCell();
    await run().locator('.jp-slowmo-status', { hasText: 'Finished' }).waitFor({ timeout: 150_000 });
    const reveal = panel().locator('.jp-slowmo-predict-reveal');
    await reveal.waitFor({ state: 'visible' });
    const answer = reveal.locator('.jp-slowmo-predict-answer');
    expect(await answer.count()).toBe(1);
    expect(await answer.innerText()).toBe('Your prediction: a, started first — ✘ wrong (graded)');
    const shows = await reveal.locator('.jp-slowmo-predict-shows').innerText();
    expect(shows).toMatch(
      /^The run: you predicted "a, started first", but the run shows "b, started last": g\d+ \(main\.b\) first ran at event \d+/,
    );
    const goid = /g(\d+) \(main\.b\)/.exec(shows)![1];
    expect(await reveal.locator('.jp-slowmo-predict-why').innerText()).toBe(
      'Why: The goroutine started last waits in runnext, so it runs as soon as main waits.',
    );
    // The checkpoint list of the output says it too, with the explanation and the moment.
    const row = run().locator('.jp-slowmo-checkpoint');
    expect(await row.innerText()).toMatch(
      /^✘ Which goroutine runs first\? — you predicted "a, started first", but/,
    );
    expect(await row.locator('.jp-slowmo-predict-status').innerText()).toBe(
      'Your prediction was wrong.',
    );
    expect(await row.locator('.jp-slowmo-predict-why').innerText()).toMatch(/^Why: The goroutine/);
    expect(await row.locator('.jp-slowmo-predict-moment').innerText()).toBe(
      await reveal.locator('.jp-slowmo-predict-moment').innerText(),
    );
    // See the moment: the picture moves from the run's end to the event that decided it.
    const moment = reveal.locator('.jp-slowmo-predict-moment');
    const event = Number(/event (\d+)/.exec(await moment.innerText())![1]);
    expect(Number(await run().getAttribute('data-seq'))).toBeGreaterThan(event - 1);
    await moment.click();
    await page.waitForFunction(
      (seq) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-seq') === String(seq),
      event - 1,
    );
    expect(await run().locator('.jp-slowmo-narration').innerText()).toContain(`g${goid}`);
    // The code says it too, beside the lines: the pick wrong, the line the run bore out.
    expect(await page.locator('.jp-slowmo-pick').allInnerTexts()).toEqual([
      '◉ a, started first — ✘',
      '○ b, started last — ✔ what the run showed',
    ]);
    await shot('predict-2-wrong');
  });

  test('answered again, rightly: both kept and judged, the first the one graded', async () => {
    await choose('b, started last');
    const answers = panel().locator('.jp-slowmo-predict-answer');
    await page.waitForFunction(
      () => document.querySelectorAll('.jp-slowmo-predict-answer').length === 2,
    );
    expect(await answers.allInnerTexts()).toEqual([
      'Your prediction: a, started first — ✘ wrong (graded)',
      'Answered after the reveal: b, started last — ✔ right (kept, not graded)',
    ]);
    expect(
      await panel().locator('.jp-slowmo-predict-reveal > .jp-slowmo-predict-note').innerText(),
    ).toBe('Your first answer is the one graded; later answers are kept beside it.');
    expect(await answersSaved()).toEqual(['a', 'b']);
    await shot('predict-3-again');
    await shot('predict-4-checkpoint-list', '.jp-slowmo-checkpoint-fold');
  });
});
