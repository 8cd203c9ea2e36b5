/**
 * `make bench`: slow motion as the learner feels it. A Go-slowmo cell in
 * slow motion, in headless Chromium against a real JupyterLab, the real
 * bridge and the real probe: the time from clicking "one event forward" at
 * the live end of a paused run to the picture showing the new event (the
 * next frame drawn with it), measured inside the page. Goal: median under
 * 100 ms.
 */
import { codeCell, launchChromium, startLab, uiAvailable, writeNotebook } from '../ui-tests/lab';

const STEPS = 40;
const GOAL_MS = 100;

const PROGRAM = `package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fmt.Println("hello", i)
		}()
	}
	wg.Wait()
}
`;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function main(): Promise<void> {
  const why = uiAvailable();
  if (why) {
    console.log(`slow-motion step benchmark: skipped (${why})`);
    return;
  }
  const lab = await startLab();
  const browser = await launchChromium();
  try {
    const meta = { slowmo: { backend: 'ebpf', mode: 'paced', gomaxprocs: 2 } };
    await writeNotebook(lab, 'step.ipynb', [codeCell(PROGRAM, meta)]);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${lab.url}/lab/tree/step.ipynb?reset&token=${lab.token}`);
    const cell = page.locator('.jp-slowmo-cell').first();
    await cell.waitFor({ timeout: 60_000 });
    await page
      .getByText('Kernel status: Idle')
      .first()
      .waitFor({ state: 'attached', timeout: 60_000 });
    await cell.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    const run = cell.locator('.jp-slowmo-run');
    await run
      .locator('.jp-slowmo-status', { hasText: 'Paused at event' })
      .waitFor({ timeout: 120_000 });
    const times: number[] = [];
    for (let i = 0; i < STEPS; i++) {
      // Click, then wait for the frame that shows one more event: all inside the page.
      const ms = await run.evaluate(
        (el) =>
          new Promise<number>((resolve, reject) => {
            const position = el.querySelector('.jp-slowmo-position')!;
            const count = () => Number(/of (\d+)/.exec(position.textContent ?? '')?.[1] ?? 0);
            const before = count();
            const t0 = performance.now();
            const watch = new MutationObserver(() => {
              if (count() > before) {
                watch.disconnect();
                // The frame is painted at the next animation frame after the DOM changed.
                requestAnimationFrame(() => resolve(performance.now() - t0));
              }
            });
            watch.observe(position, { childList: true, characterData: true, subtree: true });
            setTimeout(() => reject(new Error('no new event within 5 s')), 5000);
            (el.querySelector('.jp-slowmo-forward') as HTMLButtonElement).click();
          }),
      );
      times.push(ms);
      if (await run.locator('.jp-slowmo-status', { hasText: 'Finished' }).count()) break;
    }
    const median = quantile(times, 0.5);
    const p90 = quantile(times, 0.9);
    console.log(
      `${'slow motion: step click -> picture (median)'.padEnd(44)} ${`${median.toFixed(1)} ms`.padStart(10)}   goal < ${GOAL_MS} ms: ${(median / GOAL_MS).toFixed(2)}x of the goal (p90 ${p90.toFixed(1)} ms, ${times.length} steps)`,
    );
  } finally {
    await browser.close();
    await lab.stop();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
