/**
 * Slow motion as a learner drives it, in a real JupyterLab in Debian's
 * Chromium with the real bridge and probes: the cell toolbar switches a cell
 * to slow motion (no metadata editing), the real program is stepped event by
 * event and line by line, left paused for longer than the server's time
 * limit, then resumed, and ends normally; what was drawn live at each step
 * is what the replay draws at the same event. JupyterLab's own stop button
 * and Kernel → Interrupt stop a Go-slowmo run within a second.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { codeCell, launchChromium, SCREENSHOTS, startLab, writeNotebook, type Lab } from './lab';
import { browserDescribe } from './describe';
import { settled } from './seen';

const maybe = browserDescribe();

/** main sends 5 jobs to 3 workers; each prints on line 10 when it starts a job. */
const POOL = `package main

import (
	"fmt"
	"sync"
)

func worker(id int, jobs <-chan int, wg *sync.WaitGroup) {
	for j := range jobs {
		fmt.Println("worker", id, "job", j)
	}
	wg.Done()
}

func main() {
	jobs := make(chan int, 5)
	var wg sync.WaitGroup
	for w := 1; w <= 3; w++ {
		wg.Add(1)
		go worker(w, jobs, &wg)
	}
	for j := 1; j <= 5; j++ {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	fmt.Println("all jobs done")
}
`;
const PRINT_LINE = 10;

const SPIN = `package main

func main() {
	n := 0
	for {
		n++
	}
}
`;

/** The server's wall-clock limit in this test: the learner's 45 s pause is far longer. */
const WALL_SECONDS = 15;

type Picture = Record<string, string>;

maybe('slow motion, driven from the cell', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  const slowmo = { slowmo: { backend: 'auto', mode: 'record', gomaxprocs: 2 } };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab({ SLOWMO_WALL_SECONDS: String(WALL_SECONDS) });
    await writeNotebook(lab, 'slow.ipynb', [codeCell(POOL, slowmo), codeCell(SPIN, slowmo)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${lab.url}/lab/workspaces/slow/tree/slow.ipynb?reset&token=${lab.token}`);
    await page.locator('.jp-slowmo-cell').first().waitFor({ timeout: 60_000 });
    await page
      .getByText('Kernel status: Idle')
      .first()
      .waitFor({ state: 'attached', timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  const cell = (i: number): Locator => page.locator('.jp-slowmo-cell').nth(i);

  /** The live picture as drawn: every token's place, look and opacity, and the backdrop's parts. */
  function picture(run: Locator): Promise<Picture> {
    return run.locator('.jp-slowmo-picture').evaluate((pic) => {
      type N = {
        id(): string;
        position(): { x: number; y: number };
        classes(): string[];
        data(k: string): unknown;
        style(k: string): string;
      };
      const view = (
        pic as unknown as {
          slowmoPicture: { cy: { nodes(): { forEach(f: (n: N) => void): void } } };
        }
      ).slowmoPicture;
      const out: Record<string, string> = {};
      view.cy.nodes().forEach((n) => {
        const p = n.position();
        out[n.id()] =
          `${Math.round(p.x)},${Math.round(p.y)} ${n.classes().join('.')} ${String(n.data('label'))} ` +
          `opacity ${n.style('opacity')}`;
      });
      for (const g of pic.querySelectorAll('.jp-slowmo-picture-under > g'))
        out[`svg:${g.getAttribute('data-key')}`] = g.textContent ?? '';
      return out;
    });
  }

  async function position(run: Locator): Promise<{ n: number; total: number }> {
    const text = (await run.locator('.jp-slowmo-position').textContent()) ?? '';
    const m = /event (\d+) of (\d+)/.exec(text);
    return m ? { n: Number(m[1]), total: Number(m[2]) } : { n: 0, total: 0 };
  }

  /** Events received so far by a live run ("Running · 1,234 events"), 0 before it runs. */
  async function eventsSoFar(run: Locator): Promise<number> {
    const text = (await run.locator('.jp-slowmo-status').textContent()) ?? '';
    return Number(/Running · ([\d,]+) event/.exec(text)?.[1]?.replace(/,/g, '') ?? 0);
  }

  async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await check()) return;
      await page.waitForTimeout(50);
    }
    expect(await check()).toBe(true);
  }

  test('switched to slow motion from the toolbar, stepped, left paused 45 s, stepped by line and resumed: it ends normally, and live equals replay', async () => {
    const c = cell(0);
    await c.locator('.jp-InputArea').click();
    const mode = c.locator('.jp-cell-toolbar').getByText('● Record');
    await mode.click();
    await c.locator('.jp-cell-toolbar').getByText('◐ Slow motion').waitFor();
    await c.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    const run = c.locator('.jp-slowmo-run');
    await run
      .locator('.jp-slowmo-status', { hasText: 'Paused at event' })
      .waitFor({ timeout: 90_000 });

    // 30 events, one by one; every third one remembered as drawn live.
    const live = new Map<number, Picture>();
    const forward = run.getByRole('button', { name: 'One event forward' });
    for (let i = 0; i < 30; i++) {
      const before = (await position(run)).total;
      await forward.click();
      await until(async () => (await position(run)).total > before);
      if (i % 3 === 2) {
        await settled(run);
        const { n } = await position(run);
        live.set(n, await picture(run));
      }
    }
    expect(live.size).toBe(10);
    await shot('slowmo-1-stepped');

    // The learner reads for 45 s: longer than the server's time limit, which counts only running time.
    await page.waitForTimeout(45_000);
    expect(await run.locator('.jp-slowmo-status').textContent()).toMatch(/Paused at event/);

    // Step by line until a worker is on its Println line.
    const stepLine = run.getByRole('button', { name: 'Step to the next line' });
    const printLit = run.locator(
      `.jp-slowmo-source-line[data-line="${PRINT_LINE}"] .jp-slowmo-source-tag[data-kind="running"]`,
    );
    for (let i = 0; i < 60 && (await printLit.count()) === 0; i++) {
      const before = (await position(run)).total;
      await stepLine.click();
      await until(async () => (await position(run)).total > before || (await printLit.count()) > 0);
    }
    expect(await printLit.count()).toBeGreaterThan(0);
    await shot('slowmo-2-line');

    // Resume at full speed: it runs to the end.
    await run.locator('.jp-slowmo-speed').fill('100');
    await run.getByRole('button', { name: 'Play' }).click();
    await run.locator('.jp-slowmo-status', { hasText: 'Finished' }).waitFor({ timeout: 60_000 });
    expect(await run.locator('.jp-slowmo-status').textContent()).toMatch(/exit code 0/);
    const out = await run.locator('.jp-slowmo-output').innerText();
    expect(out).toContain('all jobs done');
    expect(out.match(/worker \d job \d/g)).toHaveLength(5);
    const rec = c.locator('.jp-slowmo-run');
    // The recording replayed: each sampled event drawn as it was live.
    for (const [n, drawn] of live) {
      await rec.locator('.jp-slowmo-scrubber').evaluate((el, seq) => {
        const input = el as HTMLInputElement;
        input.value = String(seq);
        input.dispatchEvent(new Event('input'));
      }, n - 1);
      await until(async () => (await position(rec)).n === n);
      await settled(rec);
      expect({ event: n, picture: await picture(rec) }).toEqual({ event: n, picture: drawn });
    }
    await shot('slowmo-3-replayed');
  });

  test("JupyterLab's stop button and Kernel → Interrupt stop a Go-slowmo cell within 1 s", async () => {
    const c = cell(1);
    const run = c.locator('.jp-slowmo-run');
    const stopped = async (how: () => Promise<void>): Promise<number> => {
      await c.locator('.cm-content').click();
      await page.keyboard.press('Control+Enter');
      await run.locator('.jp-slowmo-status', { hasText: 'Running' }).waitFor({ timeout: 90_000 });
      // Well under way: past its start, its loop preempted and run again, events coming in.
      await until(async () => (await eventsSoFar(run)) >= 20);
      // Timed in the page, from the last press to the status saying so: the
      // round trips of the test's own driver are not the learner's wait.
      // Watched from the cell, not the status line: the live output's widget is
      // replaced by the recording's when the run ends, and on a loaded machine
      // that can come before the live status line says "stopped".
      await c.evaluate((cellNode) => {
        const w = window as unknown as { slowmoStop: { clicked: number; stopped: number } };
        w.slowmoStop = { clicked: 0, stopped: 0 };
        document.addEventListener('pointerdown', () => (w.slowmoStop.clicked = performance.now()), {
          capture: true,
        });
        new MutationObserver((_, obs) => {
          const status = cellNode.querySelector('.jp-slowmo-run .jp-slowmo-status');
          if (!/stopped/.test(status?.textContent ?? '')) return;
          w.slowmoStop.stopped = performance.now();
          obs.disconnect();
        }).observe(cellNode, { childList: true, subtree: true, characterData: true });
      });
      await how();
      await run.locator('.jp-slowmo-status', { hasText: 'stopped' }).waitFor({ timeout: 5_000 });
      return page.evaluate(() => {
        const { clicked, stopped } = (
          window as unknown as { slowmoStop: { clicked: number; stopped: number } }
        ).slowmoStop;
        return stopped - clicked;
      });
    };
    const byButton = await stopped(() =>
      page.locator('.jp-NotebookPanel-toolbar [data-command="notebook:interrupt-kernel"]').click(),
    );
    expect(byButton).toBeGreaterThan(0);
    expect(byButton).toBeLessThan(1000);
    const byMenu = await stopped(async () => {
      await page.getByText('Kernel', { exact: true }).first().click();
      await page.getByText('Interrupt Kernel', { exact: true }).first().click();
    });
    expect(byMenu).toBeGreaterThan(0);
    expect(byMenu).toBeLessThan(1000);
  });
});
