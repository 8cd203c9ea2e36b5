/**
 * The timeline and the goroutine table as a learner uses them, at 1400x900
 * in Debian's Chromium with a real JupyterLab, bridge and probes: a program
 * with two Ps and a GC, its timeline opened from the toolbar, a click on a
 * slice of P1 seeking the picture to the event that began it, the goroutine
 * table sorted by time runnable, what is open saved with the output, and
 * screenshots in both themes (ui-tests/screenshots/timeline-*.png).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  codeCell,
  launchChromium,
  savedNotebook,
  SCREENSHOTS,
  startLab,
  writeNotebook,
  type Lab,
} from './lab';
import { openNotebook, runFirstCell, setTheme } from './open';
import { browserDescribe } from './describe';

const maybe = browserDescribe();

/** Six workers on two Ps, a forced GC in the middle, and a channel to wake main. */
const PROGRAM = `package main

import (
	"fmt"
	"runtime"
)

func work(id int, done chan<- int) {
	sum := 0
	for i := 0; i < 3_000_000; i++ {
		sum += i % (id + 2)
	}
	done <- sum
}

func main() {
	done := make(chan int)
	for i := 0; i < 6; i++ {
		go work(i, done)
	}
	runtime.GC()
	total := 0
	for i := 0; i < 6; i++ {
		total += <-done
	}
	fmt.Println("total", total)
}
`;

const META = { slowmo: { backend: 'ebpf', mode: 'record', gomaxprocs: 2 } };

/** A slice as the test reads it from the live view. */
interface Target {
  x: number;
  y: number;
  seq: number;
  goid: number;
}

maybe('the timeline and the goroutine table, in a browser', () => {
  let lab: Lab;
  let browser: Browser;
  let page: Page;

  const shot = (name: string, target: Locator | Page = page) =>
    target.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  const run = () => page.locator('.jp-slowmo-run').first();
  /** Scrolls the notebook so that a part of the output is in view (at the top, or its end at the bottom). */
  const reveal = (selector: string, block: 'start' | 'end' = 'end') =>
    run()
      .locator(selector)
      .first()
      .evaluate((el, b) => el.scrollIntoView({ block: b }), block);

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    await writeNotebook(lab, 'timeline.ipynb', [codeCell(PROGRAM, META)]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openNotebook(page, lab, 'timeline.ipynb');
    await runFirstCell(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  });

  /** The middle of the widest running slice of P`p` in view, in page coordinates. */
  async function sliceOfP(p: number): Promise<Target> {
    const canvas = run().locator('.jp-slowmo-timeline-canvas');
    const box = (await canvas.boundingBox())!;
    const found = await run()
      .locator('.jp-slowmo-timeline-view')
      .evaluate((node, pid) => {
        type Slice = { kind: string; start: number; end: number; startSeq: number; goid: number };
        type Row = { kind: string; id: number; y: number; h: number; slices: Slice[] };
        const v = (
          node as unknown as {
            slowmoTimeline: {
              rows: { rows: Row[] };
              scale: { from: number; to: number; width: number };
              lanesWidth(): number;
              canvas: HTMLCanvasElement;
              scroller: HTMLElement;
            };
          }
        ).slowmoTimeline;
        const row = v.rows.rows.find((r) => r.kind === 'p' && r.id === pid)!;
        const x = (t: number) => ((t - v.scale.from) / (v.scale.to - v.scale.from)) * v.scale.width;
        const widest = row.slices
          .filter((s) => s.kind === 'running')
          .sort((a, b) => b.end - b.start - (a.end - a.start))[0]!;
        const gutter = v.canvas.clientWidth - v.lanesWidth();
        return {
          x: gutter + (x(widest.start) + x(widest.end)) / 2,
          y: 24 + row.y + row.h / 2 - v.scroller.scrollTop,
          seq: widest.startSeq,
          goid: widest.goid,
        };
      }, p);
    return { ...found, x: box.x + found.x, y: box.y + found.y };
  }

  test('the toolbar opens the timeline: a lane per P, the GC, and the cursor at the picture', async () => {
    const toggle = run().getByRole('button', { name: 'Timeline', exact: true });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await run().evaluate((el) => ((window as unknown as { shownRun: Element }).shownRun = el));
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    // Kept in the output's metadata without drawing the run again (JupyterLab renders the output
    // anew from the notebook's model when its metadata changes).
    await page.waitForTimeout(500);
    expect(
      await page.evaluate(
        () =>
          document.querySelector('.jp-slowmo-run') ===
          (window as unknown as { shownRun: Element }).shownRun,
      ),
    ).toBe(true);
    const view = run().locator('.jp-slowmo-timeline-view');
    await view.waitFor({ state: 'visible' });
    await page.waitForFunction(
      () =>
        Number(document.querySelector('.jp-slowmo-timeline-view')?.getAttribute('data-frames')) > 0,
    );
    const rows = await view.evaluate((node) => {
      const v = (
        node as unknown as { slowmoTimeline: { rows: { rows: { kind: string; label: string }[] } } }
      ).slowmoTimeline;
      return v.rows.rows.map((r) => `${r.kind}:${r.label}`);
    });
    expect(rows).toEqual(expect.arrayContaining(['gc:GC', 'p:P0', 'p:P1']));
    expect(rows.filter((r) => r.startsWith('p:'))).toHaveLength(2);
    // The program's runtime.GC() is on the GC track.
    const gc = await view.evaluate(
      (node) =>
        (node as unknown as { slowmoTimeline: { lanes: { gc: unknown[] } } }).slowmoTimeline.lanes
          .gc.length,
    );
    expect(gc).toBeGreaterThan(0);
    await reveal('.jp-slowmo-timeline');
    await shot('timeline-1-opened');
  });

  test('a click on a slice of P1 seeks the picture to the event that began it', async () => {
    await reveal('.jp-slowmo-timeline');
    const target = await sliceOfP(1);
    const before = await run().getAttribute('data-seq');
    expect(Number(before)).not.toBe(target.seq);
    await page.mouse.click(target.x, target.y);
    await page.waitForFunction(
      (seq) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-seq') === String(seq),
      target.seq,
    );
    expect(await run().locator('.jp-slowmo-position').innerText()).toMatch(
      new RegExp(`^event ${target.seq + 1} of`),
    );
    // The picture says so: the goroutine that slice is starts to run, on P1.
    const narration = await run().locator('.jp-slowmo-narration').innerText();
    expect(narration).toContain(`g${target.goid}`);
    expect(narration).toMatch(/P1\b/);
    // The tooltip names the slice in words (found again: the picture above may have grown).
    await reveal('.jp-slowmo-timeline');
    const again = await sliceOfP(1);
    await page.mouse.move(again.x + 1, again.y);
    const tip = run().locator('.jp-slowmo-timeline-tip');
    await tip.waitFor({ state: 'visible' });
    expect(await tip.innerText()).toMatch(new RegExp(`^P1 ran g${target.goid} `));
    await shot('timeline-2-seeked');
  });

  test('lanes per M and per goroutine on demand; the wheel scrolls the notebook, Ctrl+wheel zooms around the pointer', async () => {
    const view = run().locator('.jp-slowmo-timeline-view');
    await run().locator('.jp-slowmo-timeline-ms input').check();
    await run().locator('.jp-slowmo-timeline-gs input').check();
    type V = {
      rows: { rows: { kind: string; label: string }[] };
      scale: { from: number; to: number };
    };
    const read = () =>
      view.evaluate((node) => {
        const v = (node as unknown as { slowmoTimeline: V }).slowmoTimeline;
        return {
          kinds: v.rows.rows.map((r) => r.kind),
          labels: v.rows.rows.map((r) => r.label),
          span: v.scale.to - v.scale.from,
          from: v.scale.from,
        };
      });
    const before = await read();
    expect(before.labels).toEqual(
      expect.arrayContaining(['Threads (Ms)', 'Goroutines', 'g1 main']),
    );
    expect(before.kinds.filter((k) => k === 'm').length).toBeGreaterThanOrEqual(2);
    expect(before.kinds.filter((k) => k === 'g').length).toBeGreaterThanOrEqual(7);
    // The wheel alone over the lanes scrolls the notebook on, and says how to zoom.
    await reveal('.jp-slowmo-timeline');
    const scroller = page.locator('.jp-WindowedPanel-outer').first();
    const scrolled = () => scroller.evaluate((el) => el.scrollTop);
    let box = (await run().locator('.jp-slowmo-timeline-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 60);
    const top = await scrolled();
    await page.mouse.wheel(0, -120);
    await expectTrue(async () => (await scrolled()) < top);
    const tip = run().locator('.jp-slowmo-timeline-tip');
    await expectTrue(async () => /Ctrl \+ wheel/.test(await tip.innerText()));
    expect((await read()).span).toBe(before.span);
    // Ctrl+wheel up over the lanes, a third of the way in: zoomed in around that point.
    await reveal('.jp-slowmo-timeline');
    box = (await run().locator('.jp-slowmo-timeline-canvas').boundingBox())!;
    const x = box.x + 132 + (box.width - 132) / 3;
    await page.mouse.move(x, box.y + 60);
    await page.keyboard.down('Control');
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -200);
    await page.keyboard.up('Control');
    await expectTrue(async () => (await read()).span < before.span / 2);
    const after = await read();
    // The time under the pointer stayed there (within a pixel's worth).
    const at = (s: { from: number; span: number }) => s.from + s.span / 3;
    expect(Math.abs(at(after) - at(before))).toBeLessThan(before.span / (box.width - 132));
    await shot('timeline-4-lanes');
    await run().getByRole('button', { name: 'whole run' }).click();
    expect((await read()).span).toBeCloseTo(before.span, 0);
    await run().locator('.jp-slowmo-timeline-ms input').uncheck();
    await run().locator('.jp-slowmo-timeline-gs input').uncheck();
  });

  test('the goroutine table sorts by time runnable, and a row picks its goroutine everywhere', async () => {
    await run().getByRole('button', { name: 'Goroutines', exact: true }).click();
    const table = run().locator('.jp-slowmo-goroutines');
    await table.locator('tbody tr').first().waitFor();
    const header = table.locator('th[data-column="runnable"]');
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const order = await table.evaluate((node) => {
      type G = { goid: number; runnable: number; runtime: boolean };
      const t = (node as unknown as { slowmoTable: { analysis: { goroutines: G[] } } }).slowmoTable;
      const want = t.analysis.goroutines
        .filter((g) => !g.runtime)
        .sort((a, b) => b.runnable - a.runnable || a.goid - b.goid)
        .map((g) => g.goid);
      const got = [...node.querySelectorAll('tbody tr')].map((tr) =>
        Number((tr as HTMLElement).dataset.goid),
      );
      const runnable = new Map(t.analysis.goroutines.map((g) => [g.goid, g.runnable]));
      return { want, got, times: got.map((g) => runnable.get(g)!) };
    });
    expect(order.got).toEqual(order.want);
    expect(order.got.length).toBeGreaterThanOrEqual(7); // main and six workers
    // Largest first, and some goroutine did wait for a P (six workers on two Ps).
    expect(order.times).toEqual([...order.times].sort((a, b) => b - a));
    expect(order.times[0]).toBeGreaterThan(0);
    await header.click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    await header.click();

    // A row picks its goroutine: the run, the table and the timeline all say so.
    const goid = order.got[0]!;
    await table.locator(`tbody tr[data-goid="${goid}"]`).click();
    await page.waitForFunction(
      (g) => document.querySelector('.jp-slowmo-run')?.getAttribute('data-selected') === String(g),
      goid,
    );
    expect(await table.locator(`tbody tr[data-goid="${goid}"]`).getAttribute('aria-selected')).toBe(
      'true',
    );
    const lane = await run()
      .locator('.jp-slowmo-timeline-view')
      .evaluate((node) => {
        const v = (
          node as unknown as {
            slowmoTimeline: { rows: { rows: { kind: string; id: number }[] } };
          }
        ).slowmoTimeline;
        return v.rows.rows.find((r) => r.kind === 'g');
      });
    expect(lane).toMatchObject({ kind: 'g', id: goid });
    await reveal('.jp-slowmo-goroutines');
    await shot('timeline-3-table');
  });

  test('what is open is saved with the output and comes back', async () => {
    const saved = await savedNotebook(lab, 'timeline.ipynb', () =>
      page.keyboard.press('Control+s'),
    );
    const meta = (saved.cells[0]?.outputs?.[0] as { metadata?: Record<string, unknown> }).metadata;
    expect(meta).toMatchObject({
      'go-slowmo': {
        view: { timeline: true, table: true, sort: { column: 'runnable', descending: true } },
      },
    });
    await page.reload();
    await run().locator('.jp-slowmo-status', { hasText: 'Finished' }).waitFor({ timeout: 60_000 });
    await run().locator('.jp-slowmo-timeline-view').waitFor({ state: 'visible' });
    expect(
      await run()
        .getByRole('button', { name: 'Timeline', exact: true })
        .getAttribute('aria-pressed'),
    ).toBe('true');
    const header = run().locator('.jp-slowmo-goroutines th[data-column="runnable"]');
    await header.waitFor({ state: 'visible' });
    expect(await header.getAttribute('aria-sort')).toBe('descending');
  });

  test('run again, the output keeps them open and the timeline shows the new run', async () => {
    const lastSeq = () =>
      run()
        .locator('.jp-slowmo-timeline-view')
        .evaluate(
          (node) =>
            (node as unknown as { slowmoTimeline: { lanes: { lastSeq: number } } }).slowmoTimeline
              .lanes.lastSeq,
        );
    const before = await lastSeq();
    await page.locator('.jp-slowmo-cell .cm-content').first().click();
    await page.keyboard.press('Control+Enter');
    // The live output has it open too (the executor carries the view over).
    await run()
      .locator('.jp-slowmo-status', { hasText: /Running|Finished/ })
      .waitFor();
    await run().locator('.jp-slowmo-timeline-view').waitFor({ state: 'visible' });
    await run().locator('.jp-slowmo-status', { hasText: 'Finished' }).waitFor({ timeout: 120_000 });
    await run().locator('.jp-slowmo-timeline-view').waitFor({ state: 'visible' });
    await run().locator('.jp-slowmo-goroutines').waitFor({ state: 'visible' });
    const position = await run().locator('.jp-slowmo-position').innerText();
    const events = Number(/of (\d+)/.exec(position)![1]);
    // Its lanes reach the new run's last event.
    expect(await lastSeq()).toBe(events - 1);
    expect(before).toBeGreaterThan(0);
  });

  test('the timeline and the table in the dark theme', async () => {
    await setTheme(page, 'dark');
    await reveal('.jp-slowmo-timeline');
    // Redrawn in the dark palette: the lanes' background is dark.
    await page.waitForFunction(() => {
      const c = document.querySelector('.jp-slowmo-timeline-canvas') as HTMLCanvasElement;
      const [r, g, b] = c.getContext('2d')!.getImageData(2, 2, 1, 1).data;
      return r! + g! + b! < 150;
    });
    await shot('timeline-dark-1-opened');
    await reveal('.jp-slowmo-goroutines');
    await shot('timeline-dark-2-table');
    await run().locator('.jp-slowmo-timeline-ms input').check();
    await run().locator('.jp-slowmo-timeline-gs input').check();
    await reveal('.jp-slowmo-timeline');
    await shot('timeline-dark-3-lanes');
    await run().locator('.jp-slowmo-timeline-ms input').uncheck();
    await run().locator('.jp-slowmo-timeline-gs input').uncheck();
    expect(await run().locator('.jp-slowmo-goroutines tbody tr').count()).toBeGreaterThan(0);
    await setTheme(page, 'light');
  });
});

async function expectTrue(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await check()).toBe(true);
}
